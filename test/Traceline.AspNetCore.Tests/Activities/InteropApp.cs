using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Traceline.AspNetCore.Tests.Fakes;
using Traceline.Export;

namespace Traceline.AspNetCore.Tests.Activities;

/// <summary>A real Kestrel app on 127.0.0.1 with tracing into an in-memory exporter, shaped by each test.</summary>
internal sealed class InteropApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private InteropApp(WebApplication app, InMemorySpanExporter exporter, Uri address)
    {
        _app = app;
        Exporter = exporter;
        Address = address;
    }

    public InMemorySpanExporter Exporter { get; }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<InteropApp> StartAsync(
        Action<TracingBuilder> tracing,
        Action<WebApplication> map,
        Action<WebApplicationBuilder>? configure = null,
        HttpProtocols protocols = HttpProtocols.Http1)
    {
        var exporter = new InMemorySpanExporter();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = protocols));
        builder.Logging.ClearProviders();
        builder.Services.AddTracing(
            t =>
            {
                t.UseInMemoryExporter(exporter);
                tracing(t);
            },
            TestDefaults.NoEnvironment);
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseTracing();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new InteropApp(app, exporter, new Uri(address));
    }

    /// <summary>Waits until the trace of the last server span holds <paramref name="count"/> spans matching <paramref name="match"/>.</summary>
    public IReadOnlyList<Span> WaitForTrace(Func<IReadOnlyList<Span>, bool> complete)
    {
        IReadOnlyList<Span> trace = [];
        var done = Exporter.WaitFor(
            spans =>
            {
                var server = spans.LastOrDefault(s => s.Kind == SpanKind.Server && s.ParentSpanId == default);
                trace = server is null ? [] : [.. spans.Where(s => s.Context.TraceId == server.Context.TraceId)];
                return trace.Count > 0 && complete(trace);
            },
            TestDefaults.Timeout);
        Assert.True(done, "The trace was not exported: " + string.Join(", ", Exporter.Spans.Select(s => s.Name + " " + s.Context)));
        return trace;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
