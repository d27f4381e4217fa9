using Traceline.Export;

namespace Traceline.Testing.Tests;

public sealed class SpanCollectorTracingBuilderExtensionsTests
{
    [Fact]
    public void UseSpanCollector_BesideAnotherExporter_BothGetEverySpan()
    {
        var collector = new SpanCollector();
        var memory = new InMemorySpanExporter();
        using var provider = TracerProvider.Create(t => t.UseInMemoryExporter(memory).UseSpanCollector(collector));

        provider.GetTracer("t").StartSpan("both").End();

        Assert.Equal("both", Assert.Single(collector.Spans).Name);
        Assert.Equal("both", Assert.Single(memory.Spans).Name);
    }

    [Fact]
    public void UseSpanCollector_OneCollectorTwoProviders_SurvivesTheFirstProvidersDisposal()
    {
        var collector = new SpanCollector();
        var first = TracerProvider.Create(t => t.UseSpanCollector(collector));
        using var second = TracerProvider.Create(t => t.UseSpanCollector(collector));

        first.GetTracer("t").StartSpan("one").End();
        first.Dispose();
        second.GetTracer("t").StartSpan("two").End();

        Assert.Equal(["one", "two"], collector.Spans.Select(s => s.Name));
    }
}
