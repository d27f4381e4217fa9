namespace Traceline.Sampling;

/// <summary>Decides, when a span starts, whether it is recorded and exported.</summary>
/// <remarks>
/// Samplers run on the hot path of every span: implementations must be thread-safe, must not block, and should not
/// allocate. A sampler that throws is treated as <see cref="SamplingDecision.Drop"/> and reported through diagnostics.
/// </remarks>
public abstract class Sampler
{
    /// <summary>Gets a sampler that records and samples every span.</summary>
    public static Sampler AlwaysOn { get; } = new AlwaysOnSampler();

    /// <summary>Gets a sampler that drops every span (spans still propagate their context, unsampled).</summary>
    public static Sampler AlwaysOff { get; } = new AlwaysOffSampler();

    /// <summary>
    /// Creates a sampler that keeps a fixed fraction of traces, deciding from the trace id alone (<c>traceidratio</c>).
    /// </summary>
    /// <param name="ratio">The fraction to sample, from 0 (none) to 1 (all).</param>
    /// <returns>The sampler.</returns>
    /// <remarks>
    /// The decision compares the right-most 56 bits of the trace id (W3C Level 2's random part) with a threshold
    /// derived from <paramref name="ratio"/>: every service with the same ratio makes the same decision for a trace.
    /// Usually wrapped in <see cref="ParentBased"/> so that only root spans are decided by ratio.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ratio"/> is not a number from 0 to 1.</exception>
    public static Sampler TraceIdRatio(double ratio)
    {
        if (double.IsNaN(ratio) || ratio < 0.0 || ratio > 1.0)
        {
            throw new ArgumentOutOfRangeException(nameof(ratio), ratio, "The sampling ratio is a number from 0 to 1.");
        }

        return new TraceIdRatioSampler(ratio);
    }

    /// <summary>
    /// Creates a sampler that follows the parent's decision and asks <paramref name="root"/> only for root spans
    /// (<c>parentbased_*</c>; the default is parent-based always-on).
    /// </summary>
    /// <param name="root">Decides for spans without a parent.</param>
    /// <param name="remoteParentSampled">Decides when the parent came from another process and was sampled. Default: always on.</param>
    /// <param name="remoteParentNotSampled">Decides when the parent came from another process and was not sampled. Default: always off.</param>
    /// <param name="localParentSampled">Decides when the parent is in this process and was sampled. Default: always on.</param>
    /// <param name="localParentNotSampled">Decides when the parent is in this process and was not sampled. Default: always off.</param>
    /// <returns>The sampler.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="root"/> is <see langword="null"/>.</exception>
    public static Sampler ParentBased(
        Sampler root,
        Sampler? remoteParentSampled = null,
        Sampler? remoteParentNotSampled = null,
        Sampler? localParentSampled = null,
        Sampler? localParentNotSampled = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        return new ParentBasedSampler(root, remoteParentSampled, remoteParentNotSampled, localParentSampled, localParentNotSampled);
    }

    /// <summary>
    /// Creates a sampler that samples at most <paramref name="tracesPerSecond"/> new traces per second
    /// (<c>traceline_ratelimited</c>), so that no burst of requests, and no caller sending sampled flags, can make the
    /// service record more than that.
    /// </summary>
    /// <param name="tracesPerSecond">The most new traces sampled per second; fractions allowed (0.5 is one every two seconds), 0 samples none. Bursts of up to one second's worth (at least one) pass at once.</param>
    /// <returns>The sampler.</returns>
    /// <remarks>
    /// A span whose parent is in the same process follows its parent, so traces stay whole; roots and spans continuing
    /// a caller's trace take from the budget. Wrap it in <see cref="ParentBased"/> to honour trusted callers' decisions
    /// and limit only new roots (<c>parentbased_traceline_ratelimited</c>). The budget is measured with the provider's
    /// <see cref="TimeProvider"/>. Thread-safe and lock-free.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tracesPerSecond"/> is negative, infinite or not a number.</exception>
    public static Sampler RateLimited(double tracesPerSecond)
    {
        if (!double.IsFinite(tracesPerSecond) || tracesPerSecond < 0.0)
        {
            throw new ArgumentOutOfRangeException(nameof(tracesPerSecond), tracesPerSecond, "The rate is a finite number of traces per second, 0 or more.");
        }

        return new RateLimitingSampler(tracesPerSecond);
    }

    /// <summary>Gets a short description of the sampler and its settings, for diagnostics.</summary>
    public virtual string Description => GetType().Name;

    /// <summary>Decides for one span.</summary>
    /// <param name="parameters">What is known about the span.</param>
    /// <returns>The decision.</returns>
    public abstract SamplingResult ShouldSample(in SamplingParameters parameters);

    /// <inheritdoc/>
    public override string ToString() => Description;

    /// <summary>Gives samplers that measure time the provider's clock (called once when a provider is built).</summary>
    internal virtual void BindTimeProvider(TimeProvider timeProvider)
    {
    }
}
