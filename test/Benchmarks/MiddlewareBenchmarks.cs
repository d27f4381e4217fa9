using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Traceline.Export;

namespace Traceline.Benchmarks;

/// <summary>
/// What tracing adds to one request, measured through the real hosting layer (the IHttpApplication a server calls,
/// with its diagnostics) without a network: no tracing, Traceline's UseTracing, and the OpenTelemetry SDK's ASP.NET
/// Core instrumentation. Every request carries a sampled traceparent, every span is recorded and handed to a
/// processor that drops it, so both sides do the full start/end work and neither pays for an exporter.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private WebApplication? _baselineApp;
    private WebApplication? _tracelineApp;
    private WebApplication? _otelApp;
    private Func<IFeatureCollection, Task> _baseline = null!;
    private Func<IFeatureCollection, Task> _traceline = null!;
    private Func<IFeatureCollection, Task> _otel = null!;
    private readonly DroppingProcessor _tracelineProcessor = new();
    private readonly DroppingActivityProcessor _otelProcessor = new();

    [GlobalSetup]
    public async Task Setup()
    {
        (_baselineApp, _baseline) = await StartAsync(_ => { }, _ => { });
        (_tracelineApp, _traceline) = await StartAsync(
            s => s.AddTracing(t => t.AddProcessor(_tracelineProcessor).WithPropagator(Propagation.Propagators.Default)),
            app => app.UseTracing());
        (_otelApp, _otel) = await StartAsync(
            s => s.AddOpenTelemetry().WithTracing(t => t.AddAspNetCoreInstrumentation().SetSampler(new AlwaysOnSampler()).AddProcessor(_otelProcessor)),
            _ => { });

        await _traceline(NewRequest());
        await _otel(NewRequest());
        if (_tracelineProcessor.Ended == 0 || _otelProcessor.Ended == 0)
        {
            throw new InvalidOperationException($"Both must record the request's span (Traceline {_tracelineProcessor.Ended}, OpenTelemetry {_otelProcessor.Ended}).");
        }
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        foreach (var app in new[] { _baselineApp, _tracelineApp, _otelApp })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }
    }

    [Benchmark(Baseline = true)]
    public Task NoTracing() => _baseline(NewRequest());

    [Benchmark]
    public Task Traceline() => _traceline(NewRequest());

    [Benchmark]
    public Task OpenTelemetrySdk() => _otel(NewRequest());

    private static FeatureCollection NewRequest()
    {
        var features = new FeatureCollection();
        var request = new HttpRequestFeature { Method = "GET", Path = "/users/42", Scheme = "http", Protocol = "HTTP/1.1" };
        request.Headers["Host"] = "localhost:5000";
        request.Headers["traceparent"] = TraceParent;
        features.Set<IHttpRequestFeature>(request);
        features.Set<IHttpResponseFeature>(new HttpResponseFeature());
        features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        return features;
    }

    private static async Task<(WebApplication App, Func<IFeatureCollection, Task> Invoke)> StartAsync(Action<IServiceCollection> services, Action<WebApplication> pipeline)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var server = new CapturingServer();
        builder.Services.AddSingleton<IServer>(server);
        services(builder.Services);
        var app = builder.Build();
        pipeline(app);
        app.MapGet("/users/{id}", (string id) => id);
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

    private sealed class DroppingProcessor : SpanProcessor
    {
        public int Ended { get; private set; }

        public override void OnEnd(Span span) => Ended++;
    }

    private sealed class DroppingActivityProcessor : BaseProcessor<Activity>
    {
        public int Ended { get; private set; }

        public override void OnEnd(Activity data) => Ended++;
    }
}
