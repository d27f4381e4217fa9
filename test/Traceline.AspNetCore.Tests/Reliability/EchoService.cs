using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Traceline.AspNetCore.Tests.Reliability;

/// <summary>
/// An untraced downstream service on Kestrel (127.0.0.1) that answers <c>/echo</c> with the request headers it received,
/// one <c>name: value</c> per line, values escaped so that a CR or LF inside one would show rather than split the line.
/// </summary>
internal sealed class EchoService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoService(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public static async Task<EchoService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/echo", (Microsoft.AspNetCore.Http.HttpRequest request) =>
            string.Join("\n", request.Headers.SelectMany(h => h.Value.Select(v => h.Key.ToLowerInvariant() + ": " + Uri.EscapeDataString(v ?? string.Empty)))));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new EchoService(app, new Uri(address));
    }

    /// <summary>The echoed headers (a repeated name keeps its values joined by ',').</summary>
    public static Dictionary<string, string> Parse(string echoed)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in echoed.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            var name = line[..colon];
            var value = Uri.UnescapeDataString(line[(colon + 2)..]);
            headers[name] = headers.TryGetValue(name, out var existing) ? existing + "," + value : value;
        }

        return headers;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
