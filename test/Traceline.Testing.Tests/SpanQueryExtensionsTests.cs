namespace Traceline.Testing.Tests;

public sealed class SpanQueryExtensionsTests
{
    [Fact]
    public void Filters_Composed_KeepOnlyMatchingSpans()
    {
        var collector = new SpanCollector();
        using var front = TestTracing.Create(collector, "front");
        using var back = TestTracing.Create(collector, "back");
        front.GetTracer("t").StartSpan("GET /a", SpanKind.Server).SetAttribute("http.route", "/a").End();
        front.GetTracer("t").StartSpan("GET", SpanKind.Client).End();
        back.GetTracer("t").StartSpan("GET /a", SpanKind.Server).SetAttribute("http.route", "/a").End();

        var spans = collector.Spans;

        Assert.Equal(2, spans.Named("GET /a").Count());
        Assert.Single(spans.OfKind(SpanKind.Client));
        Assert.Single(spans.FromService("back"));
        Assert.Equal(2, spans.WithAttribute("http.route").Count());
        Assert.Same(spans[2], Assert.Single(spans.FromService("back").OfKind(SpanKind.Server).WithAttribute("http.route", "/a")));
        Assert.Empty(spans.Named("get /a"));
    }

    [Theory]
    [InlineData("long attribute matches a long", 42L, true)]
    [InlineData("long attribute does not match the same digits as a string", "42", false)]
    [InlineData("long attribute does not match another long", 43L, false)]
    public void WithAttribute_ValueOfAType_MatchesSameTypeAndValueOnly(string rule, object value, bool matches)
    {
        _ = rule;
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        provider.GetTracer("t").StartSpan("s").SetAttribute("order.id", 42L).End();

        AttributeValue expected = value is long l ? l : (string)value;

        Assert.Equal(matches, collector.Spans.WithAttribute("order.id", expected).Any());
    }

    [Fact]
    public void GetAttribute_PresentOrAbsent_ReturnsValueOrEmpty()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        provider.GetTracer("t").StartSpan("s").SetAttribute("user", "ada").End();
        var span = Assert.Single(collector.Spans);

        Assert.Equal("ada", span.GetAttribute("user").StringValue);
        Assert.True(span.GetAttribute("missing").IsEmpty);
    }

    [Fact]
    public void ToTraces_SpansOfSeveralTraces_GroupsThemInOrderOfFirstAppearance()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        var tracer = provider.GetTracer("t");
        var first = TestTracing.Remote();
        var second = TestTracing.Remote();
        tracer.StartSpan("1a", SpanKind.Server, first).End();
        tracer.StartSpan("2a", SpanKind.Server, second).End();
        tracer.StartSpan("1b", SpanKind.Server, first).End();

        var traces = collector.Spans.ToTraces();

        Assert.Equal([first.TraceId, second.TraceId], traces.Select(t => t.TraceId));
        Assert.Equal(2, traces[0].Spans.Count);
        Assert.Single(traces[1].Spans);
    }
}
