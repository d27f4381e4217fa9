using CsCheck;

namespace Traceline.Testing.Tests;

public sealed class TraceTreeTests
{
    [Fact]
    public void Tree_NestedSpans_ReadsRootChildrenParentAndDepth()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        var tracer = provider.GetTracer("t");
        using (tracer.StartSpan("root"))
        {
            using (tracer.StartSpan("a"))
            {
                tracer.StartSpan("a1").End();
            }

            tracer.StartSpan("b").End();
        }

        var trace = Assert.Single(collector.Traces);

        Assert.True(trace.IsWhole);
        Assert.False(trace.HasExternalParent);
        Assert.Equal("root", trace.Root.Name);
        Assert.Equal(["a", "b"], trace.GetChildren(trace.Root).Select(s => s.Name));
        var a1 = trace.GetSpan("a1");
        Assert.Same(trace.GetSpan("a"), trace.GetParent(a1));
        Assert.Null(trace.GetParent(trace.Root));
        Assert.Equal(2, trace.GetDepth(a1));
        Assert.Empty(trace.GetChildren(a1));
    }

    [Fact]
    public void Tree_RootParentFromAnotherProcess_IsWholeWithExternalParent()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        var remote = TestTracing.Remote();

        using (provider.GetTracer("t").StartSpan("server", SpanKind.Server, remote))
        {
            provider.GetTracer("t").StartSpan("inner").End();
        }

        var trace = collector.GetTrace(remote.TraceId);

        Assert.True(trace.IsWhole);
        Assert.True(trace.HasExternalParent);
        Assert.Equal(remote.SpanId, trace.Root.ParentSpanId);
        Assert.Contains($"root's parent {remote.SpanId} is external", trace.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Tree_SpanWhoseParentWasNotRecorded_IsSplitAndRootThrowsWithTheTree()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        var tracer = provider.GetTracer("t");
        TraceId traceId;
        using (var root = tracer.StartSpan("front"))
        {
            traceId = root.Context.TraceId;
        }

        // A hop whose caller's span never reached the collector: same trace id, unknown parent.
        tracer.StartSpan("orphan", SpanKind.Server, TestTracing.Remote(traceId)).End();
        var trace = collector.GetTrace(traceId);

        Assert.False(trace.IsWhole);
        Assert.False(trace.HasExternalParent);
        Assert.Equal(["front", "orphan"], trace.Roots.Select(s => s.Name));
        var error = Assert.Throws<InvalidOperationException>(() => trace.Root);
        Assert.Contains("has 2 roots", error.Message, StringComparison.Ordinal);
        Assert.Contains("orphan", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetSpan_NameMissingOrRepeated_ThrowsNamingIt()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        var tracer = provider.GetTracer("t");
        using (tracer.StartSpan("root"))
        {
            tracer.StartSpan("twice").End();
            tracer.StartSpan("twice").End();
        }

        var trace = Assert.Single(collector.Traces);

        Assert.Contains("no span named 'nope'", Assert.Throws<InvalidOperationException>(() => trace.GetSpan("nope")).Message, StringComparison.Ordinal);
        Assert.Contains("more than one span named 'twice'", Assert.Throws<InvalidOperationException>(() => trace.GetSpan("twice")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_NestedSpans_IndentsEachUnderItsParentWithServiceAndKind()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector, "shop");
        var tracer = provider.GetTracer("t");
        using (tracer.StartSpan("GET /", SpanKind.Server))
        {
            tracer.StartSpan("load").End();
        }

        var lines = Assert.Single(collector.Traces).ToString().Split(Environment.NewLine);

        Assert.EndsWith(": 2 span(s), whole", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("  GET /  [shop, Server, ", lines[1], StringComparison.Ordinal);
        Assert.StartsWith("    load  [shop, Internal, ", lines[2], StringComparison.Ordinal);
        Assert.EndsWith(" ms]", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Tree_AnyShape_GivesBackEachSpansParentAndDepth()
    {
        // parents[i] is the index of node i's parent, always an earlier node; node 0 is the root.
        Gen.Int[1, 30].SelectMany(n => Gen.Int[0, 1000].Array[n]).Sample(seeds =>
        {
            var parents = seeds.Select((seed, i) => i == 0 ? -1 : seed % i).ToArray();
            var collector = new SpanCollector();
            using var provider = TestTracing.Create(collector);
            var tracer = provider.GetTracer("t");
            var spans = new Span[parents.Length];
            for (var i = 0; i < parents.Length; i++)
            {
                spans[i] = i == 0
                    ? tracer.StartRootSpan("n0")
                    : tracer.StartSpan("n" + i, SpanKind.Internal, spans[parents[i]].Context);
            }

            for (var i = spans.Length - 1; i >= 0; i--)
            {
                spans[i].End();
            }

            var trace = Assert.Single(collector.Traces);
            var expectedDepth = new int[parents.Length];
            for (var i = 1; i < parents.Length; i++)
            {
                expectedDepth[i] = expectedDepth[parents[i]] + 1;
            }

            return trace.IsWhole
                && trace.Root == spans[0]
                && spans.Select((s, i) => i == 0 ? trace.GetParent(s) is null : trace.GetParent(s) == spans[parents[i]]).All(ok => ok)
                && spans.Select((s, i) => trace.GetDepth(s) == expectedDepth[i]).All(ok => ok)
                && spans.Sum(s => trace.GetChildren(s).Count) == spans.Length - 1;
        }, iter: 100);
    }
}
