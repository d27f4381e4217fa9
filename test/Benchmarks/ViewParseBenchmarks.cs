using System.Text;
using BenchmarkDotNet.Attributes;
using Traceline.Cli;
using Traceline.Export;

namespace Traceline.Benchmarks;

/// <summary>
/// <c>traceline view</c> reading a log: 10,000 spans (1,250 traces of a server span and 7 children with attributes) as
/// the stdout exporter writes them, compact and pretty, split into records, parsed and merged by trace. Reported per
/// span (OperationsPerInvoke): spans per second = 1 s / Mean. No OpenTelemetry counterpart: the SDK has no log reader.
/// </summary>
[MemoryDiagnoser]
public class ViewParseBenchmarks
{
    private const int Spans = 10_000;

    private byte[] _compact = null!;
    private byte[] _pretty = null!;

    [GlobalSetup]
    public void Setup()
    {
        var memory = new InMemorySpanExporter();
        using var provider = TracerProvider.Create(b => b.WithServiceName("bench").UseInMemoryExporter(memory));
        var tracer = provider.GetTracer("bench");
        var spans = new List<Span>(Spans);
        while (spans.Count < Spans)
        {
            var root = tracer.StartRootSpan("GET /orders/{id}", SpanKind.Server);
            root.SetAttribute("http.request.method", "GET").SetAttribute("url.path", "/orders/42").SetAttribute("http.response.status_code", 200);
            for (var c = 0; c < 7; c++)
            {
                var child = tracer.StartSpan(c % 2 == 0 ? "load" : "GET", c % 2 == 0 ? SpanKind.Internal : SpanKind.Client, root.Context);
                child.SetAttribute("step", c).SetAttribute("db.system", "postgresql");
                child.End();
                spans.Add(child);
            }

            root.End();
            spans.Add(root);
        }

        Span[] batch = [.. spans];
        _compact = Encoding.UTF8.GetBytes(new StdoutSpanExporter(new StdoutExporterOptions { Format = StdoutFormat.Compact }).Render(batch));
        _pretty = Encoding.UTF8.GetBytes(new StdoutSpanExporter(new StdoutExporterOptions { Format = StdoutFormat.Pretty }).Render(batch));
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Spans, Description = "view: compact JSON, per span")]
    public long Compact() => Read(_compact);

    [Benchmark(OperationsPerInvoke = Spans, Description = "view: pretty JSON, per span")]
    public long Pretty() => Read(_pretty);

    [Benchmark(OperationsPerInvoke = Spans, Description = "stage: split compact into records, per span")]
    public long SplitCompact()
    {
        var splitter = new RecordSplitter(new MemoryStream(_compact, writable: false));
        long records = 0;
        while (splitter.TryRead(out _, out _))
        {
            records++;
        }

        return records;
    }

    [Benchmark(OperationsPerInvoke = Spans, Description = "stage: split + parse compact (spans dropped), per span")]
    public long ParseCompact()
    {
        var splitter = new RecordSplitter(new MemoryStream(_compact, writable: false));
        var parser = new SpanParser();
        long spans = 0;
        while (splitter.TryRead(out var record, out _))
        {
            spans += parser.Parse(record, static _ => { }, static _ => { });
        }

        return spans;
    }

    private static long Read(byte[] log)
    {
        var view = new ViewCommand(TextWriter.Null, TextWriter.Null);
        view.Read(new MemoryStream(log, writable: false), "bench.log");
        return view.SpanCount;
    }
}
