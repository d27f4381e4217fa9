using System.Runtime.CompilerServices;

namespace Traceline.Http.Tests.Support;

/// <summary>
/// These tests are about the handler: hosts built from configuration here default to
/// <c>Tracing:Http:AllClients=false</c>, so that a provider does not also trace the tests' own clients (calls with no
/// current span would become root client spans of whichever provider listens first).
/// </summary>
internal static class UntracedTestClients
{
#pragma warning disable CA2255 // a test assembly: set once before any host reads its configuration
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Initialize() => Environment.SetEnvironmentVariable("Tracing__Http__AllClients", "false");
}
