using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Traceline.Export;

namespace Traceline.Benchmarks;

/// <summary>
/// Start + end of a sampled span, through a batch processor into an exporter that discards, side by side with the
/// OpenTelemetry .NET SDK (ActivitySource.StartActivity + Stop, always-on sampler, batch processor).
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class SpanBenchmarks
{
    private TracerProvider _traceline = null!;
    private Tracer _tracer = null!;
    private OpenTelemetry.Trace.TracerProvider _otel = null!;
    private ActivitySource _source = null!;

    [GlobalSetup]
    public void Setup()
    {
        _traceline = TracerProvider.Create(b => b
            .WithServiceName("bench")
            .WithSampler(Sampling.Sampler.AlwaysOn)
            .AddExporter(new DiscardingSpanExporter()));
        _tracer = _traceline.GetTracer("bench");

        _source = new ActivitySource("bench");
        _otel = Sdk.CreateTracerProviderBuilder()
            .AddSource("bench")
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new DiscardingActivityExporter()))
            .Build()!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _traceline.Dispose();
        _otel.Dispose();
        _source.Dispose();
    }

    [Benchmark(Baseline = true, Description = "OTel SDK: start+stop")]
    public void OtelBare()
    {
        using var activity = _source.StartActivity("operation");
    }

    [Benchmark(Description = "Traceline: start+end")]
    public void TracelineBare()
    {
        using var span = _tracer.StartSpan("operation");
    }

    [Benchmark(Description = "OTel SDK: start+stop, 4 attributes")]
    public void OtelFourAttributes()
    {
        using var activity = _source.StartActivity("operation");
        activity?.SetTag("http.request.method", "GET");
        activity?.SetTag("url.path", "/users/42");
        activity?.SetTag("http.response.status_code", 200);
        activity?.SetTag("cache.hit", true);
    }

    [Benchmark(Description = "Traceline: start+end, 4 attributes")]
    public void TracelineFourAttributes()
    {
        using var span = _tracer.StartSpan("operation");
        span.SetAttribute("http.request.method", "GET");
        span.SetAttribute("url.path", "/users/42");
        span.SetAttribute("http.response.status_code", 200);
        span.SetAttribute("cache.hit", true);
    }
}
