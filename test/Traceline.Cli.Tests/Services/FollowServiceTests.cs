using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Traceline.Cli.Tests.Services;

/// <summary>
/// End to end: two real services (Kestrel on 127.0.0.1, a real HttpClient between them) write their spans to log
/// files as they run, while <c>traceline view --follow</c> (in process, on the real clock) reads both files and prints
/// the request's trace as one tree, whole, once it settled.
/// </summary>
public sealed class FollowServiceTests
{
    [Fact]
    public async Task Follow_TwoRunningServicesLoggingToFiles_PrintsTheWholeTraceOnce()
    {
        await using var follow = new Follower(time: TimeProvider.System);
        follow.Command.Settle = TimeSpan.FromMilliseconds(300);
        follow.Command.Poll = TimeSpan.FromMilliseconds(50);
        await follow.StartAsync(["foo-service.log", "bar-service.log"]);

        await using var bar = await LoggedService.StartAsync(
            "bar-service", app => app.MapGet("/stock", () => "7 in stock"), logFile: follow.PathOf("bar-service.log"));
        await using var foo = await LoggedService.StartAsync(
            "foo-service",
            app => app.MapGet("/order", async (IHttpClientFactory clients) => await clients.CreateClient("bar").GetStringAsync(new Uri("/stock", UriKind.Relative))),
            services: s => s.AddHttpClient("bar", c => c.BaseAddress = bar.Address).AddTracingHandler(),
            logFile: follow.PathOf("foo-service.log"));
        using (var client = LoggedService.UntracedClient(foo.Address))
        {
            Assert.Equal("7 in stock", await client.GetStringAsync(new Uri("/order", UriKind.Relative)));
        }

        var output = await follow.AdvanceUntilAsync(o => o.Contains("whole: one root, every parent recorded", StringComparison.Ordinal));

        Assert.Contains("3 span(s)", output, StringComparison.Ordinal);
        Assert.Matches(@"\n  GET /order +server +foo-service", output);
        Assert.Matches(@"\n    GET +client +foo-service", output);
        Assert.Matches(@"\n      GET /stock +server +bar-service", output);
        Assert.Equal(0, await follow.StopAsync());
        Assert.Contains("1 trace(s) shown, 0 broken; 3 span(s) read, 0 bad record(s)", follow.Output, StringComparison.Ordinal);
        Assert.Equal(string.Empty, follow.Errors);
    }
}
