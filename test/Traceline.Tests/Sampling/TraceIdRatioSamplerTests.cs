using Traceline.Sampling;

namespace Traceline.Tests.Sampling;

public class TraceIdRatioSamplerTests
{
    [Fact]
    public void ShouldSample_SameTraceIdAtTwoServices_SameDecision()
    {
        // Two services, configured alike, each with its own instance.
        var serviceA = Sampler.TraceIdRatio(0.3);
        var serviceB = Sampler.TraceIdRatio(0.3);

        for (var i = 0; i < 10_000; i++)
        {
            var traceId = TraceId.CreateRandom();
            Assert.Equal(Decide(serviceA, traceId), Decide(serviceB, traceId));
        }
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.999)]
    public void ShouldSample_100000RandomTraceIds_SampledFractionWithinOnePercentOfRatio(double ratio)
    {
        const int count = 100_000;
        var sampler = Sampler.TraceIdRatio(ratio);
        var sampled = 0;
        for (var i = 0; i < count; i++)
        {
            if (Decide(sampler, TraceId.CreateRandom()) == SamplingDecision.RecordAndSample)
            {
                sampled++;
            }
        }

        // Within one percentage point: more than 7 standard deviations at any ratio for 100,000 draws.
        Assert.InRange((double)sampled / count, ratio - 0.01, ratio + 0.01);
    }

    [Fact]
    public void ShouldSample_RatioZero_NeverSamplesEvenTheLargestRandomPart()
    {
        var sampler = Sampler.TraceIdRatio(0);

        Assert.Equal(SamplingDecision.Drop, Decide(sampler, TraceId.FromHalves(0, ulong.MaxValue)));
        Assert.Equal(SamplingDecision.Drop, Decide(sampler, TraceId.CreateRandom()));
    }

    [Fact]
    public void ShouldSample_RatioOne_SamplesEvenTheSmallestRandomPart()
    {
        var sampler = Sampler.TraceIdRatio(1);

        Assert.Equal(SamplingDecision.RecordAndSample, Decide(sampler, TraceId.FromHalves(1, 0)));
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(sampler, TraceId.CreateRandom()));
    }

    [Fact]
    public void ShouldSample_RandomPartAtTheThreshold_SampledAndJustBelowDropped()
    {
        var sampler = Sampler.TraceIdRatio(0.5); // threshold 2^55

        Assert.Equal(SamplingDecision.RecordAndSample, Decide(sampler, TraceId.FromHalves(1, 1UL << 55)));
        Assert.Equal(SamplingDecision.Drop, Decide(sampler, TraceId.FromHalves(1, (1UL << 55) - 1)));
    }

    [Fact]
    public void ShouldSample_OnlyTheRightMost56BitsCount()
    {
        var sampler = Sampler.TraceIdRatio(0.5);
        const ulong random = (1UL << 55) + 12345;

        // The left-most 8 bytes and the top byte of the right half do not change the decision.
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(sampler, TraceId.FromHalves(0x0123456789abcdef, random)));
        Assert.Equal(SamplingDecision.RecordAndSample, Decide(sampler, TraceId.FromHalves(1, random | (0xFFUL << 56))));
        Assert.Equal(SamplingDecision.Drop, Decide(sampler, TraceId.FromHalves(1, 12345 | (0xFFUL << 56))));
    }

    [Fact]
    public void ShouldSample_HigherRatio_SamplesEveryTraceALowerRatioSamples()
    {
        var low = Sampler.TraceIdRatio(0.2);
        var high = Sampler.TraceIdRatio(0.6);

        for (var i = 0; i < 10_000; i++)
        {
            var traceId = TraceId.CreateRandom();
            if (Decide(low, traceId) == SamplingDecision.RecordAndSample)
            {
                Assert.Equal(SamplingDecision.RecordAndSample, Decide(high, traceId));
            }
        }
    }

    [Fact]
    public void ShouldSample_ManyCalls_AllocatesNothing()
    {
        var sampler = Sampler.TraceIdRatio(0.5);
        var traceId = TraceId.CreateRandom();
        _ = Decide(sampler, traceId);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            _ = Decide(sampler, traceId);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.1)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void TraceIdRatio_OutOfRange_Throws(double ratio)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampler.TraceIdRatio(ratio));
    }

    [Fact]
    public void Description_NamesTheRatio()
    {
        Assert.Equal("TraceIdRatioBased{0.25}", Sampler.TraceIdRatio(0.25).Description);
    }

    private static SamplingDecision Decide(Sampler sampler, TraceId traceId) =>
        sampler.ShouldSample(new SamplingParameters(default, traceId, "span", SpanKind.Server)).Decision;
}
