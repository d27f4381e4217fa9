using Microsoft.Extensions.DependencyInjection;
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
    /// <para>
    /// <b>Order no longer matters.</b> In an app run by the host (<c>WebApplication</c>, a <c>Startup</c> class,
    /// <c>WebApplicationFactory</c>), the middleware opens the server span before every middleware the app adds, through
    /// a startup filter that <c>AddTracing()</c> registers: requests answered early (HTTPS redirection, CORS preflight,
    /// static files, the rate limiter's 429, authentication's 401) are traced with their status, and every exception
    /// handler sits inside the span. This call then adds nothing to the pipeline where it is; it says that the app wants
    /// server spans, applies <paramref name="configure"/>, and fails fast without <c>AddTracing()</c>. In a pipeline no
    /// host builds (an <c>ApplicationBuilder</c> made by hand) it adds the middleware where it is called.
    /// </para>
    /// <para>
    /// The options are read once, when the pipeline is built; the callbacks of every <c>UseTracing</c> call apply, in
    /// order. Log lines written while a request is handled carry the server span's trace id and span id (the middleware
    /// keeps <see cref="System.Diagnostics.Activity.Current"/> in agreement with the span), and so does ProblemDetails'
    /// <c>traceId</c>.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="app"/> is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException"><c>services.AddTracing()</c> was not called.</exception>
    public static IApplicationBuilder UseTracing(this IApplicationBuilder app, Action<TracingMiddlewareOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ApplicationServices.GetService<TracingServices>() is null)
        {
            throw new InvalidOperationException(
                "Unable to find the services Traceline needs. Call 'services.AddTracing()' (builder.Services.AddTracing()) " +
                "when configuring the application's services, before calling 'app.UseTracing()'.");
        }

        var pipeline = app.ApplicationServices.GetRequiredService<TracingPipeline>();
        pipeline.Use(configure);
        app.Use(next => pipeline.OpensFirst
            ? context => HandledExceptions.PassMarker(context, next)
            : pipeline.CreateMiddleware(app.ApplicationServices, next));
        return app;
    }
}
