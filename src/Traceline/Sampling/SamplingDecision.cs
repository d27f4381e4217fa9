namespace Traceline.Sampling;

/// <summary>What a sampler decided for a new span.</summary>
public enum SamplingDecision
{
    /// <summary>Record nothing; the span still propagates its context, with the sampled flag off.</summary>
    Drop = 0,

    /// <summary>Record the span for local processors, but do not export it and leave the sampled flag off.</summary>
    RecordOnly = 1,

    /// <summary>Record and export the span, and set the sampled flag so the next services record it too.</summary>
    RecordAndSample = 2,
}
