using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Traceline.AspNetCore;

/// <summary>
/// Finds an exception that middleware handled inside the server span (so it never reached the span's middleware), and
/// the endpoint it was thrown from, in what ASP.NET Core leaves on the request: <see cref="IExceptionHandlerFeature"/>
/// (UseExceptionHandler, with or without a path, IExceptionHandler, ProblemDetails), the
/// <c>Microsoft.AspNetCore.Diagnostics.UnhandledException</c> diagnostic event (the developer exception page, which sets no
/// feature), and <see cref="IStatusCodeReExecuteFeature"/> (status-code pages that re-execute: no exception, but the
/// original endpoint).
/// </summary>
internal static class HandledExceptions
{
    /// <summary>The diagnostic event the developer exception page writes once it rendered its page.</summary>
    public const string DeveloperPageEvent = "Microsoft.AspNetCore.Diagnostics.UnhandledException";

    /// <summary>
    /// Whether <paramref name="context"/> is being re-executed by an exception handler or a status-code page: the
    /// server span of its first pass is already there, so this pass must not start a second one.
    /// </summary>
    /// <remarks>Perf: both re-execute with an error status already set, so a fresh request (200) reads no feature.</remarks>
    public static bool IsReExecution(HttpContext context) =>
        context.Response.StatusCode >= StatusCodes.Status400BadRequest
        && (context.Features.Get<IExceptionHandlerFeature>() is not null || context.Features.Get<IStatusCodeReExecuteFeature>() is not null);

    /// <summary>
    /// Returns the exception that middleware handled for <paramref name="context"/>, or <see langword="null"/>, and the
    /// endpoint that was current when it was thrown (or before a status-code page re-executed), if known.
    /// </summary>
    /// <remarks>
    /// Perf: the caller asks only for a 4xx or 5xx response or a thrown exception, since every handler named above
    /// leaves an error status: the no-error path reads no feature. A handler that answers an exception with 2xx or
    /// 3xx is taken at its word: nothing failed.
    /// </remarks>
    public static Exception? Find(HttpContext context, out Endpoint? endpoint)
    {
        var features = context.Features;
        if (features.Get<IExceptionHandlerFeature>() is { } handled)
        {
            endpoint = handled.Endpoint;
            return handled.Error;
        }

        endpoint = features.Get<IStatusCodeReExecuteFeature>()?.Endpoint ?? features.Get<ReExecutedFrom>()?.Endpoint;
        return features.Get<DeveloperPageException>()?.Error;
    }

    /// <summary>
    /// Listens to the developer exception page's event (only that one, so hosting and routing, which ask the listener
    /// before each of their own events, find it off) and leaves the exception on the request for <see cref="Find"/>.
    /// </summary>
    /// <returns>The subscription, or <see langword="null"/> without a listener.</returns>
    public static IDisposable? Observe(DiagnosticListener? listener) =>
        listener is null ? null : listener.Subscribe(new DeveloperPageObserver(), static (name, _, _) => name == DeveloperPageEvent);

    /// <summary>
    /// Where <c>UseTracing()</c> sits when the span opened before it (see <see cref="TracingPipeline"/>): a status-code page
    /// that re-executes through here forgets the original endpoint once it is done, so it is kept on the request for
    /// <see cref="Find"/>. Perf: a fresh request (no error status) costs one status check.
    /// </summary>
    public static Task PassMarker(HttpContext context, RequestDelegate next)
    {
        if (IsReExecution(context) && context.Features.Get<IStatusCodeReExecuteFeature>() is { Endpoint: { } endpoint }
            && context.Features.Get<ReExecutedFrom>() is null)
        {
            context.Features.Set(new ReExecutedFrom(endpoint));
        }

        return next(context);
    }

    /// <summary>The endpoint a status-code page re-executed from.</summary>
    internal sealed class ReExecutedFrom(Endpoint endpoint)
    {
        public Endpoint Endpoint { get; } = endpoint;
    }

    /// <summary>The exception the developer exception page showed, kept on the request until the span ends.</summary>
    internal sealed class DeveloperPageException(Exception error)
    {
        public Exception Error { get; } = error;
    }

    private sealed class DeveloperPageObserver : IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(KeyValuePair<string, object?> value)
        {
            // The payload is an anonymous type { httpContext, exception }: read by name (cold: one per error page).
            if (value.Key != DeveloperPageEvent || value.Value is not { } payload)
            {
                return;
            }

            try
            {
                var type = payload.GetType();
                if (type.GetProperty("httpContext")?.GetValue(payload) is HttpContext context
                    && type.GetProperty("exception")?.GetValue(payload) is Exception exception)
                {
                    context.Features.Set(new DeveloperPageException(exception));
                }
            }
            catch (Exception)
            {
                // Tracing never breaks the app: an unexpected payload loses the exception event, nothing else.
            }
        }

        public void OnError(Exception error)
        {
        }

        public void OnCompleted()
        {
        }
    }
}
