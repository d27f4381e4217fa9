using System.Diagnostics;
using Traceline.Propagation;

namespace Traceline.Http;

/// <summary>
/// Traces outgoing HTTP requests: each request gets a client span, child of the current span, and carries that span's
/// context to the server through the provider's propagator (<c>traceparent</c>, <c>tracestate</c>, <c>baggage</c>).
/// </summary>
/// <remarks>
/// <para>
/// With <c>IHttpClientFactory</c>, add it with <c>AddTracingHandler()</c>. Without dependency injection:
/// <c>new HttpClient(new TracingHandler(provider) { InnerHandler = new SocketsHttpHandler() })</c>.
/// One instance serves any number of concurrent requests.
/// </para>
/// <para>
/// Span name and attributes follow the OpenTelemetry HTTP client conventions. The headers the propagator owns are
/// rewritten on every send, so a request message sent again (by a retry handler) carries exactly one
/// <c>traceparent</c>, naming the span of that attempt, and <c>http.request.resend_count</c> counts the attempts.
/// While the request is in flight, <see cref="Activity.Current"/> is hidden from the handlers below, so that .NET's
/// own HttpClient diagnostics add no trace headers of another origin beside Traceline's.
/// </para>
/// <para>
/// Inside <see cref="Tracing.Suppress"/> the handler creates no span and no trace header is sent. Tracing never breaks
/// a request: a failure in the handler's own tracing code is reported through the <c>Traceline</c> diagnostics and
/// the request goes on; exceptions of the request itself are recorded and rethrown unchanged.
/// </para>
/// </remarks>
public sealed class TracingHandler : DelegatingHandler
{
    /// <summary>The instrumentation scope name of the client spans.</summary>
    internal const string InstrumentationName = "Traceline.Http";

    private readonly Tracer _tracer;
    private readonly TracelineDiagnostics _diagnostics;
    private readonly RequestHeaderWriter _headers;
    private readonly ResendCounter _resends;
    private readonly FullUrlCache _urls;
    private readonly InstrumentationCallbacks<HttpRequestMessage, HttpRequestMessage, HttpResponseMessage> _callbacks;
    private readonly ClientTimeoutSource? _timeouts;

    /// <summary>Creates a handler that traces through <paramref name="provider"/>.</summary>
    /// <param name="provider">The provider whose tracer, sampler and propagator the handler uses.</param>
    /// <param name="options">Filter, enrich callbacks and redacted query keys; read once, here. Default: trace every request.</param>
    /// <exception cref="ArgumentNullException"><paramref name="provider"/> is <see langword="null"/>.</exception>
    public TracingHandler(TracerProvider provider, TracingHandlerOptions? options = null)
        : this(provider, options, timeouts: null)
    {
    }

