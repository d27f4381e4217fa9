namespace Traceline.Tests.Internal;

public sealed class BoundedQueueTests
{
    private static readonly Span Sample = TestProviders.Create().GetTracer("t").StartSpan("x");

    [Theory]
    [InlineData(1)]
    [InlineData(100)]
    [InlineData(128)]
    public void TryEnqueue_PastCapacity_Refuses(int capacity)
    {
        var queue = new BoundedQueue<Span>(capacity);
        for (var i = 0; i < capacity; i++)
        {
            Assert.True(queue.TryEnqueue(Sample));
        }

        Assert.False(queue.TryEnqueue(Sample));
        Assert.True(queue.TryDequeue(out _));
        Assert.True(queue.TryEnqueue(Sample));
        Assert.Equal(capacity, queue.Count);
    }

    [Fact]
    public async Task ManyProducersOneConsumer_EveryItemOnce()
    {
        var queue = new BoundedQueue<Span>(1024);
        var tracer = TestProviders.Create(b => b.UseInMemoryExporter(new Traceline.Export.InMemorySpanExporter())).GetTracer("t");
        var spans = Enumerable.Range(0, 40_000).Select(_ => tracer.StartRootSpan("x")).ToArray();
        var received = new List<Span>();
        var producers = Enumerable.Range(0, 4).Select(p => Task.Run(() =>
        {
            for (var i = p; i < spans.Length; i += 4)
            {
                while (!queue.TryEnqueue(spans[i]))
                {
                    Thread.Yield();
                }
            }
        })).ToArray();
        var consumer = Task.Run(() =>
        {
            while (received.Count < spans.Length)
            {
                if (queue.TryDequeue(out var span))
                {
                    received.Add(span!);
                }
            }
        });
        await Task.WhenAll(producers).WaitAsync(TimeSpan.FromSeconds(30));
        await consumer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(spans.Length, received.Distinct().Count());
    }
}
