using System.Globalization;

namespace Traceline.Sampling;

/// <summary>
/// Samples a fixed fraction of traces, deciding from the trace id alone (<c>traceidratio</c>).
/// </summary>
/// <remarks>
/// The decision reads the right-most 56 bits of the trace id (the part W3C Trace Context Level 2 calls random) as an
/// unsigned number R and samples when R is at least the threshold <c>round((1 - ratio) * 2^56)</c>. It depends only on
/// the trace id and the ratio, so every service configured with the same ratio agrees, and a service with a higher
/// ratio samples every trace a lower one does.
/// </remarks>
internal sealed class TraceIdRatioSampler : Sampler
{
    /// <summary>2^56: the number of distinct random values.</summary>
    internal const ulong RandomRange = 1UL << 56;

    private const ulong RandomMask = RandomRange - 1;

    private static readonly SamplingResult Sample = new(SamplingDecision.RecordAndSample);
    private static readonly SamplingResult Drop = new(SamplingDecision.Drop);

    public TraceIdRatioSampler(double ratio)
    {
        Ratio = ratio;
        Threshold = ThresholdFor(ratio);
        Description = string.Create(CultureInfo.InvariantCulture, $"TraceIdRatioBased{{{ratio}}}");
    }

    public double Ratio { get; }

    /// <summary>Gets the rejection threshold: trace ids whose random part is below it are dropped.</summary>
    internal ulong Threshold { get; }

    public override string Description { get; }

    /// <summary>The 56 random bits of a trace id.</summary>
    internal static ulong RandomPart(TraceId traceId) => traceId.Low & RandomMask;

    internal static ulong ThresholdFor(double ratio)
    {
        if (ratio >= 1.0)
        {
            return 0;
        }

        if (ratio <= 0.0)
        {
            return RandomRange; // no 56-bit value reaches it
        }

        // Perf: computed once; the decision is one mask and one compare.
        var threshold = Math.Round((1.0 - ratio) * RandomRange);
        return threshold >= RandomRange ? RandomRange - 1 : (ulong)threshold;
    }

    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        RandomPart(parameters.TraceId) >= Threshold ? Sample : Drop;
}
