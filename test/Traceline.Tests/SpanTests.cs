using Microsoft.Extensions.Time.Testing;
using Traceline.Sampling;

namespace Traceline.Tests;

public sealed class SpanTests
{
    private static (TracerProvider Provider, Traceline.Export.InMemorySpanExporter Exporter, Tracer Tracer) Create(Action<TracingBuilder>? configure = null, IDictionary<string, string>? env = null)
    {
        var (provider, exporter) = TestProviders.CreateInMemory(configure, env);
        return (provider, exporter, provider.GetTracer("tests"));
    }

    [Fact]
    public void SetAttribute_AllValueTypes_KeptInOrderWithTypes()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        using var span = tracer.StartSpan("work");
        span.SetAttribute("s", "text")
            .SetAttribute("b", true)
            .SetAttribute("l", 42)
            .SetAttribute("d", 1.5)
            .SetAttribute("sa", new[] { "a", "b" })
            .SetAttribute("ba", new[] { true, false })
            .SetAttribute("la", new long[] { 1, 2 })
            .SetAttribute("da", new[] { 0.5, 2.5 });

        var attributes = span.Attributes.ToArray();
        Assert.Equal(["s", "b", "l", "d", "sa", "ba", "la", "da"], attributes.Select(a => a.Key));
        Assert.Equal("text", attributes[0].Value.StringValue);
        Assert.True(attributes[1].Value.BoolValue);
        Assert.Equal(42, attributes[2].Value.LongValue);
        Assert.Equal(1.5, attributes[3].Value.DoubleValue);
        Assert.Equal(["a", "b"], attributes[4].Value.StringArrayValue.ToArray());
        Assert.Equal(AttributeValueType.BoolArray, attributes[5].Value.Type);
        Assert.Equal([1L, 2L], attributes[6].Value.LongArrayValue.ToArray());
        Assert.Equal([0.5, 2.5], attributes[7].Value.DoubleArrayValue.ToArray());
    }

    [Fact]
    public void SetAttribute_SameKeyTwice_OverwritesInPlace()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        using var span = tracer.StartSpan("work").SetAttribute("a", 1).SetAttribute("b", 2).SetAttribute("a", "x");
        Assert.Equal(2, span.Attributes.Length);
        Assert.Equal("x", span.Attributes[0].Value.StringValue);
    }

    [Fact]
    public void SetAttribute_ArrayChangedByCallerAfterwards_SpanKeepsCopy()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        var tags = new[] { "a" };
        using var span = tracer.StartSpan("work").SetAttribute("tags", tags);
        tags[0] = "changed";
        Assert.Equal("a", span.Attributes[0].Value.StringArrayValue[0]);
    }

    [Fact]
    public void SetAttribute_NullString_Ignored()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        using var span = tracer.StartSpan("work").SetAttribute("a", (string?)null);
        Assert.Equal(0, span.Attributes.Length);
    }

    [Fact]
    public void AttributeCountLimit_Exceeded_DropsNewKeysAndCounts()
    {
        var (provider, exporter, tracer) = Create(b => b.WithSpanLimits(l => l.AttributeCountLimit = 3));
        using var _p = provider;
        var span = tracer.StartSpan("work");
        for (var i = 0; i < 10; i++)
        {
            span.SetAttribute("k" + i, i);
        }

        span.SetAttribute("k0", "still-updatable");
        span.End();
        var exported = Assert.Single(exporter.Spans);
        Assert.Equal(3, exported.Attributes.Length);
        Assert.Equal(7, exported.DroppedAttributeCount);
        Assert.Equal("still-updatable", exported.Attributes[0].Value.StringValue);
    }

    [Fact]
    public void DefaultLimits_AreOpenTelemetrys()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        var span = tracer.StartSpan("work");
        for (var i = 0; i < 200; i++)
        {
            span.SetAttribute("k" + i, i);
            span.AddEvent("e" + i);
            span.AddLink(new SpanLink(new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled)));
        }

        span.End();
        Assert.Equal(128, span.Attributes.Length);
        Assert.Equal(72, span.DroppedAttributeCount);
        Assert.Equal(128, span.Events.Count);
        Assert.Equal(72, span.DroppedEventCount);
        Assert.Equal(128, span.Links.Length);
        Assert.Equal(72, span.DroppedLinkCount);
    }

    [Fact]
    public void EventAndLinkAttributeLimits_FromEnvironment_DropAndCount()
    {
        var env = new Dictionary<string, string>
        {
            ["OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT"] = "1",
            ["OTEL_LINK_ATTRIBUTE_COUNT_LIMIT"] = "2",
            ["OTEL_SPAN_EVENT_COUNT_LIMIT"] = "1",
            ["OTEL_SPAN_LINK_COUNT_LIMIT"] = "1",
        };
        var (provider, _, tracer) = Create(env: env);
        using var _p = provider;
        var span = tracer.StartSpan("work");
        span.AddEvent("first", new("a", 1), new("b", 2), new("c", 3));
        span.AddEvent("second");
        var context = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.None);
        span.AddLink(new SpanLink(context, new("a", 1), new("b", 2), new("c", 3)));
        span.AddLink(new SpanLink(context));
        span.End();

        var spanEvent = Assert.Single(span.Events);
        Assert.Equal(1, spanEvent.Attributes.Length);
        Assert.Equal(2, spanEvent.DroppedAttributeCount);
        Assert.Equal(1, span.DroppedEventCount);
        var link = Assert.Single(span.Links.ToArray());
        Assert.Equal(2, link.Attributes.Length);
        Assert.Equal(1, link.DroppedAttributeCount);
        Assert.Equal(1, span.DroppedLinkCount);
    }

    [Fact]
    public void AttributeValueLengthLimit_FromEnvironment_TruncatesStringsAndArrays()
    {
        var (provider, _, tracer) = Create(env: new Dictionary<string, string> { ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT"] = "4" });
        using var _p = provider;
        using var span = tracer.StartSpan("work")
            .SetAttribute("s", "abcdefgh")
            .SetAttribute("a", new[] { "xy", "123456" })
            .SetAttribute("n", 123456789);
        Assert.Equal("abcd", span.Attributes[0].Value.StringValue);
        Assert.Equal(["xy", "1234"], span.Attributes[1].Value.StringArrayValue.ToArray());
        Assert.Equal(123456789, span.Attributes[2].Value.LongValue);
    }

    [Fact]
    public void End_CalledTwiceAndFromManyThreads_ExportsOnce()
    {
        var (provider, exporter, tracer) = Create();
        using var _p = provider;
        var span = tracer.StartSpan("work");
        Parallel.For(0, 64, _ => span.End());
        span.End();
        span.Dispose();
        Assert.Single(exporter.Spans);
    }

    [Fact]
    public void Changes_AfterEnd_Ignored()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        var span = tracer.StartSpan("work");
        span.End();
        var end = span.EndTime;
        span.SetAttribute("late", 1).AddEvent("late").UpdateName("renamed").SetStatus(SpanStatusCode.Error, "late");
        span.RecordException(new InvalidOperationException());
        span.End();
        Assert.Equal("work", span.Name);
        Assert.Equal(0, span.Attributes.Length);
        Assert.Empty(span.Events);
        Assert.Equal(SpanStatusCode.Unset, span.Status);
        Assert.Equal(end, span.EndTime);
    }

    [Fact]
    public void Status_OkIsFinalAndDescriptionOnlyForError()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        using var failing = tracer.StartSpan("a").SetStatus(SpanStatusCode.Error, "boom");
        Assert.Equal(SpanStatusCode.Error, failing.Status);
        Assert.Equal("boom", failing.StatusDescription);
        failing.SetStatus(SpanStatusCode.Unset);
        Assert.Equal(SpanStatusCode.Error, failing.Status);

        using var ok = tracer.StartSpan("b").SetStatus(SpanStatusCode.Ok, "ignored");
        ok.SetStatus(SpanStatusCode.Error, "too late");
        Assert.Equal(SpanStatusCode.Ok, ok.Status);
        Assert.Null(ok.StatusDescription);
    }

    [Fact]
    public void RecordException_AddsExceptionEventWithSemanticConventionAttributes()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        using var span = tracer.StartSpan("work");
        Exception thrown;
        try
        {
            throw new InvalidOperationException("it broke");
        }
        catch (InvalidOperationException ex)
        {
            thrown = ex;
        }

        span.RecordException(thrown, new SpanAttribute("extra", 1));
        var spanEvent = Assert.Single(span.Events);
        Assert.Equal("exception", spanEvent.Name);
        var attributes = spanEvent.Attributes.ToArray().ToDictionary(a => a.Key, a => a.Value.ToString());
        Assert.Equal("System.InvalidOperationException", attributes["exception.type"]);
        Assert.Equal("it broke", attributes["exception.message"]);
        Assert.Contains(nameof(RecordException_AddsExceptionEventWithSemanticConventionAttributes), attributes["exception.stacktrace"]);
        Assert.Equal("1", attributes["extra"]);
        Assert.Equal(SpanStatusCode.Unset, span.Status);
    }

    [Fact]
    public void Duration_IsExactToTheClockTick()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var (provider, _, tracer) = Create(b => b.WithTimeProvider(time));
        using var _p = provider;
        var span = tracer.StartSpan("work");
        time.Advance(TimeSpan.FromTicks(12_345_678));
        span.AddEvent("midway");
        time.Advance(TimeSpan.FromTicks(1));
        span.End();
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), span.StartTime);
        Assert.Equal(TimeSpan.FromTicks(12_345_679), span.Duration);
        Assert.Equal(span.StartTime + TimeSpan.FromTicks(12_345_678), span.Events[0].Timestamp);
        Assert.Equal(span.StartTime + span.Duration, span.EndTime);
    }

    [Fact]
    public void End_WithExplicitTime_UsesIt()
    {
        var (provider, _, tracer) = Create();
        using var _p = provider;
        var start = new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var span = tracer.StartSpan("work", SpanKind.Internal, default, startTime: start);
        span.End(start.AddMilliseconds(250));
        Assert.Equal(start, span.StartTime);
        Assert.Equal(TimeSpan.FromMilliseconds(250), span.Duration);
    }

    [Fact]
    public void ExplicitStart_ThenEndNow_DurationRunsFromTheExplicitStart()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        var (provider, _, tracer) = Create(b => b.WithTimeProvider(time));
        using var _p = provider;
        var span = tracer.StartSpan("work", SpanKind.Internal, default, startTime: time.GetUtcNow().AddSeconds(-10));
        time.Advance(TimeSpan.FromSeconds(2));
        span.End();
        Assert.Equal(TimeSpan.FromSeconds(12), span.Duration);
        Assert.Equal(time.GetUtcNow(), span.EndTime);
    }

    [Fact]
    public void NonRecordingSpan_KeepsContextAndRecordsNothing()
    {
        var (provider, exporter, tracer) = Create(b => b.WithSampler(Sampler.AlwaysOff));
        using var _p = provider;
        var span = tracer.StartSpan("work");
        Assert.False(span.IsRecording);
        Assert.True(span.Context.IsValid);
        Assert.False(span.Context.IsSampled);
        span.SetAttribute("a", 1).AddEvent("e").SetStatus(SpanStatusCode.Error).UpdateName("x");
        Assert.Equal(0, span.Attributes.Length);
        Assert.Same(span, Span.Current);
        span.End();
        Assert.Null(Span.Current);
        Assert.Empty(exporter.Spans);
    }

    [Fact]
    public void NonRecordingSpan_SetAttribute_DoesNotAllocate()
    {
        var (provider, _, tracer) = Create(b => b.WithSampler(Sampler.AlwaysOff));
        using var _p = provider;
        var span = tracer.StartSpan("work");
        span.SetAttribute("warm", 1);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            span.SetAttribute("key", i).SetAttribute("s", "value").AddEvent("e");
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        span.End();
    }

    [Fact]
    public void ConcurrentSetters_NoExceptionAndNothingLost()
    {
        var (provider, exporter, tracer) = Create(b => b.WithSpanLimits(l => l.AttributeCountLimit = 10_000));
        using var _p = provider;
        var span = tracer.StartSpan("work");
        Parallel.For(0, 4, thread =>
        {
            for (var i = 0; i < 500; i++)
            {
                span.SetAttribute($"t{thread}-{i}", i);
                span.AddEvent("e");
            }
        });
        span.End();
        Assert.Equal(2000, span.Attributes.Length);
        Assert.Equal(128, span.Events.Count);
        Assert.Equal(2000 - 128, span.DroppedEventCount);
        Assert.Single(exporter.Spans);
    }
}
