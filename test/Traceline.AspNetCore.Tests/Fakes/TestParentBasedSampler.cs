using Traceline.Sampling;

namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>Parent-based sampling by hand: follow a valid parent's sampled flag, else ask the root sampler.</summary>
internal sealed class TestParentBasedSampler(Sampler root) : Sampler
{
    public override SamplingResult ShouldSample(in SamplingParameters parameters) =>
        parameters.Parent.IsValid
            ? new SamplingResult(parameters.Parent.IsSampled ? SamplingDecision.RecordAndSample : SamplingDecision.Drop)
            : root.ShouldSample(parameters);
}
