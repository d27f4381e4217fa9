using System.Globalization;

namespace Traceline.Sampling;

/// <summary>
/// Samples at most a fixed number of new traces per second (<c>traceline_ratelimited</c>): a token bucket that holds
/// one second of traces (at least one) and refills continuously.
/// </summary>
/// <remarks>
/// <para>
/// A span whose parent is in this process follows the parent, so a trace is never cut in the middle. Every other span
/// (a root, or a span continuing a caller's trace) takes a token or is dropped: a caller sending <c>-01</c> flags
/// cannot make this service record more than the limit. Wrapped in <see cref="Sampler.ParentBased"/>
/// (<c>parentbased_traceline_ratelimited</c>) the caller's decision is honoured and only new roots are limited.
/// </para>
/// <para>
/// Lock-free: the bucket is one 64-bit "theoretical arrival time" (the generic cell rate algorithm) advanced with a
/// compare-and-swap, read against the provider's <see cref="TimeProvider"/> (bound when the provider is built; the
/// system clock until then).
/// </para>
/// </remarks>
internal sealed class RateLimitingSampler : Sampler
{
    private static readonly SamplingResult Sample = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    private readonly double _secondsPerTrace;
    private readonly double _burst;
    private TimeProvider? _time;

    // The time (in timestamp ticks) at which the bucket would be full again; long.MinValue: full.
    private long _theoreticalArrival = long.MinValue;

    public RateLimitingSampler(double tracesPerSecond, TimeProvider? timeProvider = null)
    {
        TracesPerSecond = tracesPerSecond;
        _secondsPerTrace = tracesPerSecond > 0 ? 1.0 / tracesPerSecond : double.PositiveInfinity;
        _burst = Math.Max(1.0, tracesPerSecond);
        _time = timeProvider;
        Description = string.Create(CultureInfo.InvariantCulture, $"RateLimited{{{tracesPerSecond}}}");
    }

    public double TracesPerSecond { get; }

    public override string Description { get; }

    internal TimeProvider Time => _time ?? TimeProvider.System;

    /// <summary>Uses the provider's clock, unless one was given already (the first provider to bind wins).</summary>
    internal override void BindTimeProvider(TimeProvider timeProvider) =>
        Interlocked.CompareExchange(ref _time, timeProvider, null);

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        var parent = parameters.Parent;
        if (parent.IsValid && !parent.IsRemote)
        {
            return parent.IsSampled ? Sample : Drop;
        }

        return TryTake() ? Sample : Drop;
    }

    /// <summary>Takes one token when there is one.</summary>
    internal bool TryTake()
    {
        if (_secondsPerTrace == double.PositiveInfinity)
        {
            return false;
        }

        var time = Time;
        var now = time.GetTimestamp();

        // Perf: a few multiplications per decision; the clamp keeps a tiny rate from overflowing the arithmetic. The
        // interval is rounded up, so rounding can only make the sampler stricter than the rate, never looser.
        const double MaxTicks = long.MaxValue / 4;
        var interval = (long)Math.Min(Math.Ceiling(_secondsPerTrace * time.TimestampFrequency), MaxTicks);
        var tolerance = (long)Math.Min((_burst - 1.0) * interval, MaxTicks);
        while (true)
        {
            var previous = Volatile.Read(ref _theoreticalArrival);
            var start = Math.Max(previous, now);
            if (start - now > tolerance)
            {
                return false; // the bucket is empty until start - tolerance
            }

            if (Interlocked.CompareExchange(ref _theoreticalArrival, start + interval, previous) == previous)
            {
                return true;
            }
        }
    }
}
