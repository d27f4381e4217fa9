using Traceline.Export;

namespace Traceline.Tests.Reliability;

/// <summary>
/// Many threads at once on one span, and ForceFlush racing Shutdown and producers: no exception, no span lost, none
/// exported twice. Each test repeats its race many times.
/// </summary>
public class ConcurrencyStressTests
{
    private const int Threads = 4;

    [Fact]
    public void End_CalledFromSeveralThreadsAtOnce_ExportedExactlyOnce()
    {
        var (provider, exporter) = TestProviders.CreateInMemory();
        using var _ = provider;
        var tracer = provider.GetTracer("stress");
        const int Iterations = 2_000;

        using var barrier = new Barrier(Threads);
        var spans = new Span[Iterations];
        for (var i = 0; i < Iterations; i++)
        {
            spans[i] = tracer.StartRootSpan("contended");
        }

        RunOnThreads(_ =>
        {
            for (var i = 0; i < Iterations; i++)
            {
                if ((i & 63) == 0)
                {
                    barrier.SignalAndWait();
                }

                spans[i].End();
            }
        });

        var exported = exporter.Spans.Select(s => s.Context.SpanId).ToList();
        Assert.Equal(Iterations, exported.Count);
        Assert.Equal(Iterations, exported.Distinct().Count());
    }

    [Fact]
    public void SetAttribute_FromSeveralThreadsWhileAnotherEnds_NoExceptionAndTheLimitHolds()
    {
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.WithSpanLimits(l => l.AttributeCountLimit = 64));
        using var _ = provider;
        var tracer = provider.GetTracer("stress");
        const int Iterations = 300;

        for (var i = 0; i < Iterations; i++)
        {
            var span = tracer.StartRootSpan("shared");
            RunOnThreads(thread =>
            {
                for (var a = 0; a < 100; a++)
                {
                    span.SetAttribute($"t{thread}.a{a % 40}", a);
                    span.AddEvent("e");
                    if (thread == 0 && a == 50)
                    {
                        span.End();
                    }
                }
            });
        }

        var exported = exporter.Spans;
        Assert.Equal(Iterations, exported.Count);
        Assert.Equal(Iterations, exported.Select(s => s.Context.SpanId).Distinct().Count());
        Assert.All(exported, s => Assert.InRange(s.Attributes.Length, 1, 64));
    }

    [Fact]
    public async Task ForceFlush_RacingShutdownAndProducers_NoExceptionNoSpanLostOrDoubled()
    {
        for (var iteration = 0; iteration < 25; iteration++)
        {
            var exporter = new ControllableExporter();
            var counter = new CountingProcessor();
            var provider = TestProviders.Create(b => b
                .AddProcessor(counter)
                .WithBatchOptions(o =>
                {
                    o.MaxQueueSize = 512;
                    o.MaxExportBatchSize = 64;
                    o.ScheduledDelay = TimeSpan.FromMilliseconds(1);
                })
                .AddExporter(exporter));
            var tracer = provider.GetTracer("stress");
            var shutdown = 0;
            var flushes = 0;

            var producers = Enumerable.Range(0, Threads - 1).Select(_ => Task.Run(() =>
            {
                while (Volatile.Read(ref shutdown) == 0)
                {
                    tracer.StartRootSpan("produced").End();
                }

                // A few more after shutdown began: non-recording, or dropped and counted.
                for (var i = 0; i < 50; i++)
                {
                    tracer.StartRootSpan("late").End();
                }
            })).ToArray();
            var flusher = Task.Run(() =>
            {
                while (Volatile.Read(ref shutdown) == 0)
                {
                    provider.ForceFlush(TimeSpan.FromSeconds(5));
                    Interlocked.Increment(ref flushes);
                }

                provider.ForceFlush(TimeSpan.FromSeconds(5)); // after shutdown: returns, never hangs
            });

            SpinWait.SpinUntil(() => Volatile.Read(ref flushes) >= 3 && counter.Ended >= 200, TimeSpan.FromSeconds(10));
            var stopper = Task.Run(() => provider.Shutdown(TimeSpan.FromSeconds(10)));
            Volatile.Write(ref shutdown, 1);
            await Task.WhenAll([.. producers, flusher, stopper]).WaitAsync(TimeSpan.FromSeconds(30)); // a hang fails here
            Assert.True(await stopper, $"iteration {iteration}: shutdown timed out");
            var late = System.Diagnostics.Stopwatch.StartNew();
            Assert.True(provider.ForceFlush(TimeSpan.FromSeconds(5)));
            Assert.True(late.Elapsed < TimeSpan.FromSeconds(1), "ForceFlush after shutdown waited instead of returning");

            var batch = provider.Processors.OfType<BatchSpanProcessor>().Single();
            var exported = exporter.Spans.Select(s => s.Context.SpanId).ToList();
            Assert.Equal(exported.Count, exported.Distinct().Count());
            Assert.Equal(counter.Ended, exported.Count + batch.DroppedCount); // every span the processor saw: exported or counted
            provider.Dispose();
        }
    }

    private static void RunOnThreads(Action<int> body)
    {
        var threads = Enumerable.Range(0, Threads).Select(t => new Thread(() => body(t))).ToArray();
        foreach (var thread in threads)
        {
            thread.Start();
        }

        foreach (var thread in threads)
        {
            thread.Join();
        }
    }

    /// <summary>Counts the sampled spans that reach processors, to compare with what the batch processor accounts for.</summary>
    private sealed class CountingProcessor : SpanProcessor
    {
        private long _ended;

        public long Ended => Interlocked.Read(ref _ended);

        public override void OnEnd(Span span)
        {
            if (span.Context.IsSampled)
            {
                Interlocked.Increment(ref _ended);
            }
        }
    }
}
