using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Traceline.Export;

namespace Traceline.Benchmarks;

/// <summary>
/// What the stdout layout costs the request thread: start, four attributes, end (the span's end enqueues it for the
/// export worker), with the stdout exporter in the tree, compact and pretty layouts writing to a null writer; beside
/// the OpenTelemetry .NET SDK's console exporter as AddConsoleExporter() sets it up (a simple processor: it formats on
/// the thread that stops the Activity). A second group measures the export worker: one batch of 512 ended spans.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class StdoutLayoutBenchmarks
{
    private const string RequestThread = "request thread: start + 4 attributes + end";
    private const string ExportWorker = "export worker: a batch of 512 spans";

    private readonly Dictionary<StdoutFormat, (TracerProvider Provider, Tracer Tracer)> _providers = [];
    private readonly Dictionary<StdoutFormat, StdoutSpanExporter> _exporters = [];
    private OpenTelemetry.Trace.TracerProvider _otel = null!;
    private ActivitySource _source = null!;
    private TextWriter _console = null!;
    private Span[] _batch = null!;
    private TracerProvider _batchProvider = null!;

    [GlobalSetup]
    public void Setup()
    {
        foreach (var format in new[] { StdoutFormat.Tree, StdoutFormat.Compact, StdoutFormat.Pretty })
        {
            var provider = TracerProvider.Create(b => b.WithServiceName("bench").WithSampler(Sampling.Sampler.AlwaysOn)
                .UseStdoutExporter(o => (o.Format, o.Writer) = (format, TextWriter.Null)));
            _providers[format] = (provider, provider.GetTracer("bench"));
            _exporters[format] = new StdoutSpanExporter(new StdoutExporterOptions { Format = format, Writer = TextWriter.Null });
        }

        _console = Console.Out;
        Console.SetOut(TextWriter.Null);
        _source = new ActivitySource("bench");
        _otel = Sdk.CreateTracerProviderBuilder().AddSource("bench").SetSampler(new AlwaysOnSampler()).AddConsoleExporter().Build()!;

        // Ended spans kept by an in-memory exporter: 64 traces of a root and 7 children.
        var memory = new InMemorySpanExporter();
        _batchProvider = TracerProvider.Create(b => b.WithServiceName("bench").UseInMemoryExporter(memory));
        var tracer = _batchProvider.GetTracer("bench");
        var spans = new List<Span>();
        for (var t = 0; t < 64; t++)
        {
            var root = tracer.StartRootSpan("GET /orders/{id}", SpanKind.Server);
            for (var c = 0; c < 7; c++)
            {
                var child = tracer.StartSpan("step", SpanKind.Internal, root.Context);
                child.SetAttribute("step", c);
                child.End();
                spans.Add(child);
            }

            root.End();
            spans.Add(root);
        }

        _batch = [.. spans];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (provider, _) in _providers.Values)
        {
            provider.Dispose();
        }

        foreach (var exporter in _exporters.Values)
        {
            exporter.Dispose();
        }

        _batchProvider.Dispose();
        _otel.Dispose();
        _source.Dispose();
        Console.SetOut(_console);
    }

    [Benchmark(Baseline = true, Description = "OTel SDK: console exporter"), BenchmarkCategory(RequestThread)]
    public void OtelConsole()
    {
        using var activity = _source.StartActivity("operation");
        activity?.SetTag("http.request.method", "GET");
        activity?.SetTag("url.path", "/users/42");
        activity?.SetTag("http.response.status_code", 200);
        activity?.SetTag("cache.hit", true);
    }

    [Benchmark(Description = "Traceline: tree layout"), BenchmarkCategory(RequestThread)]
    public void TracelineTree() => StartAndEnd(StdoutFormat.Tree);

    [Benchmark(Description = "Traceline: compact JSON"), BenchmarkCategory(RequestThread)]
    public void TracelineCompact() => StartAndEnd(StdoutFormat.Compact);

    [Benchmark(Description = "Traceline: pretty JSON"), BenchmarkCategory(RequestThread)]
    public void TracelinePretty() => StartAndEnd(StdoutFormat.Pretty);

    [Benchmark(Baseline = true, Description = "Traceline: export compact JSON"), BenchmarkCategory(ExportWorker)]
    public ValueTask<Traceline.Export.ExportResult> ExportCompact() => _exporters[StdoutFormat.Compact].ExportAsync(_batch, CancellationToken.None);

    [Benchmark(Description = "Traceline: export tree"), BenchmarkCategory(ExportWorker)]
    public ValueTask<Traceline.Export.ExportResult> ExportTree() => _exporters[StdoutFormat.Tree].ExportAsync(_batch, CancellationToken.None);

    [Benchmark(Description = "Traceline: export pretty JSON"), BenchmarkCategory(ExportWorker)]
    public ValueTask<Traceline.Export.ExportResult> ExportPretty() => _exporters[StdoutFormat.Pretty].ExportAsync(_batch, CancellationToken.None);

    private void StartAndEnd(StdoutFormat format)
    {
        using var span = _providers[format].Tracer.StartSpan("operation");
        span.SetAttribute("http.request.method", "GET");
        span.SetAttribute("url.path", "/users/42");
        span.SetAttribute("http.response.status_code", 200);
        span.SetAttribute("cache.hit", true);
    }
}