    internal TracingHandler(TracerProvider provider, TracingHandlerOptions? options, ClientTimeoutSource? timeouts)
    {
        ArgumentNullException.ThrowIfNull(provider);
        _tracer = provider.GetTracer(InstrumentationName, typeof(TracingHandler).Assembly.GetName().Version?.ToString(3));
        _diagnostics = provider.Diagnostics;
        string[] fields = [.. provider.Propagator.Fields];
        _resends = new ResendCounter(fields);
        _headers = new RequestHeaderWriter(provider.Propagator, fields, _resends.MarkedNames);
        _urls = new FullUrlCache(options is null ? [] : [.. options.RedactedQueryKeys]);
        _callbacks = new(nameof(TracingHandlerOptions), _diagnostics, options?.Filter, options?.EnrichWithRequest, options?.EnrichWithResponse, options?.EnrichWithException);
        _timeouts = timeouts;
    }

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendCore(request, async: true, cancellationToken).AsTask(); // the inner handler's own task: no allocation

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var sent = SendCore(request, async: false, cancellationToken);
        return sent.IsCompleted ? sent.Result : sent.AsTask().GetAwaiter().GetResult(); // a synchronous send is always completed
    }

    /// <summary>
    /// The one body of <see cref="Send"/> and <see cref="SendAsync"/>. Perf: not async. A request with nothing to
    /// trace, or whose inner handler answered synchronously (a cache, an in-memory handler, a response already
    /// buffered), needs no async state machine of ours.
    /// </summary>
    private ValueTask<HttpResponseMessage> SendCore(HttpRequestMessage request, bool async, CancellationToken cancellationToken)
    {
        if (Tracing.IsSuppressed || !ShouldTrace(request))
        {
            // The ambient Activity is hidden even so, and the request suppressed: .NET's own diagnostics must neither send
            // a traceparent naming a span nobody records nor become the client span this request was not to have.
            var hidden = AmbientScope.HideCurrentActivity();
            var wasSuppressed = Tracing.SetSuppressed(true);
            try
            {
                return SendInner(request, async, cancellationToken);
            }
            finally
            {
                Tracing.SetSuppressed(wasSuppressed);
                AmbientScope.ShowActivity(hidden);
            }
        }

        // The span is current for the handlers below while they run synchronously.
        var scope = AmbientScope.Capture();
        var span = Start(request, scope.Span, out var grpc);
        if (span is null)
        {
            return SendInner(request, async, cancellationToken);
        }

        var startTimestamp = _timeouts is null ? 0 : TimeoutClockStart(span);
        scope.HideActivity();
        ValueTask<HttpResponseMessage> sending;
        try
        {
            sending = SendInner(request, async, cancellationToken);
        }
        catch (Exception ex) when (FailAndReturnFalse(span, ex, startTimestamp))
        {
            throw; // never reached: the filter records the exception and lets it fly on unchanged
        }
        finally
        {
            scope.Restore();
        }

        if (sending.IsCompletedSuccessfully)
        {
            Complete(span, sending.Result, grpc);
            return sending;
        }

        return new ValueTask<HttpResponseMessage>(CompleteAsync(sending.AsTask(), span, startTimestamp, grpc));
    }

    private ValueTask<HttpResponseMessage> SendInner(HttpRequestMessage request, bool async, CancellationToken cancellationToken) =>
        async ? new(base.SendAsync(request, cancellationToken)) : new(base.Send(request, cancellationToken));

    /// <summary>Ends the span when a send that went asynchronous finishes; the caller's context is already back.</summary>
    private async Task<HttpResponseMessage> CompleteAsync(Task<HttpResponseMessage> sending, Span span, long startTimestamp, bool grpc)
    {
        HttpResponseMessage response;
        try
        {
            response = await sending.ConfigureAwait(false);
        }
        catch (Exception ex) when (FailAndReturnFalse(span, ex, startTimestamp))
        {
            throw; // never reached: the filter records the exception and lets it fly on unchanged
        }

        Complete(span, response, grpc);
        return response;
    }

    /// <summary>
    /// Where the timeout check measures from. Perf: the span read the clock as it started; with the system time provider
    /// that reading is a <see cref="Stopwatch"/> timestamp already, so the request needs no clock read of its own.
    /// </summary>
    private static long TimeoutClockStart(Span span) =>
        span.Data is { } data && data.Tracer.Clock.IsStopwatch ? data.StartTimestamp : Stopwatch.GetTimestamp();

    private bool ShouldTrace(HttpRequestMessage request) => _callbacks.Admits(request);

    /// <summary>
    /// Starts the client span and injects its context; <see langword="null"/> when tracing itself failed.
    /// <paramref name="grpc"/> tells whether the request is a gRPC call, named and attributed as one.
    /// </summary>
    private Span? Start(HttpRequestMessage request, Span? current, out bool grpc)
    {
        Span span;
        int sendsBefore;
        grpc = false;
        try
        {
            sendsBefore = _resends.SendsBefore(request);
            var buffer = default(StartAttributeBuffer);
            Span<SpanAttribute> attributes = buffer;
            var count = 0;
            var methodIndex = HttpClientConventions.WriteStartAttributes(request, _urls, sendsBefore, attributes, ref count);
            var name = HttpMethods.SpanNames[methodIndex];
            if (GrpcMethodOf(request) is { } method)
            {
                GrpcConventions.WriteStart(method, attributes, ref count);
                name = method.SpanName;
                grpc = true;
            }

            span = _tracer.StartSpanCore(
                new SpanStartArguments(name, SpanKind.Client, _tracer.ParentOf(current), current) { Attributes = attributes[..count], HidesActivity = true, CoversHttpRequest = true });
        }
        catch (Exception ex)
        {
            _diagnostics.CallbackFailed(nameof(TracingHandler) + ".StartSpan", ex);
            return null;
        }

        var marked = false;
        try
        {
            marked = _headers.Write(request, span.Context);
        }
        catch (Exception ex)
        {
            _diagnostics.CallbackFailed(nameof(TracingHandler) + ".Inject", ex);
        }

        if (!marked)
        {
            _resends.SentWithoutMarker(request, sendsBefore);
        }

        if (span.IsRecording)
        {
            _callbacks.EnrichWithRequest(span, request);
        }

        return span;
    }

    /// <summary>The gRPC method of a gRPC call (a POST with a gRPC content type and a <c>/service/method</c> path), else <see langword="null"/>.</summary>
    private static GrpcMethod? GrpcMethodOf(HttpRequestMessage request) =>
        ReferenceEquals(request.Method, HttpMethod.Post) && request.Content?.Headers.ContentType?.MediaType is { } mediaType
        && GrpcConventions.IsGrpcContentType(mediaType) && request.RequestUri is { IsAbsoluteUri: true } uri
            ? GrpcConventions.ParsePath(uri.AbsolutePath)
            : null;

    private void Complete(Span span, HttpResponseMessage response, bool grpc)
    {
        var endNow = true;
        try
        {
            if (span.IsRecording)
            {
                HttpClientConventions.RecordResponse(span, (int)response.StatusCode, HttpClientConventions.ProtocolVersion(response.Version));
                _callbacks.EnrichWithResponse(span, response);

                // A gRPC call is over when its trailers arrive, after the body: its span ends then.
                endNow = !grpc || GrpcResponseContent.CompleteOrDefer(span, response);
            }
        }
        catch (Exception ex)
        {
            _diagnostics.CallbackFailed(nameof(TracingHandler) + ".Complete", ex);
        }
        finally
        {
            if (endNow)
            {
                span.End();
            }
        }
    }

    /// <summary>Records a failed send on the span and ends it. Always returns <see langword="false"/>, so the exception flies on unchanged.</summary>
    private bool FailAndReturnFalse(Span span, Exception exception, long startTimestamp)
    {
        try
        {
            if (span.IsRecording)
            {
                var timedOut = HttpClientConventions.HasTimeoutCause(exception)
                    || (exception is OperationCanceledException && _timeouts is not null && _timeouts.HasElapsed(startTimestamp));
                HttpClientConventions.RecordFailure(span, exception, timedOut);
                _callbacks.EnrichWithException(span, exception);
            }
        }
        catch (Exception ex)
        {
            _diagnostics.CallbackFailed(nameof(TracingHandler) + ".Fail", ex);
        }
        finally
        {
            span.End();
        }

        return false;
    }
}
