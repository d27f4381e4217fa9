using Traceline.Sampling;

namespace Traceline.Tests;

public sealed class TracerTests : IDisposable
{
    private readonly TracerProvider _provider;
    private readonly Traceline.Export.InMemorySpanExporter _exporter;
    private readonly Tracer _tracer;

    public TracerTests()
    {
        (_provider, _exporter) = TestProviders.CreateInMemory();
        _tracer = _provider.GetTracer("tests", "1.0");
    }

    public void Dispose() => _provider.Dispose();

    [Fact]
    public void StartSpan_WithoutCurrent_StartsRootWithRandomFlag()
    {
        using var span = _tracer.StartSpan("root");
        Assert.False(span.ParentSpanId.IsValid);
        Assert.Equal(default, span.Parent);
        Assert.Equal(TraceFlags.Sampled | TraceFlags.Random, span.Context.TraceFlags);
        Assert.False(span.Context.IsRemote);
        Assert.Equal("tests", span.Scope!.Name);
        Assert.Equal("1.0", span.Scope.Version);
    }

    [Fact]
    public void StartSpan_UnderCurrent_IsChildAndBecomesCurrent_EndRestoresParent()
    {
        using var parent = _tracer.StartSpan("parent");
        Assert.Same(parent, Span.Current);
        var child = _tracer.StartSpan("child", SpanKind.Client);
        Assert.Same(child, Span.Current);
        Assert.Equal(parent.Context.TraceId, child.Context.TraceId);
        Assert.Equal(parent.Context.SpanId, child.ParentSpanId);
        Assert.Equal(SpanKind.Client, child.Kind);
        child.End();
        Assert.Same(parent, Span.Current);
        parent.End();
        Assert.Null(Span.Current);
    }

    [Fact]
    public void End_OutOfOrder_CurrentSkipsEndedAncestors()
    {
        var a = _tracer.StartSpan("a");
        var b = _tracer.StartSpan("b");
        var c = _tracer.StartSpan("c");
        b.End();
        c.End();
        Assert.Same(a, Span.Current);
        a.End();
        Assert.Null(Span.Current);
    }

    [Fact]
    public void StartSpan_WithExplicitRemoteParent_ContinuesTraceKeepingFlagsAndState()
    {
        var remote = new SpanContext(TraceId.Parse("4bf92f3577b34da6a3ce929d0e0e4736"), SpanId.Parse("00f067aa0ba902b7"), TraceFlags.Sampled | (TraceFlags)0x80, "congo=t61rcWkgMzE", isRemote: true);
        using var span = _tracer.StartSpan("server", SpanKind.Server, remote);
        Assert.Equal(remote.TraceId, span.Context.TraceId);
        Assert.Equal(remote.SpanId, span.ParentSpanId);
        Assert.Equal("congo=t61rcWkgMzE", span.Context.TraceState);
        Assert.Equal(TraceFlags.Sampled | (TraceFlags)0x80, span.Context.TraceFlags);
        Assert.True(span.Parent.IsRemote);
    }

    [Fact]
    public void StartRootSpan_UnderCurrent_StartsNewTraceWithLink()
    {
        using var outer = _tracer.StartSpan("outer");
        using var root = _tracer.StartRootSpan("batch", SpanKind.Consumer, [new SpanLink(outer.Context, new SpanAttribute("reason", "fan-out"))]);
        Assert.NotEqual(outer.Context.TraceId, root.Context.TraceId);
        Assert.False(root.ParentSpanId.IsValid);
        Assert.Equal(outer.Context, root.Links[0].Context);
    }

    [Fact]
    public async Task Current_FlowsAcrossAwait_WithAndWithoutConfigureAwait()
    {
        using var span = _tracer.StartSpan("outer");
        await Task.Yield();
        Assert.Same(span, Span.Current);
        await Task.Delay(1).ConfigureAwait(false);
        Assert.Same(span, Span.Current);
        var child = await ChildAsync();
        Assert.Equal(span.Context.SpanId, child.ParentSpanId);
        Assert.Same(span, Span.Current); // the async method's own span never leaks to its caller
    }

