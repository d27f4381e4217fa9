namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>Shared settings of the test hosts.</summary>
internal static class TestDefaults
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>Environment variables for hosts: none, so no test depends on (or mutates) the process environment.</summary>
    public static string? NoEnvironment(string name) => null;
}
