namespace Traceline.AspNetCore.Tests.Activities;

/// <summary>
/// ActivityListeners are process-wide: an app that captures <c>*</c> would capture the Activities of other tests'
/// clients and servers, so the tests that listen run on their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ActivityCollection
{
    public const string Name = "Activities";
}
