using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Traceline.Benchmarks;

/// <summary>
/// What tracing adds to one request, measured through the real hosting layer (the IHttpApplication a server calls,
/// with its diagnostics) without a network: no tracing, Traceline's UseTracing, and the OpenTelemetry SDK's ASP.NET
/// Core instrumentation. Every request carries a sampled traceparent, every span is recorded and goes through each
/// library's batch processor into an exporter that counts and discards it, as in production (for Traceline, with span
/// storage reused, since that exporter keeps nothing).
/// </summary>
/// <remarks>
/// Each benchmark sets up only its own app. An ActivityListener listens to every ActivitySource of the process, so
/// with all three apps alive the SDK's listener made ASP.NET Core create and record an Activity in the no-tracing and
/// Traceline apps too: the baseline then carried the SDK's whole cost and the SDK row showed +0 B.
/// </remarks>
[MemoryDiagnoser]
[MedianColumn]
public class MiddlewareBenchmarks
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static readonly HttpConnectionFeature Connection = new()
    {
        ConnectionId = "0HN0000000001",
        LocalIpAddress = System.Net.IPAddress.Loopback,
        LocalPort = 5000,
        RemoteIpAddress = System.Net.IPAddress.Loopback,
        RemotePort = 50000,
    };

    private WebApplication? _app;

    /// <summary>The endpoint: one that completes synchronously, and one that awaits (so every layer suspends).</summary>
    [Params("/users/42", "/users/42/async")]
    public string Path { get; set; } = "/users/42";

    /// <summary>
    /// Whether a logger is enabled (one that writes nothing), as in most deployed apps: ASP.NET Core then starts an
    /// Activity per request even with no listener, and Traceline's span adopts its ids.
    /// </summary>
    [Params(false, true)]
    public bool Logging { get; set; }
    private Func<IFeatureCollection, Task> _baseline = null!;
    private Func<IFeatureCollection, Task> _traceline = null!;
    private Func<IFeatureCollection, Task> _otel = null!;
    private Func<IFeatureCollection, Task> _tracelineInPlace = null!;

    [GlobalSetup(Target = nameof(NoTracing))]
    public async Task SetupNoTracing() => (_app, _baseline) = await StartAsync(_ => { }, _ => { });

    [GlobalSetup(Target = nameof(Traceline))]
    public async Task SetupTraceline()
    {
        (_app, _traceline) = await StartAsync(
            s => s.AddTracing(t => t.AddExporter(new EndToEnd.CountingSpanExporter()).WithPropagator(Propagation.Propagators.Default)),
            app => app.UseTracing());
        var before = EndToEnd.ExportedSpans.Count;
        await _traceline(NewRequest());
        _app!.Services.GetRequiredService<TracerProvider>().ForceFlush(TimeSpan.FromSeconds(10));
        if (EndToEnd.ExportedSpans.Count == before)
        {
            throw new InvalidOperationException("Traceline must record the request's span.");
        }
    }

    /// <summary>
    /// The A side of the startup-filter change, in the same run: the middleware where <c>UseTracing()</c> puts it (the
    /// startup filter taken out, so <c>UseTracing()</c> adds it itself, as before), against <see cref="Traceline"/>,
    /// where the filter opens the span first and <c>UseTracing()</c> leaves a pass-through marker.
    /// </summary>
    [GlobalSetup(Target = nameof(TracelineInPlace))]
    public async Task SetupTracelineInPlace() =>
        (_app, _tracelineInPlace) = await StartAsync(
            s =>
            {
                s.AddTracing(t => t.AddExporter(new EndToEnd.CountingSpanExporter()).WithPropagator(Propagation.Propagators.Default));
                s.RemoveAll<Microsoft.AspNetCore.Hosting.IStartupFilter>();
            },
            app => app.UseTracing());

    [GlobalSetup(Target = nameof(OpenTelemetrySdk))]
    public async Task SetupOpenTelemetrySdk()
    {
        (_app, _otel) = await StartAsync(
            s => s.AddOpenTelemetry().WithTracing(t => t.AddAspNetCoreInstrumentation().SetSampler(new AlwaysOnSampler())
                .AddProcessor(new BatchActivityExportProcessor(new EndToEnd.CountingActivityExporter()))),
            _ => { });
        var before = EndToEnd.ExportedSpans.Count;
        await _otel(NewRequest());
        _app!.Services.GetRequiredService<OpenTelemetry.Trace.TracerProvider>().ForceFlush(10_000);
        if (EndToEnd.ExportedSpans.Count == before)
        {
            throw new InvalidOperationException("The OpenTelemetry SDK must record the request's Activity.");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    [Benchmark(Baseline = true)]
    public Task NoTracing() => _baseline(NewRequest());

    [Benchmark]
    public Task Traceline() => _traceline(NewRequest());

    [Benchmark]
    public Task TracelineInPlace() => _tracelineInPlace(NewRequest());

    [Benchmark]
    public Task OpenTelemetrySdk() => _otel(NewRequest());

    private FeatureCollection NewRequest()
    {
        var features = new FeatureCollection();
        var request = new HttpRequestFeature { Method = "GET", Path = Path, Scheme = "http", Protocol = "HTTP/1.1" };
        request.Headers["Host"] = "localhost:5000";
        request.Headers["traceparent"] = TraceParent;
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));

        // As Kestrel has them: the connection's (one per keep-alive connection, so its address string is cached) and
        // the request's lifetime (read for RequestAborted; without it DefaultHttpContext makes one per request).
        features.Set<IHttpConnectionFeature>(Connection);
        features.Set<IHttpRequestLifetimeFeature>(new HttpRequestLifetimeFeature());
        return features;
    }

    private async Task<(WebApplication App, Func<IFeatureCollection, Task> Invoke)> StartAsync(Action<IServiceCollection> services, Action<WebApplication> pipeline)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (Logging)
        {
            builder.Logging.AddProvider(new SilentLoggerProvider());
        }
        var server = new CapturingServer();
        builder.Services.AddSingleton<IServer>(server);
        services(builder.Services);
        var app = builder.Build();
        pipeline(app);
        app.MapGet("/users/{id}", (string id) => id);
        app.MapGet("/users/{id}/async", async (string id) =>
        {
            await Task.Yield();
            return id;
        });
        await app.StartAsync();
        return (app, server.Invoke!);
    }

    /// <summary>A server without a network: it keeps the application so the benchmark can call it as Kestrel does.</summary>
    private sealed class CapturingServer : IServer
    {
        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Func<IFeatureCollection, Task>? Invoke { get; private set; }

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull
        {
            Invoke = async features =>
            {
                var context = application.CreateContext(features);
                Exception? error = null;
                try
                {
                    await application.ProcessRequestAsync(context);
                }
                catch (Exception ex)
                {
                    error = ex;
                    throw;
                }
                finally
                {
                    application.DisposeContext(context, error);
                }
            };
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
