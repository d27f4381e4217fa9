using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using Batch = OpenTelemetry.Batch<System.Diagnostics.Activity>;
using ExportResult = Traceline.Export.ExportResult;
using Traceline.Export;
using OtelExporterOptions = OpenTelemetry.Exporter.OtlpExporterOptions;
using OtelProtocol = OpenTelemetry.Exporter.OtlpExportProtocol;
using OtelTraceExporter = OpenTelemetry.Exporter.OtlpTraceExporter;

namespace Traceline.Benchmarks;

/// <summary>
/// A 512-span batch, 10 attributes a span, to OTLP/HTTP protobuf: Traceline's encoder alone, Traceline's exporter
/// through an in-memory handler, and the OpenTelemetry .NET SDK's OTLP exporter through the same kind of handler.
/// Results are per span (OperationsPerInvoke = 512). Compare the two export rows: both encode and send. The encode
/// rows locate the cost: the whole span, and the same spans without attributes (so the difference is 10 attributes).
/// </summary>
[MemoryDiagnoser]
public class OtlpBenchmarks
{
    private const int BatchSize = 512;

    private TracerProvider _provider = null!;
    private Span[] _spans = null!;
    private Span[] _bareSpans = null!;
    private OtlpProtobufEncoder _encoder = null!;
    private PooledByteBuffer _buffer = null!;
    private OtlpSpanExporter _exporter = null!;

    private ActivitySource _source = null!;
    private ActivityListener _listener = null!;
    private Activity[] _activities = null!;
    private OtelTraceExporter _sdkExporter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _provider = TracerProvider.Create(b => b.WithServiceName("bench").UseInMemoryExporter(new InMemorySpanExporter()));
        var tracer = _provider.GetTracer("bench.scope", "1.0.0");
        _spans = new Span[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            var span = tracer.StartRootSpan("GET /api/orders/{id}", SpanKind.Server);
            for (var a = 0; a < 10; a++)
            {
                if (a % 2 == 0)
                {
                    span.SetAttribute(AttributeNames[a], "value-" + a);
                }
                else
                {
                    span.SetAttribute(AttributeNames[a], (long)(a * 1000 + i));
                }
            }

            span.End();
            _spans[i] = span;
        }

        // The same spans without attributes: what a span costs before its attributes (a diagnostic row).
        _bareSpans = new Span[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            var span = tracer.StartRootSpan("GET /api/orders/{id}", SpanKind.Server);
            span.End();
            _bareSpans[i] = span;
        }

        _encoder = new OtlpProtobufEncoder();
        _buffer = new PooledByteBuffer();
        _exporter = new OtlpSpanExporter(new OtlpExporterOptions { Endpoint = new Uri("http://localhost:4318") }, handler: new InMemoryHandler());

        _source = new ActivitySource("bench.scope", "1.0.0");
        _listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "bench.scope",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(_listener);
        _activities = new Activity[BatchSize];
        for (var i = 0; i < BatchSize; i++)
        {
            var activity = _source.StartActivity("GET /api/orders/{id}", ActivityKind.Server)!;
            for (var a = 0; a < 10; a++)
            {
                if (a % 2 == 0)
                {
                    activity.SetTag(AttributeNames[a], "value-" + a);
                }
                else
                {
                    activity.SetTag(AttributeNames[a], (long)(a * 1000 + i));
                }
            }

            activity.Stop();
            _activities[i] = activity;
        }

        var handler = new InMemoryHandler();
        _sdkExporter = new OtelTraceExporter(new OtelExporterOptions
        {
            Endpoint = new Uri("http://localhost:4318/v1/traces"),
            Protocol = OtelProtocol.HttpProtobuf,
            HttpClientFactory = () => new HttpClient(handler),
        });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _exporter.Dispose();
        _buffer.Dispose();
        _sdkExporter.Dispose();
        _listener.Dispose();
        _source.Dispose();
        _provider.Dispose();
    }

    [Benchmark(Description = "Traceline: encode protobuf", OperationsPerInvoke = BatchSize)]
    public int Traceline_Encode()
    {
        _buffer.Reset();
        return _encoder.Encode(_spans, _buffer);
    }

    [Benchmark(Description = "Traceline: encode protobuf, spans without attributes", OperationsPerInvoke = BatchSize)]
    public int Traceline_EncodeWithoutAttributes()
    {
        _buffer.Reset();
        return _encoder.Encode(_bareSpans, _buffer);
    }

    [Benchmark(Description = "Traceline: export HTTP/protobuf (in-memory handler)", OperationsPerInvoke = BatchSize)]
    public ExportResult Traceline_Export() => _exporter.ExportAsync(_spans, CancellationToken.None).AsTask().GetAwaiter().GetResult();

    [Benchmark(Baseline = true, Description = "OpenTelemetry SDK: export HTTP/protobuf (in-memory handler)", OperationsPerInvoke = BatchSize)]
    public ExportResult OpenTelemetry_Export() => _sdkExporter.Export(new Batch(_activities, _activities.Length)) == OpenTelemetry.ExportResult.Success
        ? ExportResult.Success
        : ExportResult.Failure;

    private static readonly string[] AttributeNames =
    [
        "http.request.method", "http.response.status_code", "url.path", "server.port", "url.scheme",
        "network.protocol.version", "http.route", "client.port", "user_agent.original", "server.address.port",
    ];

    /// <summary>Reads the whole request body (so both exporters really serialize) and answers 200.</summary>
    private sealed class InMemoryHandler : HttpMessageHandler
    {
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Content?.CopyTo(Stream.Null, null, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                await request.Content.CopyToAsync(Stream.Null, cancellationToken);
            }

            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent([]) };
        }
    }
}
