using System.Runtime.CompilerServices;

namespace Traceline.Tests.Shared;

/// <summary>
/// A test assembly's tests share one process, and a provider that traces every HttpClient would also trace other
/// tests' clients (a call with no current span becomes a root client span of whichever provider listens, and lands in
/// that test's counts). Hosts built from configuration therefore default to <c>Tracing:Http:AllClients=false</c> in
/// every test project that links this file; tests of that feature turn it on in code, which wins over configuration.
/// </summary>
internal static class UntracedTestClients
{
#pragma warning disable CA2255 // a test assembly: set once before any host reads its configuration
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Initialize() => Environment.SetEnvironmentVariable("Tracing__Http__AllClients", "false");
}
