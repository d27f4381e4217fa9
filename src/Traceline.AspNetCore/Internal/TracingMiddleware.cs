using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Traceline.Propagation;

namespace Traceline.AspNetCore;

/// <summary>
/// Gives every request a server span: extracts the caller's context, lets the sampler decide, makes the span current
/// for the rest of the pipeline, and ends it with the route, the status and any error once the pipeline returns.
/// </summary>
internal sealed class TracingMiddleware
{
    /// <summary>The instrumentation scope of server spans.</summary>
    public const string InstrumentationName = "Traceline.AspNetCore";

    /// <inheritdoc cref="ActivityCorrelation.ActivityName"/>
    public const string ActivityName = ActivityCorrelation.ActivityName;

    /// <summary>The W3C Trace Context Level 2 response header.</summary>
    public const string TraceResponseHeader = "traceresponse";

    private readonly RequestDelegate _next;
    private readonly Tracer _tracer;
    private readonly TracelineDiagnostics _diagnostics;
    private readonly RequestHeaderReader _headers;
    private readonly InboundTrust _trust;
    private readonly ServerAttributes _attributes;
    private readonly InstrumentationCallbacks<HttpContext, HttpRequest, HttpResponse> _callbacks;
    private readonly bool _emitTraceResponse;
    private readonly bool _recordHandledExceptions;

    public TracingMiddleware(RequestDelegate next, TracerProvider provider, TracingMiddlewareOptions options)
    {
        _next = next;
        _tracer = provider.GetTracer(InstrumentationName, typeof(TracingMiddleware).Assembly.GetName().Version?.ToString(3));
        _diagnostics = provider.Diagnostics;
        _headers = new RequestHeaderReader(provider.Propagator);

        // Options become fields once: the request path reads no option object.
        _trust = new InboundTrust(options, _diagnostics);
        _attributes = new ServerAttributes(options);
        _callbacks = new(nameof(TracingMiddlewareOptions), _diagnostics, options.Filter, options.EnrichWithRequest, options.EnrichWithResponse);
        _emitTraceResponse = options.EmitTraceResponse;
        _recordHandledExceptions = options.RecordHandledExceptions;
    }

    /// <summary>
    /// Perf: not async. A filtered request costs one delegate call; a traced one whose pipeline completes synchronously
    /// allocates no state machine. Whatever is made current here is restored before returning.
    /// </summary>
    public Task InvokeAsync(HttpContext context)
    {
        // An exception handler or a status-code page that re-executes the pipeline runs it again behind this middleware
        // (when they sit before it): the first pass's span covers the request.
        if (HandledExceptions.IsReExecution(context))
        {
            return _next(context);
        }

        if (!_callbacks.Admits(context))
        {
            return _next(context);
        }

        var caller = AmbientScope.Capture();
        Span span;
        Activity? ownActivity = null;
        try
        {
            span = Start(context, caller, out ownActivity);
        }
        catch (Exception ex)
        {
            // Tracing never breaks the app: a failure to start the span serves the request untraced.
            _diagnostics.CallbackFailed(InstrumentationName + ".StartServerSpan", ex);
            caller.Restore(ownActivity);
            return _next(context);
        }

        Exception? exception = null;
        Task task;
        try
        {
            task = _next(context);
        }
        catch (Exception ex) when (RecordAndReturnFalse(span, ex, ref exception))
        {
            throw; // never reached: the filter returns false, so the exception flows on with its stack intact
        }
        finally
        {
            if (exception is not null)
            {
                End(context, span, ownActivity, exception);
            }

            caller.Restore(ownActivity);
        }

        if (task.IsCompletedSuccessfully)
        {
            End(context, span, ownActivity, null);
            return task;
        }

        return ownActivity is null ? EndWhenDoneAsync(task, context, span) : EndWhenDoneAsync(task, context, span, ownActivity);
    }

    /// <summary>
    /// Perf: the state machine holds only what it needs across the await, since its box is allocated for every request
    /// whose pipeline suspends: no exception local is hoisted, and the rare Activity of our own has an overload.
    /// </summary>
    private async Task EndWhenDoneAsync(Task task, HttpContext context, Span span)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (EndAndReturnFalse(context, span, null, ex))
        {
            throw; // never reached
        }

