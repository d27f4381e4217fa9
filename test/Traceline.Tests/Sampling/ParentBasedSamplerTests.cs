using Traceline.Sampling;

namespace Traceline.Tests.Sampling;

public class ParentBasedSamplerTests
{
    public static TheoryData<bool, bool, SamplingDecision> DefaultCases => new()
    {
        { true, true, SamplingDecision.RecordAndSample },   // remote parent, sampled
        { true, false, SamplingDecision.Drop },             // remote parent, not sampled
        { false, true, SamplingDecision.RecordAndSample },  // local parent, sampled
        { false, false, SamplingDecision.Drop },            // local parent, not sampled
    };

    [Theory]
    [InlineData(SamplingDecision.RecordAndSample)]
    [InlineData(SamplingDecision.Drop)]
    public void ShouldSample_NoParent_AsksTheRootSampler(SamplingDecision rootDecision)
    {
        var root = new RecordingSampler(rootDecision, "root");
        var sampler = Sampler.ParentBased(root);

        Assert.Equal(rootDecision, Decide(sampler, default));
        Assert.Equal(1, root.Calls);
    }

    [Theory]
    [MemberData(nameof(DefaultCases))]
    public void ShouldSample_WithParentAndDefaults_FollowsTheParent(bool remote, bool sampled, SamplingDecision expected)
    {
        var root = new RecordingSampler(SamplingDecision.RecordOnly, "root");
        var sampler = Sampler.ParentBased(root);

        Assert.Equal(expected, Decide(sampler, Parent(remote, sampled)));
        Assert.Equal(0, root.Calls);
    }

    [Theory]
    [InlineData(true, true, 0)]
    [InlineData(true, false, 1)]
    [InlineData(false, true, 2)]
    [InlineData(false, false, 3)]
    public void ShouldSample_WithParent_AsksTheSamplerConfiguredForThatCase(bool remote, bool sampled, int expectedIndex)
    {
        var root = new RecordingSampler(SamplingDecision.Drop, "root");
        RecordingSampler[] cases =
        [
            new(SamplingDecision.RecordOnly, "remoteSampled"),
            new(SamplingDecision.RecordOnly, "remoteNotSampled"),
            new(SamplingDecision.RecordOnly, "localSampled"),
            new(SamplingDecision.RecordOnly, "localNotSampled"),
        ];
        var sampler = Sampler.ParentBased(root, cases[0], cases[1], cases[2], cases[3]);

        Assert.Equal(SamplingDecision.RecordOnly, Decide(sampler, Parent(remote, sampled)));

        Assert.Equal(0, root.Calls);
        for (var i = 0; i < cases.Length; i++)
        {
            Assert.Equal(i == expectedIndex ? 1 : 0, cases[i].Calls);
        }
    }

    [Fact]
    public void ShouldSample_ManyCalls_AllocatesNothing()
    {
        var sampler = Sampler.ParentBased(Sampler.TraceIdRatio(0.5));
        var parent = Parent(remote: true, sampled: true);
        _ = Decide(sampler, parent);
        _ = Decide(sampler, default);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1_000; i++)
        {
            _ = Decide(sampler, parent);
            _ = Decide(sampler, default);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void ParentBased_NullRoot_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Sampler.ParentBased(null!));
    }

    [Fact]
    public void Description_NamesEverySampler()
    {
        Assert.Equal(
            "ParentBased{root=AlwaysOnSampler,remoteParentSampled=AlwaysOnSampler,remoteParentNotSampled=AlwaysOffSampler,"
            + "localParentSampled=AlwaysOnSampler,localParentNotSampled=AlwaysOffSampler}",
            Sampler.ParentBased(Sampler.AlwaysOn).Description);
    }

    private static SpanContext Parent(bool remote, bool sampled) =>
        new(TraceId.CreateRandom(), SpanId.CreateRandom(), sampled ? TraceFlags.Sampled : TraceFlags.None, isRemote: remote);

    private static SamplingDecision Decide(Sampler sampler, in SpanContext parent) =>
        sampler.ShouldSample(new SamplingParameters(parent, parent.IsValid ? parent.TraceId : TraceId.CreateRandom(), "span", SpanKind.Server)).Decision;
}
