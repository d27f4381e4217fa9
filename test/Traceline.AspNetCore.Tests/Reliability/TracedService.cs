using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Traceline.AspNetCore.Tests.Fakes;
using Traceline.Export;

namespace Traceline.AspNetCore.Tests.Reliability;

/// <summary>
/// A small service of our own on real Kestrel (127.0.0.1, random port) with AddTracing/UseTracing, a batched capturing
/// exporter, and a traced HttpClient named "next" pointing at the next service: foo → bar without the examples.
/// </summary>
internal sealed class TracedService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TracedService(WebApplication app, CapturingExporter exporter, Uri address)
    {
        _app = app;
        Exporter = exporter;
        Address = address;
    }

    public CapturingExporter Exporter { get; }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<TracedService> StartAsync(
        string name,
        Action<WebApplication> map,
        Uri? next = null,
        Action<TracingBuilder>? tracing = null,
        Action<TracingMiddlewareOptions>? middleware = null,
        IDictionary<string, string>? environment = null)
    {
        var exporter = new CapturingExporter();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddTracing(
            t =>
            {
                t.WithServiceName(name).WithBatchOptions(o =>
                {
                    o.MaxQueueSize = 65_536;
                    o.ScheduledDelay = TimeSpan.FromMilliseconds(50);
                }).AddExporter(exporter);
                tracing?.Invoke(t);
            },
            key => environment is not null && environment.TryGetValue(key, out var value) ? value : TestDefaults.NoEnvironment(key));
        if (next is not null)
        {
            builder.Services.AddHttpClient("next", c => c.BaseAddress = next).AddTracingHandler();
        }

        var app = builder.Build();
        app.UseTracing(middleware);
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TracedService(app, exporter, new Uri(address));
    }

    /// <summary>Exports everything that has ended (the provider stays up).</summary>
    public void Flush() => Assert.True(Services.GetRequiredService<TracerProvider>().ForceFlush(TestDefaults.Timeout));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Keeps every exported span, in export order; thread-safe.</summary>
internal sealed class CapturingExporter : SpanExporter
{
    private readonly Lock _lock = new();
    private List<Span> _spans = [];

    public IReadOnlyList<Span> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            _spans = [];
        }
    }

    public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            _spans.AddRange(batch.Span);
        }

        return ValueTask.FromResult(ExportResult.Success);
    }
}