        End(context, span, null, null);
    }

    private async Task EndWhenDoneAsync(Task task, HttpContext context, Span span, Activity ownActivity)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (EndAndReturnFalse(context, span, ownActivity, ex))
        {
            throw; // never reached
        }

        End(context, span, ownActivity, null);
    }

    /// <summary>Starts the server span from the caller's context, makes it current, and runs the request-side callbacks.</summary>
    private Span Start(HttpContext context, in AmbientScope caller, out Activity? ownActivity)
    {
        var request = context.Request;
        var extracted = Extract(request.Headers);
        var parent = extracted.SpanContext;
        var trusted = _trust.Apply(context, extracted, ref parent, out var link);
        var correlated = ActivityCorrelation.Correlate(_tracer.Provider, caller.Activity, parent, out ownActivity);

        var buffer = default(StartAttributeBuffer);
        Span<SpanAttribute> attributes = buffer;
        var count = 0;
        var name = _attributes.WriteStart(context, attributes, ref count);
        var span = _tracer.StartSpanCore(new SpanStartArguments(name, SpanKind.Server, parent, caller.Span)
        {
            Attributes = attributes[..count],
            Links = link.Context.IsValid ? new ReadOnlySpan<SpanLink>(in link) : default,
            AdoptedTraceId = ActivityCorrelation.TraceIdOf(correlated),
            AdoptedSpanId = ActivityCorrelation.SpanIdOf(correlated),
        });

        ActivityCorrelation.ShareSampled(correlated, span.Context);
        if (trusted && extracted.Baggage.Count > 0)
        {
            Baggage.Current = extracted.Baggage;
        }

        if (span.IsRecording)
        {
            _attributes.RecordRequestHeaders(span, request);
            _callbacks.EnrichWithRequest(span, request);
        }

        if (_emitTraceResponse)
        {
            context.Response.Headers[TraceResponseHeader] = TraceParentFormat.Format(span.Context);
        }

        return span;
    }

    /// <summary>The caller's context; a propagator that throws starts a new trace.</summary>
    private PropagationContext Extract(IHeaderDictionary headers)
    {
        try
        {
            return _headers.Read(headers);
        }
        catch (Exception ex)
        {
            _diagnostics.CallbackFailed("Propagator " + _headers.PropagatorName, ex);
            return default;
        }
    }

    private void End(HttpContext context, Span span, Activity? ownActivity, Exception? exception)
    {
        try
        {
            if (span.IsRecording)
            {
                // A handled exception never reached this middleware: take it, and the endpoint that threw, from the
                // request. One thrown out of the pipeline was recorded where it passed; the handler's own copy of it
                // (a handler that failed rethrows the original) is not recorded twice.
                var statusCode = ServerAttributes.StatusCode(context.Response, exception);
                Endpoint? origin = null;
                if (_recordHandledExceptions && (exception is not null || statusCode >= StatusCodes.Status400BadRequest)
                    && HandledExceptions.Find(context, out origin) is { } handled && exception is null)
                {
                    RecordException(span, handled);
                    exception = handled;
                }

                _attributes.WriteEnd(context, span, statusCode, exception, origin);
                _callbacks.EnrichWithResponse(span, context.Response);
            }
        }
        catch (Exception ex)
        {
            _diagnostics.CallbackFailed(InstrumentationName + ".End", ex);
        }
        finally
        {
            span.End();
            ownActivity?.Stop();
        }
    }

    /// <summary>Cold: a pipeline that failed asynchronously. Records and ends from the exception filter, so tracing never unwinds the stack.</summary>
    private bool EndAndReturnFalse(HttpContext context, Span span, Activity? ownActivity, Exception exception)
    {
        RecordException(span, exception);
        End(context, span, ownActivity, exception);
        return false;
    }

    /// <summary>Cold: a pipeline that threw synchronously. Records from the exception filter; the span ends in the caller's finally.</summary>
    private bool RecordAndReturnFalse(Span span, Exception exception, ref Exception? captured)
    {
        captured = exception;
        RecordException(span, exception);
        return false;
    }

    private void RecordException(Span span, Exception exception)
    {
        try
        {
            span.RecordException(exception);
        }
        catch (Exception ex)
        {
            _diagnostics.CallbackFailed(InstrumentationName + ".RecordException", ex);
        }
    }
}
