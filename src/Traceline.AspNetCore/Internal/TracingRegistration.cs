namespace Traceline.AspNetCore;

/// <summary>
/// Collects what every <c>AddTracing</c> call contributed, so calling it twice configures one provider. Registered as
/// an instance; read when the provider is first resolved.
/// </summary>
internal sealed class TracingRegistration
{
    public List<Action<TracingBuilder>> Configure { get; } = [];

    /// <summary>Reads an environment variable. Tests replace it so they never mutate the process environment.</summary>
    public Func<string, string?> Environment { get; set; } = System.Environment.GetEnvironmentVariable;
}
