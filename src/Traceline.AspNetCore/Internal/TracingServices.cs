using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Traceline.AspNetCore;

/// <summary>
/// What <c>AddTracing</c> builds once per app: the provider, the app's tracer, and the shutdown timeout read from
/// configuration. Its presence in the container is how <c>UseTracing</c> knows <c>AddTracing</c> was called.
/// </summary>
internal sealed class TracingServices : IDisposable
{
    /// <summary>The configuration key (under <c>Tracing</c>) of the shutdown timeout.</summary>
    public const string ShutdownTimeoutKey = "ShutdownTimeout";

    private static readonly TimeSpan MaxShutdownTimeout = TimeSpan.FromMinutes(10);

    private IDisposable? _handledExceptions;

    public TracingServices(TracingRegistration registration, IConfiguration? configuration, ILoggerFactory? loggerFactory, IHostEnvironment? environment)
    {
        var section = configuration?.GetSection(SettingsSource.SectionName);
        var readEnvironment = registration.Environment;
        Func<string, string?>? readConfiguration = section is null ? null : key => section[key];
        var defaultName = environment?.ApplicationName;
        if (!string.IsNullOrWhiteSpace(defaultName) && !NamesService(section, readEnvironment))
        {
            // The host's application name is the default service name, below code, configuration and environment.
            var inner = readConfiguration;
            readConfiguration = key => key == "ServiceName" ? inner?.Invoke(key) ?? defaultName : inner?.Invoke(key);
        }

        var source = new SettingsSource(readConfiguration, readEnvironment, TracelineDiagnostics.Default);
        var builder = new TracingBuilder();
        if (loggerFactory is not null)
        {
            builder.WithLoggerFactory(loggerFactory);
        }

        foreach (var configure in registration.Configure)
        {
            configure(builder);
        }

        Provider = builder.Build(source);
        Tracer = Provider.GetTracer(Provider.Resource.ServiceName);
        ConfiguredShutdownTimeout = ReadShutdownTimeout(source);
    }

    public TracerProvider Provider { get; }

    public Tracer Tracer { get; }

    /// <summary>Gets <c>Tracing:ShutdownTimeout</c>, or <see langword="null"/> when absent or invalid (invalid is reported).</summary>
    public TimeSpan? ConfiguredShutdownTimeout { get; }

    private static bool NamesService(IConfigurationSection? section, Func<string, string?> environment)
    {
        if (!string.IsNullOrWhiteSpace(section?["ServiceName"]) || !string.IsNullOrWhiteSpace(environment("OTEL_SERVICE_NAME")))
        {
            return true;
        }

        var resource = section?["ResourceAttributes"] ?? environment("OTEL_RESOURCE_ATTRIBUTES");
        return resource is not null && resource.Contains("service.name", StringComparison.Ordinal);
    }

    private static TimeSpan? ReadShutdownTimeout(SettingsSource source)
    {
        var raw = source.GetString(ShutdownTimeoutKey, null);
        if (raw is null)
        {
            return null;
        }

        if (long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds))
        {
            if (milliseconds >= 0 && milliseconds <= MaxShutdownTimeout.TotalMilliseconds)
            {
                return TimeSpan.FromMilliseconds(milliseconds);
            }
        }
        else if (TimeSpan.TryParse(raw, CultureInfo.InvariantCulture, out var span) && span >= TimeSpan.Zero && span <= MaxShutdownTimeout)
        {
            return span;
        }

        source.ReportInvalid(
            ShutdownTimeoutKey,
            null,
            "5 seconds",
            "Expected a whole number of milliseconds or a time span (such as 00:00:10) from 0 to 10 minutes.");
        return null;
    }

    /// <summary>Starts listening, once per app, for the handled exceptions ASP.NET Core reports only as diagnostic events.</summary>
    public void ObserveHandledExceptions(DiagnosticListener? listener)
    {
        if (_handledExceptions is null && HandledExceptions.Observe(listener) is { } subscription
            && Interlocked.CompareExchange(ref _handledExceptions, subscription, null) is not null)
        {
            subscription.Dispose();
        }
    }

    /// <summary>Disposes the provider with the host, whichever of the registered services the app resolved.</summary>
    public void Dispose()
    {
        _handledExceptions?.Dispose();
        Provider.Dispose();
    }
}
