namespace Traceline.Sampling;

/// <summary>
/// Follows the parent's decision: a root span asks the root sampler; a span with a parent asks one of four samplers,
/// chosen by whether the parent is remote and whether it was sampled.
/// </summary>
internal sealed class ParentBasedSampler : Sampler
{
    public ParentBasedSampler(
        Sampler root,
        Sampler? remoteParentSampled,
        Sampler? remoteParentNotSampled,
        Sampler? localParentSampled,
        Sampler? localParentNotSampled)
    {
        Root = root;
        RemoteParentSampled = remoteParentSampled ?? AlwaysOn;
        RemoteParentNotSampled = remoteParentNotSampled ?? AlwaysOff;
        LocalParentSampled = localParentSampled ?? AlwaysOn;
        LocalParentNotSampled = localParentNotSampled ?? AlwaysOff;
        Description = $"ParentBased{{root={Root.Description},remoteParentSampled={RemoteParentSampled.Description},"
            + $"remoteParentNotSampled={RemoteParentNotSampled.Description},localParentSampled={LocalParentSampled.Description},"
            + $"localParentNotSampled={LocalParentNotSampled.Description}}}";
    }

    public Sampler Root { get; }

    public Sampler RemoteParentSampled { get; }

    public Sampler RemoteParentNotSampled { get; }

    public Sampler LocalParentSampled { get; }

    public Sampler LocalParentNotSampled { get; }

    public override string Description { get; }

    internal override void BindTimeProvider(TimeProvider timeProvider)
    {
        Root.BindTimeProvider(timeProvider);
        RemoteParentSampled.BindTimeProvider(timeProvider);
        RemoteParentNotSampled.BindTimeProvider(timeProvider);
        LocalParentSampled.BindTimeProvider(timeProvider);
        LocalParentNotSampled.BindTimeProvider(timeProvider);
    }

    public override SamplingResult ShouldSample(in SamplingParameters parameters)
    {
        var parent = parameters.Parent;
        if (!parent.IsValid)
        {
            return Root.ShouldSample(parameters);
        }

        var delegateTo = parent.IsRemote
            ? (parent.IsSampled ? RemoteParentSampled : RemoteParentNotSampled)
            : (parent.IsSampled ? LocalParentSampled : LocalParentNotSampled);
        return delegateTo.ShouldSample(parameters);
    }
}
