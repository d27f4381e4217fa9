using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Traceline.Export;

namespace Traceline.Tests.Export;

// Exports in flight at once (an exporter's MaxConcurrentExports): the bound, flush and shutdown waiting for all, the timeout.
public sealed partial class BatchSpanProcessorTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task ConcurrentExports_NeverMoreThanTheExporterTakes_AndTheWorkerKeepsDraining(int slots)
    {
        var gates = new Gates();
        var exporter = new ControllableExporter { Concurrency = slots, Behaviour = gates.Behaviour };
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { MaxQueueSize = 1000, MaxExportBatchSize = 10, ScheduledDelay = TimeSpan.FromHours(1) }, new FakeTimeProvider(), TracelineDiagnostics.Default);
        using var provider = TestProviders.Create(b => b.AddProcessor(processor));

        EndSpans(provider, 100); // ten full batches
        Assert.True(await Wait.UntilAsync(() => exporter.ExportCalls == slots, Patience)); // every slot busy, none released
        Assert.Equal(slots, gates.Waiting);
        Assert.Equal(slots, processor.ExportSlots);

        // Each release frees one slot, which the worker fills with the next full batch, until all ten are out.
        for (var released = 1; released <= 10; released++)
        {
            gates.ReleaseOne();
            var expected = Math.Min(10, slots + released);
            Assert.True(await Wait.UntilAsync(() => exporter.ExportCalls == expected && exporter.CompletedCalls == released, Patience));
        }

        Assert.Equal(slots, exporter.MaxInFlight);
        Assert.Equal(100, exporter.Spans.Select(s => s.Context.SpanId).Distinct().Count());
        Assert.Equal(1000 + (slots * 10), processor.QueueCapacity); // the queue plus a batch per slot bounds what is held
    }

    [Fact]
    public async Task ConcurrentExports_ForceFlush_WaitsForEveryExportInFlight_WithinItsTimeout()
    {
        var gates = new Gates();
        var exporter = new ControllableExporter { Concurrency = 2, Behaviour = gates.Behaviour };
        using var provider = TestProviders.Create(b => b.AddExporter(exporter).WithBatchOptions(o => (o.MaxExportBatchSize, o.ScheduledDelay) = (10, TimeSpan.FromHours(1))));
        EndSpans(provider, 20);
        Assert.True(await Wait.UntilAsync(() => gates.Waiting == 2, Patience));

        gates.ReleaseOne();
        Assert.True(await Wait.UntilAsync(() => exporter.CompletedCalls == 1, Patience));
        // The queue is empty, but one export is still in flight: the flush must not claim success.
        Assert.False(provider.ForceFlush(TimeSpan.FromMilliseconds(300)));

        var flush = Task.Run(() => provider.ForceFlush(Patience));
        gates.ReleaseOne();
        Assert.True(await flush.WaitAsync(Patience));
        Assert.Equal(20, exporter.Spans.Count);
    }

    [Fact]
    public async Task ConcurrentExports_Shutdown_WaitsForEveryExportInFlight_ThenShutsTheExporterDown()
    {
        var gates = new Gates();
        var exporter = new ControllableExporter { Concurrency = 2, Behaviour = gates.Behaviour };
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { MaxExportBatchSize = 10, ScheduledDelay = TimeSpan.FromHours(1) });
        var provider = TestProviders.Create(b => b.AddProcessor(processor));
        EndSpans(provider, 25); // two full batches go at once, five spans wait for shutdown
        Assert.True(await Wait.UntilAsync(() => gates.Waiting == 2, Patience));

        var shutdown = Task.Run(() => provider.Shutdown(Patience));
        Assert.True(await Wait.UntilAsync(() => processor.IsShuttingDown, Patience));
        gates.Open(); // the held two, and the remainder after them
        Assert.True(await shutdown.WaitAsync(Patience));

        Assert.Equal(3, exporter.CompletedAtShutdown); // both held exports and the remainder finished before ShutdownAsync
        Assert.Equal(25, exporter.Spans.Count);
        Assert.Equal(1, exporter.ShutdownCalls);
        provider.Dispose();
    }

    [Fact]
    public async Task ConcurrentExports_ExportTimeout_CancelsEveryExportInFlight_AndFreesTheirSlots()
    {
        var time = new FakeTimeProvider();
        var cancelled = 0;
        var exporter = new ControllableExporter
        {
            Concurrency = 2,
            Behaviour = async (_, ct) =>
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ct); // honours its token, nothing else ends it
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    throw;
                }

                return ExportResult.Success;
            },
        };
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { MaxExportBatchSize = 10, ScheduledDelay = TimeSpan.FromHours(1), ExportTimeout = TimeSpan.FromSeconds(30) }, time, TracelineDiagnostics.Default);
        using var provider = TestProviders.Create(b => b.AddProcessor(processor));
        EndSpans(provider, 20);
        Assert.True(await Wait.UntilAsync(() => exporter.ExportCalls == 2, Patience));

        time.Advance(TimeSpan.FromSeconds(30)); // one timeout for each, on the processor's clock
        Assert.True(await Wait.UntilAsync(() => Volatile.Read(ref cancelled) == 2 && exporter.CompletedCalls == 2, Patience));

        EndSpans(provider, 10); // the freed slots take new batches
        Assert.True(await Wait.UntilAsync(() => exporter.ExportCalls == 3, Patience));
        Assert.Equal(0, processor.ExportedCount);
        Assert.Equal(0, processor.DroppedCount); // a failed export is reported, not counted as a queue drop
    }

    [Fact]
    public async Task ConcurrentExports_EverySlotHeldByAnExportIgnoringCancellation_LaterBatchesDroppedAndCounted()
    {
        var exporter = new ControllableExporter
        {
            Concurrency = 2,
            Behaviour = async (_, _) =>
            {
                await Task.Delay(Timeout.Infinite, CancellationToken.None);
                return ExportResult.Success;
            },
        };
        var processor = new BatchSpanProcessor(exporter, new BatchSpanProcessorOptions { MaxExportBatchSize = 5, ExportTimeout = TimeSpan.FromMilliseconds(100), ScheduledDelay = TimeSpan.FromHours(1) });
        var provider = TestProviders.Create(b => b.AddProcessor(processor));
        EndSpans(provider, 50); // ten full batches
        Assert.True(await Wait.UntilAsync(() => processor.DroppedCount == 40, Patience)); // two held past their timeout, the other eight dropped
        Assert.Equal(2, exporter.ExportCalls);
        Assert.False(provider.Shutdown(TimeSpan.FromMilliseconds(500))); // the exporter is stuck: shutdown says so
    }

    /// <summary>Exports that wait until the test lets them go, one at a time, in the order they started.</summary>
    private sealed class Gates
    {
        private readonly ConcurrentQueue<TaskCompletionSource> _waiting = new();
        private volatile bool _open;

        public int Waiting => _waiting.Count;

        public async ValueTask<ExportResult> Behaviour(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
        {
            if (_open)
            {
                return ExportResult.Success;
            }

            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(gate);
            if (_open && _waiting.TryDequeue(out var late))
            {
                late.SetResult(); // opened between the check and the enqueue
            }

            await gate.Task.WaitAsync(cancellationToken);
            return ExportResult.Success;
        }

        public void ReleaseOne()
        {
            Assert.True(_waiting.TryDequeue(out var gate));
            gate.SetResult();
        }

        /// <summary>Releases every waiting export and lets later ones through.</summary>
        public void Open()
        {
            _open = true;
            while (_waiting.TryDequeue(out var gate))
            {
                gate.SetResult();
            }
        }
    }
}
