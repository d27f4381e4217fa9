namespace Traceline.AspNetCore;

/// <summary>How the host stops tracing. Configure with <c>services.Configure&lt;TracingHostingOptions&gt;(...)</c>.</summary>
public sealed class TracingHostingOptions
{
    /// <summary>The shutdown timeout used when neither code nor configuration sets one: 5 seconds.</summary>
    public static readonly TimeSpan DefaultShutdownTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Gets or sets how long the host waits, once it has stopped serving requests, for the tracer provider to export
    /// every span that has ended and shut down. Default <see langword="null"/>: the <c>Tracing:ShutdownTimeout</c>
    /// configuration value (a whole number of milliseconds, or a time span such as <c>00:00:10</c>), else
    /// <see cref="DefaultShutdownTimeout"/>. A value set here wins over configuration.
    /// </summary>
    /// <remarks>The host's own shutdown timeout (<c>HostOptions.ShutdownTimeout</c>) still bounds the whole stop.</remarks>
    public TimeSpan? ShutdownTimeout { get; set; }
}
