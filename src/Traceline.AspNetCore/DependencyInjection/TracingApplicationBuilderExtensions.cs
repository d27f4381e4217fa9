using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Traceline.AspNetCore;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Adds Traceline's server-span middleware to a request pipeline: <see cref="UseTracing"/>.</summary>
public static class TracingApplicationBuilderExtensions
{
    /// <summary>
    /// Adds the middleware that gives every request a server span: it reads the caller's trace context with the
    /// configured propagator, asks the sampler, and makes the span current for the rest of the pipeline, so endpoint
    /// code, <c>tracer.StartSpan(...)</c> and outbound HttpClient calls nest under it.
    /// </summary>
    /// <param name="app">The application builder.</param>
    /// <param name="configure">
    /// Changes the <see cref="TracingMiddlewareOptions"/> after the registered ones (<c>services.Configure</c>) were
    /// applied; <see langword="null"/> to keep them.
    /// </param>
    /// <returns><paramref name="app"/>, for chaining.</returns>
    /// <remarks>
    /// Add it first in the pipeline, so that the span covers every other middleware and sees the exceptions they
    /// throw. The options are read once, here. Log lines written while a request is handled carry the server span's
    /// trace id and span id (the middleware keeps <see cref="System.Diagnostics.Activity.Current"/> in agreement with
    /// the span), and so does ProblemDetails' <c>traceId</c>.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="app"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>services.AddTracing()</c> was not called.</exception>
    public static IApplicationBuilder UseTracing(this IApplicationBuilder app, Action<TracingMiddlewareOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<TracingServices>() is not { } services)
        {
            throw new InvalidOperationException(
                "Unable to find the services Traceline needs. Call 'services.AddTracing()' (builder.Services.AddTracing()) " +
                "when configuring the application's services, before calling 'app.UseTracing()'.");
        }

        var options = app.ApplicationServices.GetRequiredService<IOptionsFactory<TracingMiddlewareOptions>>().Create(Options.DefaultName);
        configure?.Invoke(options);
        var middlewareOptions = options;
        app.Use(next => new TracingMiddleware(next, services.Provider, middlewareOptions).InvokeAsync);
        if (middlewareOptions.RecordHandledExceptions)
        {
            services.ObserveHandledExceptions(app.ApplicationServices.GetService<DiagnosticListener>());
        }

        return app;
    }
}
