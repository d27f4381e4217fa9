using Traceline.Export;
using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline.Http.Tests.Support;

/// <summary>A provider with an in-memory exporter, the test propagator and a capturing logger.</summary>
internal sealed class TestTracing : IDisposable
{
    public TestTracing(Sampler? sampler = null, TextMapPropagator? propagator = null, TimeProvider? time = null)
    {
        Propagator = propagator ?? new TestTraceContextPropagator();
        Provider = TracerProvider.Create(b =>
        {
            b.WithServiceName("http-tests").UseInMemoryExporter(Exporter).WithPropagator(Propagator).WithLoggerFactory(Logs).TraceAllHttpClients(false);
            if (sampler is not null)
            {
                b.WithSampler(sampler);
            }

            if (time is not null)
            {
                b.WithTimeProvider(time);
            }
        });
    }

    public InMemorySpanExporter Exporter { get; } = new();

    public CapturingLoggerFactory Logs { get; } = new();

    public TextMapPropagator Propagator { get; }

    public TracerProvider Provider { get; }

    public Tracer Tracer => Provider.GetTracer("tests");

    public IReadOnlyList<Span> ClientSpans => [.. Exporter.Spans.Where(s => s.Kind == SpanKind.Client)];

    public HttpClient CreateClient(HttpMessageHandler inner, TracingHandlerOptions? options = null) =>
        new(new TracingHandler(Provider, options) { InnerHandler = inner });

    public void Dispose() => Provider.Dispose();
}