    private async Task<Span> ChildAsync()
    {
        var child = _tracer.StartSpan("child");
        await Task.Yield();
        return child; // not ended: still the caller must not see it as current
    }

    [Fact]
    public async Task Current_FlowsIntoTaskRun()
    {
        using var span = _tracer.StartSpan("outer");
        var seen = await Task.Run(() => Span.Current);
        Assert.Same(span, seen);
    }

    [Fact]
    public async Task ParallelBranches_NeverSeeEachOthersSpans()
    {
        using var root = _tracer.StartSpan("root");
        var results = new System.Collections.Concurrent.ConcurrentBag<(int Branch, bool Ok)>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 32), async (branch, _) =>
        {
            Assert.Same(root, Span.Current);
            using var mine = _tracer.StartSpan("branch-" + branch);
            for (var i = 0; i < 5; i++)
            {
                await Task.Yield();
                results.Add((branch, ReferenceEquals(Span.Current, mine) && mine.ParentSpanId == root.Context.SpanId));
            }
        });
        Assert.All(results, r => Assert.True(r.Ok));
        Assert.Same(root, Span.Current);
    }

    [Fact]
    public async Task SuppressFlow_NoParentFlows()
    {
        using var span = _tracer.StartSpan("outer");
        Task<Span?> task;
        using (ExecutionContext.SuppressFlow())
        {
            task = Task.Run(() => Span.Current);
        }

        Assert.Null(await task);
    }

    [Fact]
    public void Suppress_SpansInsideAreNonRecording()
    {
        using (Tracing.Suppress())
        {
            Assert.True(Tracing.IsSuppressed);
            using var span = _tracer.StartSpan("hidden");
            Assert.False(span.IsRecording);
        }

        Assert.False(Tracing.IsSuppressed);
        _tracer.StartSpan("visible").End();
        Assert.Equal(["visible"], _exporter.Spans.Select(s => s.Name));
    }

    [Fact]
    public void Sampler_ThatThrows_DropsSpanAndNeverReachesApp()
    {
        using var provider = TestProviders.Create(b => b.WithSampler(new ThrowingSampler()));
        using var span = provider.GetTracer("t").StartSpan("x");
        Assert.False(span.IsRecording);
        Assert.True(span.Context.IsValid);
    }

    [Fact]
    public void Sampler_SeesStartAttributesAndItsAttributesAreAdded()
    {
        var sampler = new RecordingSampler();
        using var provider = TestProviders.Create(b => b.WithSampler(sampler));
        using var span = provider.GetTracer("t").StartSpan("x", SpanKind.Server, default, [new SpanAttribute("http.request.method", "GET")]);
        Assert.Equal("GET", sampler.SeenMethod);
        Assert.Equal(["http.request.method", "sampler.note"], span.Attributes.ToArray().Select(a => a.Key));
    }

    [Fact]
    public void RecordOnly_RecordsButIsNotSampledNorExported()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.WithSampler(new FixedSampler(SamplingDecision.RecordOnly)));
        using var _p = provider;
        var span = provider.GetTracer("t").StartSpan("x").SetAttribute("a", 1);
        Assert.True(span.IsRecording);
        Assert.False(span.Context.IsSampled);
        Assert.Equal(1, span.Attributes.Length);
        span.End();
        Assert.Empty(exporter.Spans);
    }

    private sealed class ThrowingSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters parameters) => throw new InvalidOperationException("bad sampler");
    }

    private sealed class FixedSampler(SamplingDecision decision) : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters parameters) => new(decision);
    }

    private sealed class RecordingSampler : Sampler
    {
        public string? SeenMethod { get; private set; }

        public override SamplingResult ShouldSample(in SamplingParameters parameters)
        {
            foreach (var attribute in parameters.Attributes)
            {
                if (attribute.Key == "http.request.method")
                {
                    SeenMethod = attribute.Value.StringValue;
                }
            }

            return new SamplingResult(SamplingDecision.RecordAndSample, [new SpanAttribute("sampler.note", "seen")]);
        }
    }
}
