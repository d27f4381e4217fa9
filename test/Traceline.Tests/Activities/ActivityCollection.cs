namespace Traceline.Tests.Activities;

/// <summary>
/// ActivityListeners are process-wide: a test that captures <c>*</c> would see the Activities of every other test, so
/// the tests that listen run one at a time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ActivityCollection
{
    public const string Name = "Activities";
}
