using Traceline.Sampling;

namespace Traceline.Tests.Sampling;

/// <summary>A hand-written sampler that answers a fixed decision and counts its calls.</summary>
internal sealed class RecordingSampler(SamplingDecision decision, string name) : Sampler
{
    public int Calls { get; private set; }

    public override string Description => name;

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        Calls++;
        return new SamplingResult(decision);
    }
}
