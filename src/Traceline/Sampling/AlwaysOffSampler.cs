namespace Traceline.Sampling;

/// <summary>Samples no span (<c>always_off</c>).</summary>
internal sealed class AlwaysOffSampler : Sampler
{
    private static readonly SamplingResult Result = new(SamplingDecision.Drop);

    public override string Description => "AlwaysOffSampler";

    public override SamplingResult ShouldSample(in SamplingParameters parameters) => Result;
}
