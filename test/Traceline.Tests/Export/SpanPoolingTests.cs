using Traceline.Export;

namespace Traceline.Tests.Export;

/// <summary>
/// Reuse of span storage (SpanDataPool): only when the provider's one exporter releases spans after export, never while
/// anything may still read them, and a stale <see cref="Span"/> handle can never reach the span that reuses its storage.
/// </summary>
public sealed class SpanPoolingTests
{
    [Fact]
    public void Exported_storage_is_reused_by_the_next_span_and_starts_clean()
    {
        var exporter = new SnapshotExporter();
        using var provider = TestProviders.Create(b => b.AddProcessor(new SimpleSpanProcessor(exporter)).WithSpanLimits(l => l.AttributeCountLimit = 2));
        Assert.NotNull(provider.Pool);
        var tracer = provider.GetTracer("pool");

        var first = tracer.StartSpan("first", SpanKind.Client, default, [new("a", 1), new("b", 2), new("c", 3)], [new SpanLink(new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled))]);
        first.AddEvent("event", new SpanAttribute("e", true));
        first.SetStatus(SpanStatusCode.Error, "boom");
        var storage = first.Data;
        first.End();

        var second = tracer.StartSpan("second");
        Assert.Same(storage, second.Data);
        Assert.Equal("second", second.Name);
        Assert.Equal(SpanKind.Internal, second.Kind);
        Assert.True(second.Attributes.IsEmpty);
        Assert.Empty(second.Events);
        Assert.True(second.Links.IsEmpty);
        Assert.Equal(SpanStatusCode.Unset, second.Status);
        Assert.Null(second.StatusDescription);
        Assert.Equal(0, second.DroppedAttributeCount);
        Assert.False(second.ParentSpanId.IsValid);
        second.End();

