namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>What every test host adds to the tracing builder before the test's own configuration.</summary>
internal static class TestDefaults
{
    public static void Apply(TracingBuilder builder) => builder.WithPropagator(TestTraceContextPropagator.Instance);

    /// <summary>Environment variables for hosts: none, so no test depends on (or mutates) the process environment.</summary>
    public static string? NoEnvironment(string name) => null;

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
}
