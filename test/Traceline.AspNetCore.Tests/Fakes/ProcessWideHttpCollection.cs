namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>
/// Tests whose providers trace every HttpClient of the process (turned on in code, over the test projects' default of
/// <c>Tracing:Http:AllClients=false</c>, see test/Shared/UntracedTestClients.cs): they run with no other test beside them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideHttpCollection
{
    public const string Name = "Process-wide HttpClient tracing";
}
