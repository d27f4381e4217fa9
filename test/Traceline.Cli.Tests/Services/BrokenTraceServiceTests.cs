using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Traceline.Export;

namespace Traceline.Cli.Tests.Services;

/// <summary>
/// Each way a trace breaks, made by real services (Kestrel on 127.0.0.1, real HttpClient), logged by Traceline's
/// stdout exporter into one file per service, and read back by <c>traceline view</c>, which must name what happened.
/// foo-service calls bar-service (directly, through a proxy, or on an untrusted path); the test is the outside caller.
/// </summary>
public sealed class BrokenTraceServiceTests : IDisposable
{
    private const string W3CTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private readonly string _logs = Directory.CreateTempSubdirectory("traceline-view-").FullName;

    public void Dispose() => Directory.Delete(_logs, recursive: true);

    [Fact]
    public async Task View_TracedCall_IsWhole()
    {
        var (exit, output) = await RunAsync(barPath: "/stock", viaProxy: false);

        Assert.Equal(0, exit);
        Assert.Contains("whole: one root, every parent recorded", output, StringComparison.Ordinal);
        Assert.Contains("1 trace(s) shown, 0 broken; 3 span(s) read, 0 bad record(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_CallerSentTraceParent_IsWholeWithAnExternalRoot()
    {
        var (exit, output) = await RunAsync(barPath: "/stock", viaProxy: false, traceParent: W3CTraceParent);

        Assert.Equal(0, exit);
        Assert.Contains("trace 4bf92f3577b34da6a3ce929d0e0e4736  3 span(s)", output, StringComparison.Ordinal);
        Assert.Contains("<- 00f067aa0ba902b7 from the caller", output, StringComparison.Ordinal);
        Assert.Contains("whole, root's parent 00f067aa0ba902b7 is external", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_ClientWithoutTracingHandler_IsSplitNamingTheCaller()
    {
        OwnTraceParentHandler? handler = null;
        var (exit, output) = await RunAsync(barPath: "/stock", viaProxy: false, call: async (bar, _) =>
        {
            // No tracing handler, and tracing suppressed around the call, so no instrumentation makes a client span.
            handler = new OwnTraceParentHandler(Span.Current!.Context.TraceId);
            using var client = LoggedService.UntracedClient(bar, handler);
            using (Tracing.Suppress())
            {
                return await client.GetStringAsync(new Uri("/stock", UriKind.Relative));
            }
        });

        Assert.Equal(1, exit);
        Assert.Contains($"BROKEN: split: bar-service GET /stock names parent {handler!.SentParent}, which no service recorded; foo-service's client span is missing (it was in GET /order)", output, StringComparison.Ordinal);
        Assert.Contains("likely an HttpClient without the tracing handler", output, StringComparison.Ordinal);
        Assert.Contains($"!! parent {handler.SentParent} not recorded by any service", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_ProxyStripsTraceParent_IsTwoTracesThatShouldBeOne()
    {
        var (exit, output) = await RunAsync(barPath: "/stock", viaProxy: true);

        Assert.Equal(1, exit);
        Assert.Contains("2 trace(s) shown, 1 broken; 3 span(s) read", output, StringComparison.Ordinal);
        Assert.Contains("BROKEN: two traces that should be one: bar-service started this trace while foo-service's client span GET", output, StringComparison.Ordinal);
        Assert.Contains("the traceparent header did not arrive (a proxy dropping it, or a client that does not send it)", output, StringComparison.Ordinal);
        Assert.Contains("!! no traceparent arrived", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task View_UntrustedPath_IsTwoTracesLinkedAtTheBoundary()
    {
        var (exit, output) = await RunAsync(barPath: "/public/stock", viaProxy: false);

        Assert.Equal(1, exit);
        Assert.Contains("2 trace(s) shown, 1 broken; 3 span(s) read", output, StringComparison.Ordinal);
        Assert.Contains("BROKEN: two traces that should be one: bar-service started this trace at an untrusted boundary and linked the caller, foo-service GET in trace", output, StringComparison.Ordinal);
        Assert.Contains("!! new trace at an untrusted boundary", output, StringComparison.Ordinal);
    }

    /// <summary>
    /// Starts bar-service (GET <paramref name="barPath"/>, with <c>/public</c> untrusted), optionally a proxy that
    /// forwards without trace headers, and foo-service (GET /order, which calls bar); sends one request; stops all
    /// (flushing their logs) and runs the tool on the log files.
    /// </summary>
    private async Task<(int Exit, string Output)> RunAsync(
        string barPath,
        bool viaProxy,
        string? traceParent = null,
        Func<Uri, Tracer, Task<string>>? call = null)
    {
        await using var bar = await LoggedService.StartAsync(
            "bar-service",
            app => app.MapGet(barPath, () => "7 in stock"),
            middleware: o => o.UntrustedPaths.Add("/public"),
            format: StdoutFormat.Pretty);
        await using var proxy = viaProxy ? await StartProxyAsync(bar.Address) : null;
        var next = proxy?.Address ?? bar.Address;
        await using var foo = await LoggedService.StartAsync(
            "foo-service",
            app => app.MapGet("/order", async (IHttpClientFactory clients, Tracer tracer) =>
                call is null ? await clients.CreateClient("next").GetStringAsync(new Uri(barPath, UriKind.Relative)) : await call(next, tracer)),
            services: s => s.AddHttpClient("next", c => c.BaseAddress = next).AddTracingHandler());

        using (var client = LoggedService.UntracedClient(foo.Address))
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/order", UriKind.Relative));
            if (traceParent is not null)
            {
                request.Headers.Add("traceparent", traceParent);
            }

            using var response = await client.SendAsync(request);
            Assert.Equal("7 in stock", await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync());
        }

        // foo first: its server span ends after bar's; stopping flushes each service's spans to its log.
        string[] files = [await foo.StopAndSaveLogAsync(_logs), await bar.StopAndSaveLogAsync(_logs)];
        var output = new StringWriter();
        var errors = new StringWriter();
        var view = new ViewCommand(output, errors);
        foreach (var file in files)
        {
            await using var stream = File.OpenRead(file);
            view.Read(stream, Path.GetFileName(file));
        }

        var exit = view.Print();
        Assert.Equal(string.Empty, errors.ToString());
        return (exit, output.ToString());
    }

    /// <summary>A forwarding proxy of the kind that rebuilds requests: it copies the path and drops every header.</summary>
    private static Task<LoggedService> StartProxyAsync(Uri target) => LoggedService.StartAsync(
        "proxy",
        app => app.Map("/{**path}", async (HttpContext context) =>
        {
            // A proxy is another process: suppressed, so the traced services in this test process record none of its calls.
            using var client = LoggedService.UntracedClient(target);
            using var untraced = Tracing.Suppress();
            var body = await client.GetStringAsync(new Uri(context.Request.Path + context.Request.QueryString, UriKind.Relative), context.RequestAborted);
            await context.Response.WriteAsync(body, context.RequestAborted);
        }),
        traced: false);
}
