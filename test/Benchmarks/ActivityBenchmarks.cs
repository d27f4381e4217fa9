using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Traceline.Export;

namespace Traceline.Benchmarks;

/// <summary>
/// Capturing an Activity of a listed ActivitySource (start, four tags, stop, into a batch processor whose exporter
/// discards), Traceline beside the OpenTelemetry .NET SDK; and what making a span <see cref="Activity.Current"/> costs:
/// a span with no Activity in its flow (nothing to mirror), and one under an ambient Activity (ASP.NET Core starts one
/// per request when logging is on), which is what log correlation costs.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class ActivityBenchmarks
{
    private TracerProvider _traceline = null!;
    private TracerProvider _plain = null!;
    private Tracer _tracer = null!;
    private OpenTelemetry.Trace.TracerProvider _otel = null!;
    private ActivitySource _otelSource = null!;
    private ActivitySource _tracelineSource = null!;
    private Activity _ambient = null!;
    private Activity _stopped = null!;
    private SpanData _storage = null!;

    [GlobalSetup]
    public void Setup()
    {
        // Two sources, one per SDK, so that each Activity is seen by one listener only.
        _tracelineSource = new ActivitySource("bench.capture.traceline");
        _traceline = TracerProvider.Create(b => b
            .WithServiceName("bench")
            .WithSampler(Sampling.Sampler.AlwaysOn)
            .AddSource("bench.capture.traceline")
            .AddExporter(new DiscardingSpanExporter()));

        // The span rows: no source listed, as in an app that captures nothing.
        _plain = TracerProvider.Create(b => b
            .WithServiceName("bench")
            .WithSampler(Sampling.Sampler.AlwaysOn)
            .AddExporter(new DiscardingSpanExporter()));
        _tracer = _plain.GetTracer("bench");

        _otelSource = new ActivitySource("bench.capture.otel");
        _otel = Sdk.CreateTracerProviderBuilder()
            .AddSource("bench.capture.otel")
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(new BatchActivityExportProcessor(new DiscardingActivityExporter()))
            .Build()!;
        _ambient = new Activity("ambient").SetIdFormat(ActivityIdFormat.W3C);

        // The copy row: a stopped Activity as the capture rows make it, and storage of a span of the plain provider.
        _stopped = new Activity("operation").SetIdFormat(ActivityIdFormat.W3C).Start();
        _stopped.SetTag("db.system.name", "postgresql").SetTag("db.namespace", "orders").SetTag("db.response.returned_rows", 3).SetTag("db.cached", true);
        _stopped.Stop();
        _storage = new SpanData { Tracer = _tracer };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _traceline.Dispose();
        _plain.Dispose();
        _otel.Dispose();
        _otelSource.Dispose();
        _tracelineSource.Dispose();
    }

    [Benchmark(Baseline = true, Description = "OTel SDK: capture an Activity, 4 tags")]
    public void OtelCapture() => StartAndStop(_otelSource);

    [Benchmark(Description = "Traceline: capture an Activity, 4 tags")]
    public void TracelineCapture() => StartAndStop(_tracelineSource);

    /// <summary>
    /// What the capture row leaves to the export worker: a captured span's data is copied from its Activity on first
    /// read (normally by the exporter, on the worker), then reset when the span is released. Not paid when nothing reads.
    /// </summary>
    [Benchmark(Description = "Traceline: copy a stopped Activity, 4 tags, into span storage (export worker, on first read)")]
    public void TracelineCopyOnRead()
    {
        ActivityCapture.Fill(_storage, _stopped);
        _storage.Reset();
        _storage.Tracer = _tracer;
    }

    [Benchmark(Description = "Traceline: span start+end, no Activity in flow")]
    public void TracelineSpanNoActivity()
    {
        using var span = _tracer.StartSpan("operation");
    }

    /// <summary>
    /// A/B for the row above, in the same run: the same span with the mirror check skipped (what the HttpClient handler
    /// asks for with HidesActivity), i.e. a span as it was before spans could be Activity.Current.
    /// </summary>
    [Benchmark(Description = "Traceline: span start+end, mirror check skipped (A/B: before the mirror)")]
    public void TracelineSpanNoMirrorCheck()
    {
        var current = Span.Current;
        using var span = _tracer.StartSpanCore(new SpanStartArguments("operation", SpanKind.Internal, current is null ? default : current.Context, current) { HidesActivity = true });
    }

    [Benchmark(Description = "Traceline: span start+end under an ambient Activity (log correlation)")]
    public void TracelineSpanUnderActivity()
    {
        var previous = Activity.Current;
        Activity.Current = _ambient.IsStopped || _ambient.Id is null ? _ambient.Start() : _ambient;
        using (_tracer.StartSpan("operation"))
        {
        }

        Activity.Current = previous;
    }

    private static void StartAndStop(ActivitySource source)
    {
        using var activity = source.StartActivity("operation", ActivityKind.Client);
        activity?.SetTag("db.system.name", "postgresql");
        activity?.SetTag("db.namespace", "orders");
        activity?.SetTag("db.response.returned_rows", 3);
        activity?.SetTag("db.cached", true);
    }
}
