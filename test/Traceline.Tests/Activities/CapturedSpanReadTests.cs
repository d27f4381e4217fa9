using System.Diagnostics;
using Traceline.Export;

namespace Traceline.Tests.Activities;

/// <summary>
/// A captured Activity's span is ended on the app's thread with its data still in the Activity, and the data is copied
/// on the span's first read: every reader (a processor in OnEnd, an exporter, several threads at once) sees all of it.
/// </summary>
[Collection(ActivityCollection.Name)]
public sealed class CapturedSpanReadTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public void Stop_AppThreadCopiesNothing_FirstReadCopiesEverything()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Read.Deferred"));
        using var _p = provider;
        using var source = new ActivitySource("Read.Deferred");

        Recorded expected;
        using (var activity = source.StartActivity("work", ActivityKind.Producer)!)
        {
            expected = Record(activity);
        }

        var span = Assert.Single(exporter.Spans);
        Assert.True(span.HasPendingActivity); // the stop only ended and handed over the span
        AssertComplete(expected, span);
        Assert.False(span.HasPendingActivity);
        AssertComplete(expected, span); // a second read sees the same copy
    }

    [Fact]
    public void UserProcessor_ReadsCapturedSpanInOnEnd_SeesEverythingAndWhatItSetAtStart()
    {
        var snapshots = new SnapshotProcessor();
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Read.Processor").AddProcessor(snapshots));
        using var _p = provider;
        using var source = new ActivitySource("Read.Processor");

        Recorded expected;
        using (var activity = source.StartActivity("work", ActivityKind.Producer)!)
        {
            expected = Record(activity);
        }

        var snapshot = Assert.Single(snapshots.Ended);
        Assert.Equal(expected.Name, snapshot.Name);
        Assert.Equal(["processor.start", .. expected.AttributeKeys], snapshot.AttributeKeys);
        Assert.Equal(expected.EventNames, snapshot.EventNames);
        Assert.Equal(expected.LinkSpanIds, snapshot.LinkSpanIds);
        Assert.Equal(SpanStatusCode.Error, snapshot.Status);
        Assert.Equal("boom", snapshot.StatusDescription);
        Assert.Equal(expected.End, snapshot.End);
        AssertComplete(expected, Assert.Single(exporter.Spans), "processor.start");
    }

    [Fact]
    public async Task ConcurrentReaders_CopiedOnce_AllSeeTheSameData()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Read.Concurrent"));
        using var _p = provider;
        using var source = new ActivitySource("Read.Concurrent");

        for (var round = 0; round < 20; round++)
        {
            Recorded expected;
            using (var activity = source.StartActivity("work", ActivityKind.Producer)!)
            {
                expected = Record(activity);
            }

            var span = exporter.Spans[^1];
            Assert.True(span.HasPendingActivity);
            const int Readers = 4;
            using var barrier = new Barrier(Readers);
            var reads = new Task<(string Name, string[] Keys, int Events, int Links)>[Readers];
            for (var i = 0; i < Readers; i++)
            {
                reads[i] = Task.Factory.StartNew(
                    () =>
                    {
                        barrier.SignalAndWait(Timeout);
                        return (span.Name, span.Attributes.ToArray().Select(a => a.Key).ToArray(), span.Events.Count, span.Links.Length);
                    },
                    CancellationToken.None,
                    TaskCreationOptions.LongRunning,
                    TaskScheduler.Default);
            }

            foreach (var read in await Task.WhenAll(reads).WaitAsync(Timeout))
            {
                Assert.Equal(expected.Name, read.Name);
                Assert.Equal(expected.AttributeKeys, read.Keys); // no key twice: one copy
                Assert.Equal(expected.EventNames.Length, read.Events);
                Assert.Equal(expected.LinkSpanIds.Length, read.Links);
            }
        }
    }

    [Fact]
    public void PooledBatch_ExporterReadsEveryOtherSpan_ReadOnesCompleteUnreadOnesNeverCopied()
    {
        var exporter = new EveryOtherExporter();
        using var provider = TestProviders.Create(b => b.AddSource("Read.Pooled").AddExporter(exporter));
        Assert.NotNull(provider.Pool);
        using var source = new ActivitySource("Read.Pooled");

        const int Count = 200;
        for (var i = 0; i < Count; i++)
        {
            using var activity = source.StartActivity("work-" + i)!;
            activity.SetTag("i", i);
            if (i % 3 == 0)
            {
                activity.SetTag("third", true); // unequal tag counts, so that reused storage shows leftovers
            }
        }

        Assert.True(provider.ForceFlush(Timeout));
        Assert.Equal(Count, exporter.Seen);
        Assert.Equal(Count / 2, exporter.Reads.Count);
        foreach (var (name, attributes) in exporter.Reads)
        {
            var i = int.Parse(name["work-".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(i % 3 == 0 ? ["i=" + i, "third"] : ["i=" + i], attributes);
        }

        Assert.Equal(Count / 2, exporter.PendingWhenSkipped);
    }

    [Fact]
    public async Task ActivityMutatedAfterStop_WhileTheSpanIsRead_NoFailure()
    {
        using var events = new TracelineEventListener();
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.AddSource("Read.Mutated"));
        using var _p = provider;
        using var source = new ActivitySource("Read.Mutated");

        for (var round = 0; round < 20; round++)
        {
            var activity = source.StartActivity("work")!;
            activity.SetTag("kept", "yes");
            activity.Stop();
            var span = exporter.Spans[^1];
            using var stop = new CancellationTokenSource();
            var mutator = Task.Run(() =>
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 100_000; i++)
                {
                    activity.SetTag("late." + (i % 50), i);
                    activity.SetTag("kept", i % 2 == 0 ? "yes" : null); // removes and adds the key back
                    activity.AddEvent(new ActivityEvent("late"));
                    activity.DisplayName = "renamed-" + i;
                }
            });

            Assert.NotEmpty(span.Name);
            Assert.True(span.Attributes.Length <= provider.GetTracer("Read.Mutated").Limits.AttributeCount);
            await stop.CancelAsync();
            await mutator.WaitAsync(Timeout);
        }

        Assert.DoesNotContain(events.Events, e => e.Payload?.Any(p => p?.ToString()?.Contains("ActivityCapture", StringComparison.Ordinal) == true) == true);
    }

    /// <summary>What the test recorded on the Activity, for comparing with a read of its span.</summary>
    private sealed record Recorded(string Name, string[] AttributeKeys, string[] EventNames, string[] LinkSpanIds, long End);

    private static Recorded Record(Activity activity)
    {
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded);
        activity.AddLink(new ActivityLink(linked, new ActivityTagsCollection { ["link.why"] = "cause" }));
        activity.SetTag("a.string", "text");
        activity.SetTag("a.int", 3);
        activity.SetTag("a.bool", true);
        activity.SetTag("a.double", 0.25);
        activity.AddEvent(new ActivityEvent("first", tags: new ActivityTagsCollection { ["rows"] = 3 }));
        activity.AddEvent(new ActivityEvent("second"));
        activity.SetStatus(ActivityStatusCode.Error, "boom");
        activity.DisplayName = "renamed";
        var end = activity.StartTimeUtc.AddMilliseconds(7);
        activity.SetEndTime(end);
        return new Recorded("renamed", ["a.string", "a.int", "a.bool", "a.double"], ["first", "second"], [linked.SpanId.ToHexString()], (end.Ticks - DateTime.UnixEpoch.Ticks) * 100);
    }

    private static void AssertComplete(Recorded expected, Span span, params string[] firstKeys)
    {
        Assert.Equal(expected.Name, span.Name);
        Assert.Equal(SpanKind.Producer, span.Kind);
        Assert.Equal([.. firstKeys, .. expected.AttributeKeys], span.Attributes.ToArray().Select(a => a.Key));
        Assert.Equal(3, span.Attributes.ToArray().Single(a => a.Key == "a.int").Value.LongValue);
        Assert.Equal(expected.EventNames, span.Events.Select(e => e.Name));
        Assert.Equal(3, span.Events[0].Attributes.ToArray().Single().Value.LongValue);
        Assert.Equal(expected.LinkSpanIds, span.Links.ToArray().Select(l => l.Context.SpanId.ToString()));
        Assert.Equal("cause", span.Links[0].Attributes.ToArray().Single().Value.StringValue);
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Equal("boom", span.StatusDescription);
        Assert.Equal(expected.End, span.EndUnixNanos);
        Assert.Equal(TimeSpan.FromMilliseconds(7), span.Duration);
    }

    private sealed record Snapshot(string Name, string[] AttributeKeys, string[] EventNames, string[] LinkSpanIds, SpanStatusCode Status, string? StatusDescription, long End);

    /// <summary>A user's processor: sets an attribute when a span starts, and reads the whole span when it ends.</summary>
    private sealed class SnapshotProcessor : SpanProcessor
    {
        private readonly List<Snapshot> _ended = [];

        public IReadOnlyList<Snapshot> Ended
        {
            get
            {
                lock (_ended)
                {
                    return [.. _ended];
                }
            }
        }

        public override void OnStart(Span span) => span.SetAttribute("processor.start", "set");

        public override void OnEnd(Span span)
        {
            var snapshot = new Snapshot(
                span.Name,
                span.Attributes.ToArray().Select(a => a.Key).ToArray(),
                span.Events.Select(e => e.Name).ToArray(),
                span.Links.ToArray().Select(l => l.Context.SpanId.ToString()).ToArray(),
                span.Status,
                span.StatusDescription,
                span.EndUnixNanos);
            lock (_ended)
            {
                _ended.Add(snapshot);
            }
        }
    }

    /// <summary>Reads every other span it is given and nothing of the rest; keeps nothing after the export, so spans are pooled.</summary>
    private sealed class EveryOtherExporter : SpanExporter
    {
        public int Seen { get; private set; }

        public int PendingWhenSkipped { get; private set; }

        public List<(string Name, string[] Attributes)> Reads { get; } = [];

        public override bool ReleasesSpansAfterExport => true;

        public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
        {
            foreach (var span in batch.Span)
            {
                if (Seen++ % 2 == 0)
                {
                    Reads.Add((span.Name, span.Attributes.ToArray().Select(a => a.Key == "i" ? "i=" + a.Value.LongValue : a.Key).ToArray()));
                }
                else if (span.HasPendingActivity)
                {
                    PendingWhenSkipped++;
                }
            }

            return ValueTask.FromResult(ExportResult.Success);
        }
    }
}
