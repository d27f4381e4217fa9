using CsCheck;

namespace Traceline.Testing.Tests;

public sealed class SpanCollectorTests
{
    [Fact]
    public void Spans_SpanEnded_IsThereAtOnce()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);

        provider.GetTracer("t").StartSpan("work").End();

        Assert.Equal("work", Assert.Single(collector.Spans).Name);
        Assert.Equal(1, collector.Count);
    }

    [Fact]
    public void Spans_SpanStillRunning_IsNotThere()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);

        using var span = provider.GetTracer("t").StartSpan("work");

        Assert.Empty(collector.Spans);
    }

    [Fact]
    public async Task WaitForSpansAsync_SpansEndLater_CompletesWhenTheLastArrives()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        var tracer = provider.GetTracer("t");

        var waiting = collector.WaitForSpansAsync(3);
        Assert.False(waiting.IsCompleted);
        await Task.Run(() =>
        {
            for (var i = 0; i < 3; i++)
            {
                tracer.StartSpan("later").End();
            }
        });
        var spans = await waiting;

        Assert.Equal(3, spans.Count);
    }

    [Fact]
    public async Task WaitForSpansAsync_TooFewInTime_ThrowsTimeoutNamingTheSpansThatArrived()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector, "orders");
        provider.GetTracer("t").StartSpan("only-one").End();

        var error = await Assert.ThrowsAsync<TimeoutException>(() => collector.WaitForSpansAsync(2, TimeSpan.FromMilliseconds(50)));

        Assert.Contains("2 span(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("orders | only-one | Internal", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WaitForAsync_ConditionAlreadyTrue_ReturnsWithoutWaiting()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        provider.GetTracer("t").StartSpan("done").End();

        var spans = await collector.WaitForAsync(s => s.Named("done").Any(), TimeSpan.Zero);

        Assert.Single(spans);
    }

    [Fact]
    public async Task WaitForAsync_Cancelled_ThrowsOperationCanceled()
    {
        var collector = new SpanCollector();
        using var cancel = new CancellationTokenSource();

        var waiting = collector.WaitForAsync(s => s.Count > 0, Timeout.InfiniteTimeSpan, cancel.Token);
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }

    [Fact]
    public async Task WaitForTraceAsync_OtherTracesInterleaved_ReturnsOnlyThatTrace()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        var tracer = provider.GetTracer("t");
        var wanted = TestTracing.Remote();

        tracer.StartRootSpan("other").End();
        var waiting = collector.WaitForTraceAsync(wanted.TraceId, 2);
        using (tracer.StartSpan("server", SpanKind.Server, wanted))
        {
            tracer.StartRootSpan("other-again").End();
            tracer.StartSpan("child").End();
        }

        var trace = await waiting;

        Assert.Equal(wanted.TraceId, trace.TraceId);
        Assert.Equal(["server", "child"], trace.Spans.Select(s => s.Name));
        Assert.Equal(4, collector.Count);
    }

    [Fact]
    public void Clear_AfterSpans_ForgetsThem()
    {
        var collector = new SpanCollector();
        using var provider = TestTracing.Create(collector);
        provider.GetTracer("t").StartSpan("old").End();

        collector.Clear();
        provider.GetTracer("t").StartSpan("new").End();

        Assert.Equal("new", Assert.Single(collector.Spans).Name);
    }

    [Fact]
    public void Add_ManyThreadsManyProviders_KeepsEverySpan()
    {
        Gen.Int[1, 4].Select(Gen.Int[1, 50]).Sample((providers, perThread) =>
        {
            var collector = new SpanCollector();
            var owned = Enumerable.Range(0, providers).Select(i => TestTracing.Create(collector, "svc-" + i)).ToArray();
            try
            {
                Parallel.For(0, providers * 4, i =>
                {
                    var tracer = owned[i % providers].GetTracer("t");
                    for (var n = 0; n < perThread; n++)
                    {
                        tracer.StartRootSpan("s").End();
                    }
                });

                return collector.Count == providers * 4 * perThread
                    && collector.Spans.GroupBy(s => s.Resource!.ServiceName).Count() == providers;
            }
            finally
            {
                foreach (var provider in owned)
                {
                    provider.Dispose();
                }
            }
        }, iter: 30);
    }
}
