using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using Traceline.Export;

namespace Traceline.Tests.Export;

public sealed partial class BatchSpanProcessorTests
{
    private static Span[] EndSpans(TracerProvider provider, int count, string prefix = "s")
    {
        var tracer = provider.GetTracer("t");
        var spans = new Span[count];
        for (var i = 0; i < count; i++)
        {
            spans[i] = tracer.StartSpan(prefix + i);
            spans[i].End();
        }

        return spans;
    }

    [Fact]
    public void ForceFlush_ExportsAllQueuedSpansExactlyOnce()
    {
        var exporter = new ControllableExporter();
        using var provider = TestProviders.Create(b => b.AddExporter(exporter).WithBatchOptions(o => o.ScheduledDelay = TimeSpan.FromHours(1)));
        var spans = EndSpans(provider, 1500);
        Assert.True(provider.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Equal(spans.Select(s => s.Context.SpanId.ToString()).Order(), exporter.Spans.Select(s => s.Context.SpanId.ToString()).Order());
    }

    [Fact]
    public void Export_FullBatch_HappensWithoutWaitingForTheDelay()
    {
        var exporter = new ControllableExporter();
        var time = new FakeTimeProvider();
        using var provider = TestProviders.Create(b => b.AddExporter(exporter).WithTimeProvider(time).WithBatchOptions(o => o.MaxExportBatchSize = 10));
        EndSpans(provider, 10);
        Assert.True(SpinWait.SpinUntil(() => exporter.Spans.Count == 10, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Export_WokenAtTheBatchThreshold_ExportsFullBatchesOnly_RemainderOnTheDelay()
    {
        var sizes = new System.Collections.Concurrent.ConcurrentQueue<int>();
        var exporter = new ControllableExporter
        {
            Behaviour = (batch, _) =>
            {
                sizes.Enqueue(batch.Length);
                return ValueTask.FromResult(ExportResult.Success);
            },
        };
        var time = new FakeTimeProvider();
        using var provider = TestProviders.Create(b => b.AddExporter(exporter).WithTimeProvider(time)
            .WithBatchOptions(o => (o.MaxExportBatchSize, o.ScheduledDelay) = (10, TimeSpan.FromSeconds(5))));

        EndSpans(provider, 25); // the worker wakes at 10 (maybe again at 20), while spans keep arriving
        Assert.True(SpinWait.SpinUntil(() => exporter.Spans.Count == 20, TimeSpan.FromSeconds(10)));
        Assert.False(SpinWait.SpinUntil(() => exporter.Spans.Count > 20, TimeSpan.FromMilliseconds(200))); // clock stopped: 5 wait
        Assert.All(sizes, size => Assert.Equal(10, size)); // never a partial batch on a threshold wake-up

        Assert.True(SpinWait.SpinUntil(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return exporter.Spans.Count == 25;
        }, TimeSpan.FromSeconds(10)));
        Assert.Equal([10, 10, 5], sizes.ToArray()); // the schedule delay drains the remainder
    }

    [Fact]
    public void ForceFlush_AfterThresholdWakeUps_DrainsTheRemainder()
    {
        var exporter = new ControllableExporter();
        using var provider = TestProviders.Create(b => b.AddExporter(exporter)
            .WithBatchOptions(o => (o.MaxExportBatchSize, o.ScheduledDelay) = (10, TimeSpan.FromHours(1))));
        EndSpans(provider, 37);
        Assert.True(provider.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Equal(37, exporter.Spans.Count);
    }

    [Fact]
    public void Export_PartialBatch_HappensWhenTheScheduledDelayPasses()
    {
        var exporter = new ControllableExporter();
        var time = new FakeTimeProvider();
        using var provider = TestProviders.Create(b => b.AddExporter(exporter).WithTimeProvider(time).WithBatchOptions(o => o.ScheduledDelay = TimeSpan.FromSeconds(5)));
        EndSpans(provider, 3);
        Assert.False(SpinWait.SpinUntil(() => exporter.Spans.Count > 0, TimeSpan.FromMilliseconds(200)));
        Assert.True(SpinWait.SpinUntil(() =>
        {
            time.Advance(TimeSpan.FromSeconds(1));
            return exporter.Spans.Count == 3;
        }, TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public void Shutdown_ExportsEverythingThenShutsExporterDown()
    {
        var exporter = new ControllableExporter();
        var provider = TestProviders.Create(b => b.AddExporter(exporter).WithBatchOptions(o => o.ScheduledDelay = TimeSpan.FromHours(1)));
        EndSpans(provider, 2000);
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(10)));
        Assert.Equal(2000, exporter.Spans.Count);
        Assert.Equal(2000, exporter.Spans.Select(s => s.Context.SpanId).Distinct().Count());
        Assert.Equal(1, exporter.ShutdownCalls);
        provider.Dispose();
    }

    [Fact]
    public void QueueFull_DropsAndCounts_NeverBlocks()
    {
        var release = new TaskCompletionSource();
        var exporter = new ControllableExporter
        {
            Behaviour = async (_, ct) =>
            {
                await release.Task.WaitAsync(ct);
                return ExportResult.Success;
            },
        };
        var listener = new TracelineEventListener();
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { MaxQueueSize = 100, MaxExportBatchSize = 10, ScheduledDelay = TimeSpan.FromMilliseconds(1) });
        using var provider = TestProviders.Create(b => b.AddProcessor(processor));
        EndSpans(provider, 10); // the first batch goes to the worker and blocks in the exporter
        Assert.True(SpinWait.SpinUntil(() => exporter.ExportCalls == 1, TimeSpan.FromSeconds(10)));

        var started = Stopwatch.GetTimestamp();
        EndSpans(provider, 1000);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(5));
        Assert.True(processor.QueuedCount <= 100);
        Assert.Equal(900, processor.DroppedCount);

        release.SetResult();
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(10)));
        Assert.Equal(110, exporter.Spans.Count);
        Assert.Contains(listener.Events, e => e.EventId == 2 && (long)e.Payload![2]! == 900);
        listener.Dispose();
    }

    [Fact]
    public void ThrowingExporter_NeverReachesTheApp_AndIsReported()
    {
        var exporter = new ControllableExporter { Behaviour = (_, _) => throw new IOException("disk on fire") };
        var logs = new CapturingLoggerProvider();
        using var provider = TestProviders.Create(b => b.AddExporter(exporter), loggerFactory: logs);
        EndSpans(provider, 5);
        provider.ForceFlush(TimeSpan.FromSeconds(10));
        EndSpans(provider, 5);
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, exporter.ExportCalls);
        var failure = Assert.Single(logs.Lines, l => l.EventId.Name == "ExportFailed"); // rate-limited: one report per interval
        Assert.Contains("disk on fire", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HangingExporter_AppThreadsNeverWait_ShutdownReturnsWithinItsTimeout()
    {
        var exporter = new ControllableExporter
        {
            Behaviour = async (_, _) =>
            {
                await Task.Delay(Timeout.Infinite, CancellationToken.None); // ignores cancellation entirely
                return ExportResult.Success;
            },
        };
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { MaxExportBatchSize = 5, ExportTimeout = TimeSpan.FromMilliseconds(200), ScheduledDelay = TimeSpan.FromMilliseconds(10) });
        var provider = TestProviders.Create(b => b.AddProcessor(processor));
        var started = Stopwatch.GetTimestamp();
        EndSpans(provider, 50);
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(2));
        Assert.True(SpinWait.SpinUntil(() => processor.DroppedCount > 0, TimeSpan.FromSeconds(10))); // stuck exporter: batches dropped and counted

        started = Stopwatch.GetTimestamp();
        Assert.False(provider.Shutdown(TimeSpan.FromMilliseconds(500)));
        Assert.True(Stopwatch.GetElapsedTime(started) < TimeSpan.FromSeconds(3));
        Assert.Equal(1, exporter.ExportCalls);
    }

