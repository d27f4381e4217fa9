using System.Runtime.CompilerServices;

namespace Traceline.Cli.Tests.Services;

/// <summary>
/// The services of these tests share one process, where a provider that traces every HttpClient would also trace the
/// test's own client and the proxy (both stand for other processes). The services therefore trace only their clients
/// with the tracing handler, as each would in a process of its own: <c>Tracing:Http:AllClients=false</c>.
/// </summary>
internal static class UntracedTestClients
{
#pragma warning disable CA2255 // a test assembly: set once before any host reads its configuration
    [ModuleInitializer]
#pragma warning restore CA2255
    public static void Initialize() => Environment.SetEnvironmentVariable("Tracing__Http__AllClients", "false");
}
