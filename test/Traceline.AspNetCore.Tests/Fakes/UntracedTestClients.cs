using System.Runtime.CompilerServices;

namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>
/// The tests' hosts share one process, and a provider that traces every HttpClient would trace the tests' own clients
/// (calls with no current span become root client spans of whichever provider listens first). Hosts built from
/// configuration therefore default to <c>Tracing:Http:AllClients=false</c> here; the tests of that feature turn it on
/// in code, which wins over configuration, and run alone (<see cref="ProcessWideHttpCollection"/>).
/// </summary>
internal static class UntracedTestClients
{
#pragma warning disable CA2255 // a test assembly: set once before any host reads its configuration
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Initialize() => Environment.SetEnvironmentVariable("Tracing__Http__AllClients", "false");
}

/// <summary>Tests whose providers trace every HttpClient of the process: they run with no other test beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideHttpCollection
{
    public const string Name = "Process-wide HttpClient tracing";
}
