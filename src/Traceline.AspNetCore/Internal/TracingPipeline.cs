using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Traceline.AspNetCore;

/// <summary>
/// Where the server span opens. The host builds its pipeline through <see cref="TracingStartupFilter"/>, which puts the
/// tracing middleware before every middleware the app adds, so that a request answered early (HTTPS redirection, CORS
/// preflight, static files, the rate limiter, authentication) is traced too, whatever the place of
/// <c>UseTracing()</c>. <c>UseTracing()</c> then only contributes its options; in a pipeline that no host builds it
/// adds the middleware where it is, as before.
/// </summary>
/// <remarks>
/// The host runs the startup filter before the app's pipeline is composed, and composes it last to first: the
/// <c>UseTracing()</c> markers see <see cref="OpensFirst"/> set, then the first middleware is made and clears it, so a
/// pipeline built later from the same services (by hand) gets its middleware where <c>UseTracing()</c> puts it.
/// </remarks>
internal sealed class TracingPipeline
{
    private readonly List<Action<TracingMiddlewareOptions>> _configure = [];
    private volatile bool _opensFirst;
    private volatile bool _used;

    /// <summary>Gets whether the pipeline being composed has the tracing middleware first (the startup filter ran).</summary>
    public bool OpensFirst => _opensFirst;

    /// <summary>Called by <c>UseTracing()</c>: the app wants server spans, with these options.</summary>
    public void Use(Action<TracingMiddlewareOptions>? configure)
    {
        if (configure is not null)
        {
            lock (_configure) // pipeline composition, once per app
            {
                _configure.Add(configure);
            }
        }

        _used = true;
    }

    /// <summary>Called by the startup filter before the app's pipeline is composed.</summary>
    public void Open(IApplicationBuilder app)
    {
        _opensFirst = true;
        app.Use(next =>
        {
            _opensFirst = false;
            return _used ? CreateMiddleware(app.ApplicationServices, next) : next;
        });
    }

    /// <summary>The middleware with the registered options and those of every <c>UseTracing(configure)</c>.</summary>
    public RequestDelegate CreateMiddleware(IServiceProvider services, RequestDelegate next)
    {
        var tracing = services.GetRequiredService<TracingServices>();
        var options = services.GetRequiredService<IOptionsFactory<TracingMiddlewareOptions>>().Create(Options.DefaultName);
        lock (_configure)
        {
            foreach (var configure in _configure)
            {
                configure(options);
            }
        }

        if (options.RecordHandledExceptions)
        {
            tracing.ObserveHandledExceptions(services.GetService<DiagnosticListener>());
        }

        return new TracingMiddleware(next, tracing.Provider, options).InvokeAsync;
    }
}
