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

    /// <summary>Gets a short description of the sampler and its settings, for diagnostics.</summary>
    public virtual string Description => GetType().Name;

    /// <summary>Decides for one span.</summary>
    /// <param name="parameters">What is known about the span.</param>
    /// <returns>The decision.</returns>
    public abstract SamplingResult ShouldSample(in SamplingParameters parameters);

    /// <inheritdoc/>
    public override string ToString() => Description;
}
