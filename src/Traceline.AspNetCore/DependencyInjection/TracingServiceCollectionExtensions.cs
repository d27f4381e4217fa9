using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Traceline;
using Traceline.AspNetCore;
using Traceline.Propagation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Traceline in an application's services: <see cref="AddTracing(IServiceCollection, Action{TracingBuilder}?)"/>.</summary>
public static class TracingServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="TracerProvider"/> for the app, a <see cref="Tracer"/> whose scope is the service name
    /// (inject it into endpoints and services), the provider's <see cref="TextMapPropagator"/>, the options of the
    /// middleware that <c>app.UseTracing()</c> adds, and a hosted service that flushes and shuts the provider down when
    /// the host stops.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">
    /// Names the service, the sampler, span limits, processors and exporters; <see langword="null"/> for the defaults.
    /// Called once, when the provider is built (at host start). Calling <c>AddTracing</c> again adds another callback to
    /// the same provider.
    /// </param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>
    /// <para>
    /// <b>Precedence.</b> What <paramref name="configure"/> sets wins over the <c>Tracing</c> section of the app's
    /// <see cref="IConfiguration"/> (appsettings.json, command line: keys such as <c>Tracing:ServiceName</c>,
    /// <c>Tracing:Sampler</c>, <c>Tracing:Exporter</c>, <c>Tracing:Stdout:Format</c>,
    /// <c>Tracing:SpanLimits:AttributeCountLimit</c>, <c>Tracing:ShutdownTimeout</c>), which wins over the standard
    /// <c>OTEL_*</c> environment variables (<c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>,
    /// <c>OTEL_TRACES_SAMPLER</c>, <c>OTEL_TRACES_SAMPLER_ARG</c>, <c>OTEL_TRACES_EXPORTER</c>, <c>OTEL_PROPAGATORS</c>,
    /// <c>OTEL_SDK_DISABLED</c>, ...), which win over the defaults. The default service name is the host's
    /// <see cref="IHostEnvironment.ApplicationName"/>; with no exporter named anywhere, spans go to stdout.
    /// </para>
    /// <para>
    /// <b>Invalid values</b> in configuration or the environment are reported once at startup, naming the key and the
    /// value, through the <c>Traceline</c> logger category and EventSource, and replaced by the default: they never stop
    /// the app.
    /// </para>
    /// <para>
    /// <b>Lifetime.</b> The provider is a singleton built when the host starts and disposed with the container. When
    /// the host stops, after the server has finished its requests, the provider exports every span that ended and
    /// shuts down, waiting at most <see cref="TracingHostingOptions.ShutdownTimeout"/> (default 5 seconds).
    /// </para>
    /// </remarks>
    /// <example>
    /// <code>
    /// builder.Services.AddTracing(t =&gt; t.WithServiceName("checkout").UseStdoutExporter());
    /// var app = builder.Build();
    /// app.UseTracing();
    /// </code>
    /// </example>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddTracing(this IServiceCollection services, Action<TracingBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registration = GetOrAddRegistration(services);
        if (configure is not null)
        {
            registration.Configure.Add(configure);
        }

        services.AddOptions();
        services.TryAddSingleton(static sp => new TracingServices(
            sp.GetRequiredService<TracingRegistration>(),
            sp.GetService<IConfiguration>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<IHostEnvironment>()));

        // Perf and lifetime: the container creates the provider through this factory, so it also disposes it.
        services.TryAddSingleton(static sp => sp.GetRequiredService<TracingServices>().Provider);
        services.TryAddSingleton(static sp => sp.GetRequiredService<TracingServices>().Tracer);
        services.TryAddSingleton(static sp => sp.GetRequiredService<TracerProvider>().Propagator);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, TracingLifetimeService>());
        services.TryAddSingleton<TracingPipeline>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IStartupFilter, TracingStartupFilter>());
        return services;
    }

    /// <summary>As the public overload, with the environment read through <paramref name="environment"/> (for tests).</summary>
    internal static IServiceCollection AddTracing(this IServiceCollection services, Action<TracingBuilder>? configure, Func<string, string?> environment)
    {
        services.AddTracing(configure);
        GetOrAddRegistration(services).Environment = environment;
        return services;
    }

    private static TracingRegistration GetOrAddRegistration(IServiceCollection services)
    {
        foreach (var descriptor in services)
        {
            if (descriptor.ServiceType == typeof(TracingRegistration) && descriptor.ImplementationInstance is TracingRegistration existing)
            {
                return existing;
            }
        }

        var registration = new TracingRegistration();
        services.AddSingleton(registration);
        return registration;
    }
}
