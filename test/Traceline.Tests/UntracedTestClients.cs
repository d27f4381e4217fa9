using System.Runtime.CompilerServices;

namespace Traceline.Tests;

/// <summary>
/// Tests share a process: hosts built from configuration here default to <c>Tracing:Http:AllClients=false</c>, so that
/// an app's provider does not also trace other tests' clients (a call with no current span becomes a root client span
/// of whichever provider listens, and lands in that test's counts). Providers built in code use
/// <see cref="TestProviders"/>, which does the same.
/// </summary>
internal static class UntracedTestClients
{
#pragma warning disable CA2255 // a test assembly: set once before any host reads its configuration
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Initialize() => Environment.SetEnvironmentVariable("Tracing__Http__AllClients", "false");
}
