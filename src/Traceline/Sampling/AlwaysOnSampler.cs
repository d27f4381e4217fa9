namespace Traceline.Sampling;

/// <summary>Samples every span (<c>always_on</c>).</summary>
internal sealed class AlwaysOnSampler : Sampler
{
    private static readonly SamplingResult Result = new(SamplingDecision.RecordAndSample);

    public override string Description => "AlwaysOnSampler";

    public override SamplingResult ShouldSample(in SamplingParameters parameters) => Result;
}