        // The exporter saw everything the first span recorded before its storage went back.
        var seen = exporter.Snapshots[0];
        Assert.Equal("first", seen.Name);
        Assert.Equal(["a=1", "b=2"], seen.Attributes);
        Assert.Equal(1, seen.DroppedAttributes);
        Assert.Equal(1, seen.Events);
        Assert.Equal(1, seen.Links);
        Assert.Equal("boom", seen.StatusDescription);
    }

    [Fact]
    public void A_stale_handle_keeps_its_context_and_cannot_reach_the_span_that_reuses_its_storage()
    {
        var exporter = new SnapshotExporter();
        using var provider = TestProviders.Create(b => b.AddProcessor(new SimpleSpanProcessor(exporter)));
        var tracer = provider.GetTracer("pool");

        var stale = tracer.StartSpan("stale");
        var context = stale.Context;
        stale.End();
        var live = tracer.StartSpan("live");
        live.SetAttribute("mine", "yes");

        stale.SetAttribute("intruder", 1);
        stale.UpdateName("renamed");
        stale.SetStatus(SpanStatusCode.Error, "not mine");
        stale.AddEvent("intruder");
        stale.RecordException(new InvalidOperationException());
        stale.AddLink(new SpanLink(new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled)));
        stale.End();

        Assert.Equal(context, stale.Context);
        Assert.True(stale.IsEnded);
        Assert.False(stale.IsRecording);
        Assert.Equal(string.Empty, stale.Name);
        Assert.Equal("live", live.Name);
        Assert.Equal(["mine"], live.Attributes.ToArray().Select(a => a.Key));
        Assert.Empty(live.Events);
        Assert.Equal(SpanStatusCode.Unset, live.Status);
        Assert.True(live.Links.IsEmpty);
        live.End();

        Assert.Equal(2, exporter.Snapshots.Count);
        Assert.Equal(["mine=yes"], exporter.Snapshots[1].Attributes);
    }

    [Fact]
    public void A_child_started_from_an_exported_parent_keeps_the_parents_trace_and_tracestate()
    {
        var exporter = new SnapshotExporter();
        using var provider = TestProviders.Create(b => b.AddProcessor(new SimpleSpanProcessor(exporter)));
        var tracer = provider.GetTracer("pool");
        var remote = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled, "k=v", isRemote: true);

        var parent = tracer.StartSpan("parent", SpanKind.Server, remote);
        parent.End();
        var child = tracer.StartSpan("child", SpanKind.Internal, parent.Context);

        Assert.Equal(remote.TraceId, child.Context.TraceId);
        Assert.Equal(parent.Context.SpanId, child.ParentSpanId);
        Assert.Equal("k=v", child.Context.TraceState);
        child.End();
    }

    [Fact]
    public void Exporters_that_keep_spans_and_pipelines_with_several_processors_do_not_pool()
    {
        var (inMemory, exporter) = TestProviders.CreateInMemory();
        using (inMemory)
        {
            Assert.Null(inMemory.Pool);
            var span = inMemory.GetTracer("t").StartSpan("kept");
            span.SetAttribute("k", 1);
            span.End();
            inMemory.ForceFlush(TimeSpan.FromSeconds(10));
            Assert.Equal("kept", Assert.Single(exporter.Spans).Name);
            Assert.Equal("kept", span.Name);
        }

        using var several = TestProviders.Create(b => b
            .AddProcessor(new SimpleSpanProcessor(new SnapshotExporter()))
            .AddProcessor(new SimpleSpanProcessor(new SnapshotExporter())));
        Assert.Null(several.Pool);

        using var custom = TestProviders.Create(b => b.AddProcessor(new CountingProcessor()));
        Assert.Null(custom.Pool);
    }

    [Fact]
    public async Task An_abandoned_export_keeps_its_spans_and_a_dropped_batch_releases_them()
    {
        using var release = new SemaphoreSlim(0);
        var exporter = new SnapshotExporter
        {
            Hang = async () => await release.WaitAsync(), // ignores cancellation: the processor must give up on it
        };
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { ExportTimeout = TimeSpan.FromMilliseconds(50), ScheduledDelay = TimeSpan.FromMilliseconds(10) });
        using var provider = TestProviders.Create(b => b.AddProcessor(processor));
        Assert.NotNull(provider.Pool);
        var tracer = provider.GetTracer("pool");

        var stuck = tracer.StartSpan("stuck");
        stuck.End();
        Assert.True(await Wait.UntilAsync(() => exporter.ExportCalls == 1));
        Assert.True(await Wait.UntilAsync(() =>
        {
            // Once the processor gave up on the export, a new batch is dropped (and counted) instead of exported.
            var probe = tracer.StartSpan("probe");
            probe.End();
            return processor.DroppedCount > 0;
        }));

        Assert.Equal("stuck", stuck.Name); // the hanging exporter may still read it: its storage was not reused
        release.Release(100);
    }

    [Fact]
    public async Task Concurrent_spans_never_see_each_others_storage()
    {
        const int Threads = 8;
        const int SpansPerThread = 3000;
        var exporter = new VerifyingExporter();
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { MaxQueueSize = 32768, MaxExportBatchSize = 256, ScheduledDelay = TimeSpan.FromMilliseconds(5) });
        using var provider = TestProviders.Create(b => b.AddProcessor(processor));
        Assert.NotNull(provider.Pool);
        var tracer = provider.GetTracer("pool");

        await Task.WhenAll(Enumerable.Range(0, Threads).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < SpansPerThread; i++)
            {
                using var span = tracer.StartSpan("op");
                var id = span.Context.SpanId.ToString();
                span.UpdateName(id);
                span.SetAttribute("id", id);
                span.SetAttribute("n", i);
                if (i % 3 == 0)
                {
                    span.AddEvent(id);
                }

                if (i % 5 == 0)
                {
                    span.SetStatus(SpanStatusCode.Error, id);
                }
            }
        })));

        Assert.True(provider.ForceFlush(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, processor.DroppedCount);
        Assert.Equal(Threads * SpansPerThread, exporter.Seen);
        Assert.Equal(0, exporter.Mismatches);
    }

    [Fact]
    public void Reused_storage_saves_the_allocation_of_every_span()
    {
        var exporter = new SnapshotExporter { KeepSnapshots = false };
        using var provider = TestProviders.Create(b => b.AddExporter(exporter)); // the production pipeline: a batch processor
        var tracer = provider.GetTracer("pool");
        // Warm: 1,000 spans alive at once, so that much storage (with room for four attributes) exists and, once
        // exported, waits in the pool however slowly the export worker runs later.
        var warm = new Span[1000];
        for (var i = 0; i < warm.Length; i++)
        {
            warm[i] = tracer.StartSpan("warm");
            SetFour(warm[i]);
        }

        for (var i = warm.Length - 1; i >= 0; i--)
        {
            warm[i].End();
        }

        Assert.True(provider.ForceFlush(TimeSpan.FromSeconds(30)));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            Run(tracer);
        }

        var perSpan = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;

        // What remains on the app's thread is the handle and making it current (ExecutionContext + its map); the storage
        // and attribute array of a span (about 230 B with these four attributes) are reused.
        Assert.True(perSpan <= 160, $"{perSpan} B per span");

        static void Run(Tracer tracer)
        {
            using var span = tracer.StartSpan("op");
            SetFour(span);
        }

        static void SetFour(Span span)
        {
            span.SetAttribute("a", 1);
            span.SetAttribute("b", "two");
            span.SetAttribute("c", true);
            span.SetAttribute("d", 4.0);
        }
    }

    [Fact]
    public void Captured_activity_handles_are_reused_and_each_export_sees_its_own_ids()
    {
        var exporter = new IdentityExporter();
        using var provider = TestProviders.Create(b => b.AddSource("Pooling.Capture").AddProcessor(new SimpleSpanProcessor(exporter)));
        using var source = new System.Diagnostics.ActivitySource("Pooling.Capture");
        var tracer = provider.GetTracer("app");
        var started = new List<(string TraceId, string SpanId)>();

        for (var i = 0; i < 3; i++)
        {
            using var activity = source.StartActivity("captured-" + i)!;
            started.Add((activity.TraceId.ToHexString(), activity.SpanId.ToHexString()));
        }

        // A span the app started keeps its own handle for good, whatever the pool holds.
        var appSpan = tracer.StartSpan("app");
        appSpan.End();

        Assert.Equal([.. started, (appSpan.Context.TraceId.ToString(), appSpan.Context.SpanId.ToString())], exporter.Ids);
        Assert.Same(exporter.Handles[0], exporter.Handles[1]);
        Assert.Same(exporter.Handles[1], exporter.Handles[2]);
        Assert.Same(exporter.Storage[0], exporter.Storage[1]); // a pooled handle brings its storage back with it
        Assert.Same(exporter.Storage[1], exporter.Storage[2]);
        Assert.NotSame(exporter.Handles[2], appSpan);
        Assert.Equal(appSpan.Context.SpanId.ToString(), exporter.Ids[3].SpanId);
    }

    /// <summary>Notes each exported span's handle and ids during the export, and keeps nothing of the span itself.</summary>
    private sealed class IdentityExporter : SpanExporter
    {
        public List<object> Handles { get; } = [];

        public List<(string TraceId, string SpanId)> Ids { get; } = [];

        public List<object?> Storage { get; } = [];

        public override bool ReleasesSpansAfterExport => true;

        public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
        {
            foreach (var span in batch.Span)
            {
                Handles.Add(span); // a reference for the test's identity check only: never read after the export
                Ids.Add((span.Context.TraceId.ToString(), span.Context.SpanId.ToString()));
                Storage.Add(span.Data);
            }

            return ValueTask.FromResult(ExportResult.Success);
        }
    }

    private sealed record Snapshot(string Name, string[] Attributes, int DroppedAttributes, int Events, int Links, string? StatusDescription);

    /// <summary>Reads what it needs during the export and keeps nothing after it: the contract that allows pooling.</summary>
    private sealed class SnapshotExporter : SpanExporter
    {
        private readonly List<Snapshot> _snapshots = [];

        public Func<Task>? Hang { get; init; }

        public bool KeepSnapshots { get; init; } = true;

        public int ExportCalls;

        public List<Snapshot> Snapshots
        {
            get
            {
                lock (_snapshots)
                {
                    return [.. _snapshots];
                }
            }
        }

        public override bool ReleasesSpansAfterExport => true;

        public override async ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref ExportCalls);
            if (KeepSnapshots)
            {
                lock (_snapshots)
                {
                    foreach (var span in batch.Span)
                    {
                        _snapshots.Add(new Snapshot(
                            span.Name,
                            [.. span.Attributes.ToArray().Select(a => $"{a.Key}={a.Value}")],
                            span.DroppedAttributeCount,
                            span.Events.Count,
                            span.Links.Length,
                            span.StatusDescription));
                    }
                }
            }

            if (Hang is { } hang)
            {
                await hang();
            }

            return ExportResult.Success;
        }
    }

    /// <summary>Checks that every exported span carries only what its own thread set on it (its span id everywhere).</summary>
    private sealed class VerifyingExporter : SpanExporter
    {
        public int Seen;
        public int Mismatches;

        public override bool ReleasesSpansAfterExport => true;

        public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
        {
            foreach (var span in batch.Span)
            {
                Seen++;
                var id = span.Context.SpanId.ToString();
                var attributes = span.Attributes;
                var ok = span.Name == id
                    && attributes.Length == 2
                    && attributes[0].Value.StringValue == id
                    && span.Events.All(e => e.Name == id)
                    && (span.Status != SpanStatusCode.Error || span.StatusDescription == id);
                if (!ok)
                {
                    Mismatches++;
                }
            }

            return ValueTask.FromResult(ExportResult.Success);
        }
    }

    private sealed class CountingProcessor : SpanProcessor
    {
        public int Ended;

        public override void OnEnd(Span span) => Interlocked.Increment(ref Ended);
    }
}
