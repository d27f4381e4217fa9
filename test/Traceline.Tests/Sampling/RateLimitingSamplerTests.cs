using CsCheck;
using Microsoft.Extensions.Time.Testing;
using Traceline.Sampling;

namespace Traceline.Tests.Sampling;

/// <summary>The rate-limited sampler: a lock-free token bucket over the provider's clock.</summary>
public class RateLimitingSamplerTests
{
    private static readonly SpanContext RemoteSampled = new(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled, null, isRemote: true);

    [Fact]
    public void ShouldSample_BurstAtOneInstant_SamplesOneSecondsWorthThenDrops()
    {
        var sampler = new RateLimitingSampler(10, new FakeTimeProvider());

        var sampled = CountSampled(sampler, 100, default);

        Assert.Equal(10, sampled);
    }

    [Fact]
    public void ShouldSample_TimeAdvances_RefillsInProportion()
    {
        var time = new FakeTimeProvider();
        var sampler = new RateLimitingSampler(10, time);
        CountSampled(sampler, 100, default);

        time.Advance(TimeSpan.FromMilliseconds(500));

        Assert.Equal(5, CountSampled(sampler, 100, default));
    }

    [Fact]
    public void ShouldSample_LongIdle_BucketHoldsAtMostOneSecond()
    {
        var time = new FakeTimeProvider();
        var sampler = new RateLimitingSampler(4, time);
        CountSampled(sampler, 10, default);

        time.Advance(TimeSpan.FromHours(1));

        Assert.Equal(4, CountSampled(sampler, 100, default));
    }

    [Fact]
    public void ShouldSample_FractionalRate_OneTraceEveryTwoSeconds()
    {
        var time = new FakeTimeProvider();
        var sampler = new RateLimitingSampler(0.5, time);

        Assert.Equal(1, CountSampled(sampler, 10, default));
        time.Advance(TimeSpan.FromSeconds(1.9));
        Assert.Equal(0, CountSampled(sampler, 10, default));
        time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.Equal(1, CountSampled(sampler, 10, default));
    }

    [Fact]
    public void ShouldSample_RateZero_SamplesNothing()
    {
        Assert.Equal(0, CountSampled(new RateLimitingSampler(0, new FakeTimeProvider()), 100, default));
    }

    [Fact]
    public void ShouldSample_RemoteSampledParent_TakesFromTheBudget()
    {
        // A caller's -01 flag does not buy a sample: the flood is limited like roots are.
        var sampler = new RateLimitingSampler(3, new FakeTimeProvider());

        Assert.Equal(3, CountSampled(sampler, 1000, RemoteSampled));
    }

