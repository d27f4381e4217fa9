using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Traceline.AspNetCore;
using Traceline.Export;
using Traceline.Testing;
using Traceline.Testing.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Swaps an app's span exporters for a test's <see cref="SpanCollector"/>: <see cref="AddTracingCollector"/>.</summary>
public static class TracingCollectorServiceCollectionExtensions
{
    /// <summary>
    /// Sends every span the app records to <paramref name="collector"/>, as soon as it ends, instead of the exporters the
    /// app named (stdout, OTLP, ... in code or configuration): tests read the spans without batching delays and
    /// without output on the console.
    /// </summary>
    /// <param name="services">The app's services, for example in <c>WebApplicationFactory</c>'s <c>ConfigureServices</c>.</param>
    /// <param name="collector">Where the spans go; one collector may serve several apps.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <remarks>
    /// <para>
    /// Everything else the app configured stays: service name, sampler, propagator, span limits, <c>Enable(false)</c>
    /// and <c>OTEL_SDK_DISABLED</c>. The order does not matter: call it before or after the app's own
    /// <c>AddTracing(...)</c> (so both <c>ConfigureServices</c> and <c>ConfigureTestServices</c> work). Called twice,
    /// the last collector wins. Calls <c>AddTracing()</c> when the app did not.
    /// </para>
    /// </remarks>
    /// <example>
    /// <code>
    /// var spans = new SpanCollector();
    /// using var factory = new WebApplicationFactory&lt;Program&gt;()
    ///     .WithWebHostBuilder(web =&gt; web.ConfigureServices(s =&gt; s.AddTracingCollector(spans)));
    /// await factory.CreateClient().GetAsync("/orders/42");
    /// var server = (await spans.WaitForSpansAsync(1)).OfKind(SpanKind.Server).Single();
    /// </code>
    /// </example>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static IServiceCollection AddTracingCollector(this IServiceCollection services, SpanCollector collector)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(collector);
        services.AddTracing();

        // AddTracing registers TracingServices with TryAdd: this registration replaces it when the app's came first,
        // and makes the app's later TryAdd a no-op when it comes first.
        for (var i = services.Count - 1; i >= 0; i--)
        {
            if (services[i].ServiceType == typeof(TracingServices))
            {
                services.RemoveAt(i);
            }
        }

        services.AddSingleton(sp =>
        {
            var registration = sp.GetRequiredService<TracingRegistration>();
            var withCollector = new TracingRegistration { Environment = registration.Environment };
            withCollector.Configure.AddRange(registration.Configure);

            // Last, so that it replaces whatever processors and exporters the app's callbacks named.
            withCollector.Configure.Add(t => t.ReplacePipeline(new SimpleSpanProcessor(new CollectorExporter(collector))));
            return new TracingServices(
                withCollector,
                sp.GetService<IConfiguration>(),
                sp.GetService<ILoggerFactory>(),
                sp.GetService<IHostEnvironment>());
        });
        return services;
    }
}