    [Fact]
    public void ShutdownTimesOut_SpansStillQueued_AreReportedAsNotExported()
    {
        using var release = new ManualResetEventSlim();
        var exporter = new ControllableExporter
        {
            Behaviour = (_, _) =>
            {
                release.Wait(CancellationToken.None); // holds the only export slot, whatever the cancellation says
                return ValueTask.FromResult(ExportResult.Success);
            },
        };
        var logs = new CapturingLoggerProvider();
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { MaxExportBatchSize = 5, ScheduledDelay = TimeSpan.FromMilliseconds(10) });
        var provider = TestProviders.Create(b => b.AddProcessor(processor), loggerFactory: logs);
        EndSpans(provider, 5);
        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref exporter.ExportCalls) == 1, TimeSpan.FromSeconds(10)));
        EndSpans(provider, 7); // queued behind the held export

        Assert.False(provider.Shutdown(TimeSpan.FromMilliseconds(300))); // the timeout is what is under test
        release.Set();

        var report = Assert.Single(logs.Lines, l => l.EventId.Name == "SpansDropped");
        Assert.Contains("shutdown timed out", report.Message, StringComparison.Ordinal);
        Assert.Contains(" 7 ", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentProducers_WithFlushAndShutdownRacing_NoSpanLostOrDoubled()
    {
        var exporter = new ControllableExporter();
        var provider = TestProviders.Create(b => b.AddExporter(exporter).WithBatchOptions(o =>
        {
            o.MaxQueueSize = 1 << 16;
            o.MaxExportBatchSize = 64;
            o.ScheduledDelay = TimeSpan.FromMilliseconds(1);
        }));
        var tracer = provider.GetTracer("t");
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(() =>
        {
            for (var i = 0; i < 5000; i++)
            {
                tracer.StartSpan("p").End();
                if (i % 1000 == 0)
                {
                    provider.ForceFlush(TimeSpan.FromSeconds(5));
                }
            }
        })).ToArray();
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(20)));
        var ids = exporter.Spans.Select(s => s.Context.SpanId).ToList();
        Assert.Equal(20_000, ids.Count);
        Assert.Equal(20_000, ids.Distinct().Count());
        provider.Dispose();
    }

    [Fact]
    public void UnsampledSpans_AreNotExported()
    {
        var exporter = new ControllableExporter();
        using var provider = TestProviders.Create(b => b.AddExporter(exporter).WithSampler(Traceline.Sampling.Sampler.AlwaysOff));
        EndSpans(provider, 5);
        provider.ForceFlush(TimeSpan.FromSeconds(5));
        Assert.Empty(exporter.Spans);
    }
}
