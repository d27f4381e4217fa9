using Microsoft.Extensions.Http;
using Traceline;
using Traceline.Http;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Adds Traceline's <see cref="TracingHandler"/> to clients of <c>IHttpClientFactory</c>.</summary>
public static class TracingHttpClientBuilderExtensions
{
    /// <summary>
    /// Traces the client's requests: each gets a client span and carries its context to the server. Use it on one
    /// client (<c>services.AddHttpClient("bar").AddTracingHandler()</c>) or on all
    /// (<c>services.ConfigureHttpClientDefaults(b =&gt; b.AddTracingHandler())</c>).
    /// </summary>
    /// <param name="builder">The client builder.</param>
    /// <param name="configure">Sets the filter, enrich callbacks and redacted query keys; run once, here. Default: trace every request.</param>
    /// <returns>The builder, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">
    /// Thrown when the factory creates the client's handlers and no <see cref="TracerProvider"/> is registered: call
    /// <c>services.AddTracing()</c>.
    /// </exception>
    /// <remarks>
    /// The handler sits where this call puts it among the client's handlers: add it after a retry handler to see (and
    /// count) each attempt, before it to see one span per logical request. The runtime's own per-request instrumentation
    /// is taken out of the client's primary handler unless <see cref="TracingHandlerOptions.KeepRuntimeInstrumentation"/>
    /// says otherwise.
    /// </remarks>
    public static IHttpClientBuilder AddTracingHandler(this IHttpClientBuilder builder, Action<TracingHandlerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new TracingHandlerOptions();
        configure?.Invoke(options);

        // The client's Timeout is read when a request fails, to tell a timeout apart from a caller's cancellation.
        var timeouts = new ClientTimeoutSource();
        builder.ConfigureHttpClient(timeouts.Observe);
        if (!options.KeepRuntimeInstrumentation)
        {
            // Post-configured, so that it reaches a primary handler set after this call as well.
            builder.Services.PostConfigure<HttpClientFactoryOptions>(
                builder.Name,
                static factory => factory.HttpMessageHandlerBuilderActions.Add(RuntimeInstrumentation.Remove));
        }

        return builder.AddHttpMessageHandler(services => new TracingHandler(
            services.GetService<TracerProvider>() ?? throw new InvalidOperationException(
                "AddTracingHandler() needs a TracerProvider in the service collection, and none is registered. "
                + "Call services.AddTracing() when configuring services."),
            options,
            timeouts));
    }
}
