using System.Diagnostics;
using Traceline.Export;
using Traceline.Sampling;

namespace Traceline.Tests.Activities;

[Collection(ActivityCollection.Name)]
public sealed class ActivityCaptureTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void AddSource_NoneListed_NoListenerAndNoActivity()
    {
        var (provider, _) = TestProviders.CreateInMemory();
        using var _p = provider;
        using var source = new ActivitySource("Capture.NoneListed");

        Assert.Null(provider.Capture);
        Assert.False(source.HasListeners());
        Assert.Null(source.StartActivity("work"));
    }

    [Fact]
    public void Activity_InsideSpan_ExportedAsChildWithEverythingMapped()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Mapped"));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Mapped", "2.1.0");
        var tracer = provider.GetTracer("app");

        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        Span outer;
        using (outer = tracer.StartSpan("outer"))
        {
            using var activity = source.StartActivity("query", ActivityKind.Client, default(ActivityContext), [new("db.system.name", "postgresql")], [new ActivityLink(linked, new ActivityTagsCollection { ["why"] = "retry" })])!;
            Assert.NotNull(activity);
            activity.SetTag("db.response.returned_rows", 3);
            activity.SetTag("db.flag", true);
            activity.SetTag("db.ratio", 0.5);
            activity.SetTag("db.names", new[] { "a", "b" });
            activity.AddEvent(new ActivityEvent("fetched", tags: new ActivityTagsCollection { ["rows"] = 3 }));
            activity.SetStatus(ActivityStatusCode.Error, "deadlock");
            activity.DisplayName = "SELECT orders";
        }

        var query = exporter.Spans.Single(s => s.Name == "SELECT orders");
        Assert.Equal(outer.Context.TraceId, query.Context.TraceId);
        Assert.Equal(outer.Context.SpanId, query.ParentSpanId);
        Assert.Equal(SpanKind.Client, query.Kind);
        Assert.Equal("Capture.Mapped", query.Scope!.Name);
        Assert.Equal("2.1.0", query.Scope.Version);
        Assert.Equal("postgresql", Attribute(query, "db.system.name").StringValue);
        Assert.Equal(3, Attribute(query, "db.response.returned_rows").LongValue);
        Assert.True(Attribute(query, "db.flag").BoolValue);
        Assert.Equal(0.5, Attribute(query, "db.ratio").DoubleValue);
        Assert.Equal(["a", "b"], Attribute(query, "db.names").StringArrayValue.ToArray());
        Assert.Equal("fetched", Assert.Single(query.Events).Name);
        Assert.Equal(3, query.Events[0].Attributes.ToArray().Single(a => a.Key == "rows").Value.LongValue);
        var link = Assert.Single(query.Links.ToArray());
        Assert.Equal(linked.SpanId.ToHexString(), link.Context.SpanId.ToString());
        Assert.Equal("retry", link.Attributes.ToArray().Single().Value.StringValue);
        Assert.Equal(SpanStatusCode.Error, query.Status);
        Assert.Equal("deadlock", query.StatusDescription);
        Assert.True(query.Context.IsSampled);
        Assert.True(query.Duration > TimeSpan.Zero || query.EndTime >= query.StartTime);
    }

    [Fact]
    public void Nesting_SpanInsideActivityInsideSpan_OneChainBothWays()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Nesting"));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Nesting");
        var tracer = provider.GetTracer("app");

        using (var outer = tracer.StartSpan("outer"))
        {
            AssertCurrentActivityIs(outer);
            using (var activity = source.StartActivity("lib")!)
            {
                Assert.Equal(outer.Context.SpanId.ToString(), activity.ParentSpanId.ToHexString());
                using (var inner = tracer.StartSpan("inner"))
                {
                    Assert.Equal(activity.SpanId.ToHexString(), inner.ParentSpanId.ToString());
                    AssertCurrentActivityIs(inner);
                    Assert.Same(activity, Activity.Current!.Parent);
                }

                Assert.Same(activity, Activity.Current);

                // A captured Activity is current as Activity.Current only: Span.Current stays the innermost span.
                Assert.Same(outer, Span.Current);
            }

            Assert.Same(outer, Span.Current);
            AssertCurrentActivityIs(outer);
        }

        Assert.Null(Span.Current);
        Assert.Null(Activity.Current);
        Assert.Equal(3, exporter.Spans.Count);
        Assert.Single(exporter.Spans.Select(s => s.Context.TraceId).Distinct());
    }

    [Fact]
    public void Nesting_ForeignActivityInsideSpan_SpanInsideItChildOfTheSpanNotOfTheForeignOne()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Listed"));
        using var _p = provider;
        using var foreignSource = new ActivitySource("Capture.Foreign");
        using var foreignListener = new ActivityListener
        {
            ShouldListenTo = s => s == foreignSource,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(foreignListener);
        var tracer = provider.GetTracer("app");

        using (var outer = tracer.StartSpan("outer"))
        {
            using var foreign = foreignSource.StartActivity("foreign")!;
            using var inner = tracer.StartSpan("inner");
            Assert.Equal(outer.Context.SpanId, inner.ParentSpanId);
        }

        Assert.Equal(2, exporter.Spans.Count);
    }

    [Fact]
    public void Mirror_NoActivityWantedInFlow_NoActivityCreated()

    {
        var (provider, _) = TestProviders.CreateInMemory();
        using var _p = provider;
        using var span = provider.GetTracer("app").StartSpan("work");

        Assert.Null(Activity.Current);
    }

    [Fact]
    public void Mirror_ActivityAlreadyCurrent_ChildSpanIsCurrentActivityUntilItEnds()
    {
        var (provider, _) = TestProviders.CreateInMemory();
        using var _p = provider;
        var tracer = provider.GetTracer("app");
        using var host = new Activity("host").SetIdFormat(ActivityIdFormat.W3C).Start();

        using (var parent = tracer.StartSpan("parent"))
        {
            AssertCurrentActivityIs(parent);
            using (var child = tracer.StartSpan("price-order"))
            {
                AssertCurrentActivityIs(child);
                Assert.Equal(parent.Context.SpanId.ToString(), Activity.Current!.ParentSpanId.ToHexString());
            }

            AssertCurrentActivityIs(parent);
        }

        Assert.Same(host, Activity.Current);
    }

    [Fact]
    public void Mirror_DroppedSpan_CurrentActivityNotRecorded()
    {
        var (provider, _) = TestProviders.CreateInMemory(b => b.WithSampler(Sampler.AlwaysOff));
        using var _p = provider;
        using var host = new Activity("host").SetIdFormat(ActivityIdFormat.W3C).Start();

        using var span = provider.GetTracer("app").StartSpan("dropped");
        AssertCurrentActivityIs(span);
        Assert.False(Activity.Current!.Recorded);
    }

    [Fact]
    public void Mirror_SpanEndedInAnotherFlow_ThatFlowsActivityUnchanged()
    {
        var (provider, _) = TestProviders.CreateInMemory();
        using var _p = provider;
        using var host = new Activity("host").SetIdFormat(ActivityIdFormat.W3C).Start();
        var span = provider.GetTracer("app").StartSpan("handed-off");
        var mirror = Activity.Current;

        Activity? seenAfterEnd = null;
        var other = new Thread(() =>
        {
            using var elsewhere = new Activity("elsewhere").SetIdFormat(ActivityIdFormat.W3C).Start();
            span.End();
            seenAfterEnd = Activity.Current;
        });
        other.Start();
        other.Join();

        Assert.Equal("elsewhere", seenAfterEnd?.OperationName);
        Assert.True(mirror!.IsStopped);
    }

    [Fact]
    public void Sampling_DroppedUnderLocalParent_ActivityNotEvenCreated()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Dropped").WithSampler(Sampler.ParentBased(Sampler.AlwaysOff)));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Dropped");

        using (provider.GetTracer("app").StartSpan("dropped-root"))
        {
            Assert.Null(source.StartActivity("child"));
        }

        // A root the sampler drops still exists for propagation, unrecorded.
        using (var root = source.StartActivity("root"))
        {
            Assert.NotNull(root);
            Assert.False(root.Recorded);
            Assert.False(root.IsAllDataRequested);
        }

        Assert.Empty(exporter.Spans);
    }

    [Fact]
    public void Sampling_RemoteParentFromAnotherProcess_ParentBasedAndParentKept()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Remote"));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Remote");
        ActivityContext.TryParse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "vendor=x", isRemote: true, out var sampledRemote);
        ActivityContext.TryParse("00-4bf92f3577b34da6a3ce929d0e0e4737-00f067aa0ba902b7-00", null, isRemote: true, out var unsampledRemote);

        source.StartActivity("consume", ActivityKind.Consumer, sampledRemote)!.Stop();
        var unsampled = source.StartActivity("consume-unsampled", ActivityKind.Consumer, unsampledRemote);
        Assert.False(unsampled?.Recorded ?? false);
        unsampled?.Stop();

        var span = Assert.Single(exporter.Spans);
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", span.Context.TraceId.ToString());
        Assert.Equal("00f067aa0ba902b7", span.ParentSpanId.ToString());
        Assert.True(span.Parent.IsRemote);
        Assert.Equal("vendor=x", span.Context.TraceState);
        Assert.Equal(SpanKind.Consumer, span.Kind);
    }

    [Fact]
    public void Sampling_SamplerSetsTraceState_ActivityAndSpanCarryIt()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.TraceState").WithSampler(new TraceStateSampler()));
        using var _p = provider;
        using var source = new ActivitySource("Capture.TraceState");

        using (var activity = source.StartActivity("work")!)
        {
            Assert.Equal("tl=1", activity.TraceStateString);
            Assert.Equal("yes", activity.GetTagItem("sampler.said"));
        }

        var span = Assert.Single(exporter.Spans);
        Assert.Equal("tl=1", span.Context.TraceState);
        Assert.Equal("yes", Attribute(span, "sampler.said").StringValue);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // AlwaysOn: the sampler is not called, the checks of the ids still apply
    public void BadInput_InvalidParentIds_NotCapturedNothingThrown(bool alwaysOn)
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => WithSampler(b.AddSource("Capture.Invalid"), alwaysOn));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Invalid");
        var zeroTrace = new ActivityContext(default, ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        var zeroSpan = new ActivityContext(ActivityTraceId.CreateRandom(), default, ActivityTraceFlags.Recorded);

        Assert.Null(source.StartActivity("zero-trace", ActivityKind.Internal, zeroTrace));
        Assert.Null(source.StartActivity("zero-span", ActivityKind.Internal, zeroSpan));
        Assert.Null(source.StartActivity("bad-string", ActivityKind.Internal, "00-00000000000000000000000000000000-00f067aa0ba902b7-01"));
        Assert.Empty(exporter.Spans);

        using (source.StartActivity("valid"))
        {
        }

        Assert.Equal("valid", Assert.Single(exporter.Spans).Name);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BadInput_HierarchicalIds_NotCapturedNothingThrown(bool alwaysOn)
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => WithSampler(b.AddSource("Capture.Hierarchical"), alwaysOn));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Hierarchical");

        Assert.Null(source.StartActivity("legacy", ActivityKind.Internal, "|a000b421-5d183ab6.1."));

        using var legacyParent = new Activity("legacy-parent").SetIdFormat(ActivityIdFormat.Hierarchical).Start();
        using (var child = source.StartActivity("child"))
        {
            Assert.Null(child);
        }

        Assert.Empty(exporter.Spans);
    }

    [Fact]
    public void BadInput_ThrowingTagSamplerAndProcessor_AppUnaffected()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Throwing").AddProcessor(new ThrowingProcessor()));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Throwing");

        using (var activity = source.StartActivity("work")!)
        {
            activity.SetTag("bad", new ThrowingToString());
            activity.SetTag("good", "kept");
        }

        var span = Assert.Single(exporter.Spans);
        Assert.Equal("kept", Attribute(span, "good").StringValue);

        var (throwingSampler, exporter2) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Throwing2").WithSampler(new ThrowingSampler()));
        using var _p2 = throwingSampler;
        using var source2 = new ActivitySource("Capture.Throwing2");
        using (var dropped = source2.StartActivity("work"))
        {
            Assert.False(dropped?.Recorded ?? false);
        }

        Assert.Empty(exporter2.Spans);
    }

    [Fact]
    public void BadInput_ThousandsOfTagsAndEvents_BoundedBySpanLimits()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Huge"));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Huge");

        using (var activity = source.StartActivity("huge")!)
        {
            for (var i = 0; i < 5000; i++)
            {
                activity.SetTag("tag." + i, i);
                activity.AddEvent(new ActivityEvent("event." + i));
            }
        }

        var span = Assert.Single(exporter.Spans);
        Assert.Equal(SpanLimits.DefaultCount, span.Attributes.Length);
        Assert.Equal(5000 - SpanLimits.DefaultCount, span.DroppedAttributeCount);
        Assert.Equal(SpanLimits.DefaultCount, span.Events.Count);
        Assert.Equal(5000 - SpanLimits.DefaultCount, span.DroppedEventCount);
    }

    [Fact]
    public void BadInput_ThousandsOfActivitiesPerRequest_QueueBoundsMemoryAndCurrentRestored()
    {
        var exporter = new BlockingExporter();
        using var provider = TestProviders.Create(b => b
            .AddSource("Capture.Flood")
            .AddExporter(exporter)
            .WithBatchOptions(o =>
            {
                o.MaxQueueSize = 64;
                o.MaxExportBatchSize = 16;
            }));
        using var source = new ActivitySource("Capture.Flood");
        var tracer = provider.GetTracer("app");

        using (var request = tracer.StartSpan("request"))
        {
            for (var i = 0; i < 10_000; i++)
            {
                using var activity = source.StartActivity("row");
                activity?.SetTag("i", i);
            }

            Assert.Same(request, Span.Current);
        }

        exporter.Release.Set();
        Assert.True(provider.ForceFlush(Timeout));
        Assert.InRange(exporter.Exported, 1, 64 + 16 + 1); // the queue, one batch in flight, and the request span
    }

    [Fact]
    public void Activity_StoppedInAnotherFlow_ExportedOnce()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Handoff"));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Handoff");

        var activity = source.StartActivity("handoff")!;
        activity.SetTag("k", "v");
        var thread = new Thread(() => activity.Stop());
        ExecutionContext.SuppressFlow();
        thread.Start();
        ExecutionContext.RestoreFlow();
        thread.Join();
        activity.Stop();

        var span = Assert.Single(exporter.Spans);
        Assert.Equal(activity.SpanId.ToHexString(), span.Context.SpanId.ToString());
        Assert.Equal("v", Attribute(span, "k").StringValue);
    }

    [Fact]
    public void Configuration_SourcesKey_CommaListAndArrayCaptured()
    {
        var exporter = new InMemorySpanExporter();
        using var provider = TestProviders.Create(
            b => b.UseInMemoryExporter(exporter),
            configuration: new Dictionary<string, string> { ["Sources"] = "Capture.Config.A, Capture.Config.B", ["Sources:0"] = "Capture.Config.C*" });
        using var a = new ActivitySource("Capture.Config.A");
        using var b = new ActivitySource("Capture.Config.B");
        using var c = new ActivitySource("Capture.Config.Cx");
        using var d = new ActivitySource("Capture.Config.D");

        a.StartActivity("a")?.Stop();
        b.StartActivity("b")?.Stop();
        c.StartActivity("c")?.Stop();
        Assert.Null(d.StartActivity("d"));

        Assert.Equal(["a", "b", "c"], exporter.Spans.Select(s => s.Name).Order());
    }

    [Fact]
    public void Disabled_SourceListed_NotCaptured()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Disabled").Enable(false));
        using var _p = provider;
        using var source = new ActivitySource("Capture.Disabled");

        Assert.Null(provider.Capture);
        Assert.Null(source.StartActivity("work"));
        Assert.Empty(exporter.Spans);
    }

    [Fact]
    public void Shutdown_ListenerRemoved()
    {
        var (provider, _) = TestProviders.CreateInMemory(b => b.AddSource("Capture.Shutdown"));
        using var source = new ActivitySource("Capture.Shutdown");
        Assert.True(source.HasListeners());

        provider.Dispose();

        Assert.False(source.HasListeners());
    }

    [Fact]
    public void AddSource_BlankName_Throws()
    {
        Assert.Throws<ArgumentException>(() => new TracingBuilder().AddSource("ok", " "));
        Assert.Throws<ArgumentNullException>(() => new TracingBuilder().AddSource(null!));
    }

    private static void AssertCurrentActivityIs(Span span)
    {
        var activity = Activity.Current;
        Assert.NotNull(activity);
        Assert.Equal(span.Context.TraceId.ToString(), activity.TraceId.ToHexString());
        Assert.Equal(span.Context.SpanId.ToString(), activity.SpanId.ToHexString());
    }

    private static AttributeValue Attribute(Span span, string key) => span.Attributes.ToArray().Single(a => a.Key == key).Value;

    private static TracingBuilder WithSampler(TracingBuilder builder, bool alwaysOn) =>
        alwaysOn ? builder.WithSampler(Sampler.AlwaysOn) : builder;

    private sealed class TraceStateSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
            new(SamplingDecision.RecordAndSample, [new SpanAttribute("sampler.said", "yes")], "tl=1");
    }

    private sealed class ThrowingSampler : Sampler
    {
        public override SamplingResult ShouldSample(in SamplingParameters parameters) => throw new InvalidOperationException("sampler");
    }

    private sealed class ThrowingProcessor : SpanProcessor
    {
        public override void OnStart(Span span) => throw new InvalidOperationException("start");

        public override void OnEnd(Span span) => throw new InvalidOperationException("end");
    }

    private sealed class ThrowingToString
    {
        public override string ToString() => throw new InvalidOperationException("tag");
    }

    private sealed class BlockingExporter : SpanExporter
    {
        private int _exported;

        public ManualResetEventSlim Release { get; } = new();

        public int Exported => Volatile.Read(ref _exported);

        public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
        {
            Release.Wait(cancellationToken);
            Interlocked.Add(ref _exported, batch.Length);
            return ValueTask.FromResult(ExportResult.Success);
        }
    }
}