    [Fact]
    public void ShouldSample_LocalParent_FollowsTheParentWithoutTakingFromTheBudget()
    {
        var sampler = new RateLimitingSampler(1, new FakeTimeProvider());
        var localSampled = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled, null, isRemote: false);
        var localUnsampled = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.None, null, isRemote: false);

        Assert.Equal(50, CountSampled(sampler, 50, localSampled));
        Assert.Equal(0, CountSampled(sampler, 50, localUnsampled));
        Assert.Equal(1, CountSampled(sampler, 50, default)); // the budget is still whole
    }

    [Fact]
    public void ShouldSample_ParentBasedWrapper_HonoursRemoteDecisionAndLimitsRoots()
    {
        var time = new FakeTimeProvider();
        var sampler = Sampler.ParentBased(new RateLimitingSampler(2, time));

        Assert.Equal(20, CountSampled(sampler, 20, RemoteSampled));
        Assert.Equal(2, CountSampled(sampler, 20, default));
    }

    [Fact]
    public void ShouldSample_ManyThreadsAtOneInstant_ExactlyTheBudget()
    {
        var sampler = new RateLimitingSampler(1000, new FakeTimeProvider());
        var sampled = 0;

        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            var mine = CountSampled(sampler, 5000, default);
            Interlocked.Add(ref sampled, mine);
        });

        Assert.Equal(1000, sampled);
    }

    [Fact]
    public void ShouldSample_RandomArrivals_NoWindowExceedsRateTimesWindowPlusBurst()
    {
        // Property: whatever the arrival pattern, any window of w seconds holds at most rate * w + burst samples,
        // and a steady stream faster than the rate gets the rate over the long run.
        Gen.Select(Gen.Int[1, 50], Gen.Int[0, 200_000].Array[200, 400]).Sample((rate, gapsMicroseconds) =>
        {
            var time = new FakeTimeProvider();
            var sampler = new RateLimitingSampler(rate, time);
            var sampledAt = new List<long>();
            foreach (var gap in gapsMicroseconds)
            {
                time.Advance(TimeSpan.FromTicks(gap * 10L));
                if (sampler.TryTake())
                {
                    sampledAt.Add(time.GetTimestamp());
                }
            }

            var frequency = time.TimestampFrequency;
            for (var i = 0; i < sampledAt.Count; i++)
            {
                for (var j = i; j < sampledAt.Count; j++)
                {
                    var window = (sampledAt[j] - sampledAt[i]) / (double)frequency;
                    if (j - i + 1 > (rate * window * (1 + 1e-12)) + rate)
                    {
                        return false;
                    }
                }
            }

            return true;
        }, iter: 200);
    }

    [Fact]
    public void ShouldSample_SteadyOverload_GetsTheRate()
    {
        var time = new FakeTimeProvider();
        var sampler = new RateLimitingSampler(50, time);
        var sampled = 0;

        // 10 seconds of 1,000 requests per second.
        for (var i = 0; i < 10_000; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(1));
            sampled += sampler.TryTake() ? 1 : 0;
        }

        Assert.InRange(sampled, 500, 550); // 10 s x 50/s, plus at most the one-second burst at the start
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void RateLimited_InvalidRate_Throws(double rate)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Sampler.RateLimited(rate));
    }

    [Fact]
    public void RateLimited_Description_NamesTheRate()
    {
        Assert.Equal("RateLimited{2.5}", Sampler.RateLimited(2.5).Description);
    }

    [Fact]
    public void RateLimited_InAProvider_UsesTheProvidersTimeProvider()
    {
        var time = new FakeTimeProvider();
        var (provider, exporter) = TestProviders.CreateInMemory(b => b.WithTimeProvider(time).WithSampler(Sampler.RateLimited(2)));
        using (provider)
        {
            var tracer = provider.GetTracer("test");
            for (var i = 0; i < 10; i++)
            {
                tracer.StartRootSpan("a").End();
            }

            time.Advance(TimeSpan.FromSeconds(1));
            for (var i = 0; i < 10; i++)
            {
                tracer.StartRootSpan("b").End();
            }
        }

        Assert.Equal(2, exporter.Spans.Count(s => s.Name == "a"));
        Assert.Equal(2, exporter.Spans.Count(s => s.Name == "b"));
    }

    [Theory]
    [InlineData("traceline_ratelimited", "7", "RateLimited{7}")]
    [InlineData("TRACELINE_RATELIMITED", "0.25", "RateLimited{0.25}")]
    [InlineData("traceline_ratelimited", null, "RateLimited{100}")]
    public void Read_RateLimitedName_RateFromTheArgument(string name, string? arg, string description)
    {
        var (settings, log) = Read(name, arg);

        Assert.Equal(description, Assert.IsType<RateLimitingSampler>(settings.Sampler).Description);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public void Read_ParentBasedRateLimited_WrapsTheRateLimitedRoot()
    {
        var (settings, _) = Read("parentbased_traceline_ratelimited", "20");

        Assert.Equal(20, Assert.IsType<RateLimitingSampler>(Assert.IsType<ParentBasedSampler>(settings.Sampler).Root).TracesPerSecond);
    }

    [Theory]
    [InlineData("-3")]
    [InlineData("fast")]
    [InlineData("Infinity")]
    public void Read_BadRate_ReportedAndDefaultRate(string arg)
    {
        var (settings, log) = Read("traceline_ratelimited", arg);

        Assert.Equal(TracingSettings.DefaultTracesPerSecond, Assert.IsType<RateLimitingSampler>(settings.Sampler).TracesPerSecond);
        var message = Assert.Single(log.Messages);
        Assert.Contains("OTEL_TRACES_SAMPLER_ARG", message, StringComparison.Ordinal);
        Assert.Contains($"'{arg}'", message, StringComparison.Ordinal);
    }

    private static int CountSampled(Sampler sampler, int attempts, SpanContext parent)
    {
        var sampled = 0;
        for (var i = 0; i < attempts; i++)
        {
            var traceId = parent.IsValid ? parent.TraceId : TraceId.CreateRandom();
            var parameters = new SamplingParameters(parent, traceId, "span", SpanKind.Server);
            if (sampler.ShouldSample(parameters).Decision == SamplingDecision.RecordAndSample)
            {
                sampled++;
            }
        }

        return sampled;
    }

    private static (TracingSettings Settings, CapturingLoggerFactory Log) Read(string name, string? arg)
    {
        var log = new CapturingLoggerFactory();
        var variables = new Dictionary<string, string> { ["OTEL_TRACES_SAMPLER"] = name };
        if (arg is not null)
        {
            variables["OTEL_TRACES_SAMPLER_ARG"] = arg;
        }

        var source = new SettingsSource(null, n => variables.GetValueOrDefault(n), new TracelineDiagnostics(log));
        return (TracingSettings.Read(source), log);
    }
}
