using System.Diagnostics;
using System.Runtime.CompilerServices;
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

    /// <summary>
    /// How many times this request message was sent through this handler before; stored in
    /// <see cref="HttpRequestMessage.Options"/> on a resend only (see <see cref="SendsBefore"/>).
    /// </summary>
    internal static readonly HttpRequestOptionsKey<int> SendCountKey = new("Traceline.Http.SendCount");

    // Perf: boxed send counts for the common first resends, so storing the count does not box each time.
    private static readonly object[] BoxedCounts = [0, 1, 2, 3, 4, 5, 6, 7];

    private readonly TracerProvider _provider;
    private readonly Tracer _tracer;
    private readonly TextMapPropagator _propagator;
    private readonly BuiltInPropagation? _builtIn;
    private readonly string[] _fields;

    // How many marked fields SetHeader wrote on this thread; compared around a synchronous Inject.
    [ThreadStatic]
    private static int t_marksWritten;

    // This handler's own instances of the field names (same text, never interned): HttpHeaders keeps the name instance
    // a header was added with, so a header named by one of these was written by this handler on an earlier send of
    // the same message. Null when the runtime does not keep the instance (then every send counts in Options).
    private readonly string[]? _markedFields;
    private readonly Action<HttpRequestMessage, string, string> _setHeader;
    private volatile bool _sentWithoutMarker; // set once a send carried no marked field: from then on Options is read too
    private readonly Func<HttpRequestMessage, bool>? _filter;
    private readonly Action<Span, HttpRequestMessage>? _enrichWithRequest;
    private readonly Action<Span, HttpResponseMessage>? _enrichWithResponse;
    private readonly Action<Span, Exception>? _enrichWithException;
    private readonly string[] _redactedQueryKeys;

    // Perf: url.full is reused while requests go to the same URL, and a change of URL allocates nothing more than
    // url.full itself needs: the last URL that is its own url.full is kept as it is, and only a rewritten one (user
    // info removed, a query value redacted) is kept as a pair with its rewrite. Benign races: every value is valid.
    private string? _lastUnchangedUrl;
    private LastUrl? _lastUrl;
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
        _provider = provider;
        _tracer = provider.GetTracer(InstrumentationName, typeof(TracingHandler).Assembly.GetName().Version?.ToString(3));
        _propagator = provider.Propagator;
        _builtIn = BuiltInPropagation.Of(_propagator);
        _fields = [.. _propagator.Fields];
        _markedFields = CreateMarkedFields(_fields);
        _setHeader = SetHeader;
        _filter = options?.Filter;
        _enrichWithRequest = options?.EnrichWithRequest;
        _enrichWithResponse = options?.EnrichWithResponse;
        _enrichWithException = options?.EnrichWithException;
        _redactedQueryKeys = options is null ? [] : [.. options.RedactedQueryKeys];
        _timeouts = timeouts;
    }

    /// <inheritdoc/>
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // Perf: nothing to trace means no async state machine of our own. Suppressed and filtered requests hide the
        // ambient Activity too, so .NET's own diagnostics cannot send a traceparent naming a span nobody records.
        if (Tracing.IsSuppressed || !ShouldTrace(request))
        {
            var hidden = HideActivity();
            try
            {
                return base.SendAsync(request, cancellationToken);
            }
            finally
            {
                RestoreActivity(hidden);
            }
        }

        // The span is current for the handlers below while they run synchronously; the caller's execution context
        // (current span, Activity) is put back by reference before returning, as an async method would, so nothing of
        // this request leaks into the caller's flow and restoring allocates nothing.
        var callerContext = ExecutionContext.Capture();
        var previous = Span.Current;
        var span = Start(request, previous);
        if (span is null)
        {
            return base.SendAsync(request, cancellationToken);
        }

        var startTimestamp = _timeouts is null ? 0 : TimeoutClockStart(span);
        var activity = HideActivity();
        Task<HttpResponseMessage> sending;
        try
        {
            sending = base.SendAsync(request, cancellationToken);
        }
        catch (Exception ex) when (FailAndReturnFalse(span, ex, startTimestamp))
        {
            throw; // never reached: the filter records the exception and lets it fly on unchanged
        }
        finally
        {
            RestoreCallerContext(callerContext, activity, span, previous);
        }

        // Perf: an inner handler that answered synchronously (a cache, an in-memory handler, a connection with the
        // response already buffered) needs no async state machine of ours: end the span now, return its task as is.
        if (sending.IsCompletedSuccessfully)
        {
            Complete(span, sending.Result);
            return sending;
        }

        return CompleteAsync(sending, span, startTimestamp);
    }

    /// <summary>
    /// Where the timeout check measures from. Perf: the span read the clock as it started; with the system time provider
    /// that reading is a <see cref="Stopwatch"/> timestamp already, so the request needs no clock read of its own.
    /// </summary>
    private static long TimeoutClockStart(Span span) =>
        span.Data is { } data && data.Tracer.Clock.IsStopwatch ? data.StartTimestamp : Stopwatch.GetTimestamp();

    /// <inheritdoc/>
    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Tracing.IsSuppressed || !ShouldTrace(request))
        {
            var hidden = HideActivity();
            try
            {
                return base.Send(request, cancellationToken);
            }
            finally
            {
                RestoreActivity(hidden);
            }
        }


        var callerContext = ExecutionContext.Capture();
        var previous = Span.Current;
        var span = Start(request, previous);
        if (span is null)
        {
            return base.Send(request, cancellationToken);
        }

        var startTimestamp = _timeouts is null ? 0 : TimeoutClockStart(span);
        var activity = HideActivity();
        HttpResponseMessage response;
        try
        {
            response = base.Send(request, cancellationToken);
        }
        catch (Exception ex) when (FailAndReturnFalse(span, ex, startTimestamp))
        {
            throw; // never reached: the filter records the exception and lets it fly on unchanged
        }
        finally
        {
            RestoreCallerContext(callerContext, activity, span, previous);
        }

        Complete(span, response);
        return response;
    }

    /// <summary>Ends the span when a send that went asynchronous finishes; the caller's context is already back.</summary>
    private async Task<HttpResponseMessage> CompleteAsync(Task<HttpResponseMessage> sending, Span span, long startTimestamp)
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

        Complete(span, response);
        return response;
    }

    private bool ShouldTrace(HttpRequestMessage request)
    {
        if (_filter is null)
        {
            return true;
        }

        try
        {
            return _filter(request);
        }
#pragma warning disable CA1031 // A user's filter must never break the request: trace it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _provider.Diagnostics.CallbackFailed(nameof(TracingHandlerOptions) + "." + nameof(TracingHandlerOptions.Filter), ex);
            return true;
        }
    }

    /// <summary>Starts the client span and injects its context; <see langword="null"/> when tracing itself failed.</summary>
    private Span? Start(HttpRequestMessage request, Span? current)
    {
        Span span;
        int sendCount;
        try
        {
            sendCount = SendsBefore(request);
            var attributes = default(StartAttributes);
            var count = 0;
            var method = HttpClientConventions.NormalizeMethod(request.Method.Method, out var originalMethod);
            attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestMethod, method);
            if (originalMethod is not null)
            {
                attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestMethodOriginal, originalMethod);
            }

            if (request.RequestUri is { IsAbsoluteUri: true } uri)
            {
                // Perf: Uri caches its host string once parsed (SocketsHttpHandler reads it too): no allocation here.
                attributes[count++] = new SpanAttribute(SemanticConventions.ServerAddress, uri.Host);
                attributes[count++] = new SpanAttribute(SemanticConventions.ServerPort, uri.Port);
                attributes[count++] = new SpanAttribute(SemanticConventions.UrlFull, FullUrl(uri));
            }

            if (sendCount > 0)
            {
                attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestResendCount, sendCount);
            }

            var parent = current is null ? default : current.Context;
            span = _tracer.StartSpanCore(
                HttpClientConventions.SpanName(method),
                SpanKind.Client,
                parent,
                ((ReadOnlySpan<SpanAttribute>)attributes)[..count],
                default,
                null,
                default,
                default,
                current);
        }
#pragma warning disable CA1031 // Tracing never breaks a request: report and send untraced.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _provider.Diagnostics.CallbackFailed(nameof(TracingHandler) + ".StartSpan", ex);
            return null;
        }

        var marksBefore = 0;
        var marksRead = false;
        try
        {
            // Every field the propagator owns is rewritten for this attempt: nothing stale from an earlier send, or of
            // another origin, stays beside this span's traceparent.
            var headers = request.Headers;
            if (headers.NonValidated.Count > 0)
            {
                foreach (var field in _fields)
                {
                    headers.Remove(field);
                }
            }

            marksBefore = t_marksWritten;
            marksRead = true;
            if (_builtIn is { } builtIn)
            {
                InjectBuiltIn(builtIn, span.Context, request);
            }
            else
            {
                _propagator.Inject(new PropagationContext(span.Context, Baggage.Current), request, _setHeader);
            }
        }
#pragma warning disable CA1031 // A propagator's failure must never break the request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _provider.Diagnostics.CallbackFailed(nameof(TracingHandler) + ".Inject", ex);
        }

        // Perf: the setter counts the marked fields it writes on this thread (Inject is synchronous), so the headers need
        // not be searched again to learn whether one was written.
        if (_markedFields is null || !marksRead || t_marksWritten == marksBefore) // equality: safe when the count wraps
        {
            // The propagator wrote none of its fields (it had nothing to send, it failed, or the runtime keeps no
            // marks), so a resend would not be recognized by its header: this send is counted in Options (a resend's
            // count is there already), and from now on this handler looks there too.
            _sentWithoutMarker = true;
            if (sendCount == 0)
            {
                StoreSendCount(request, 0);
            }
        }

        if (span.IsRecording)
        {
            Enrich(_enrichWithRequest, span, request, nameof(TracingHandlerOptions.EnrichWithRequest));
        }

        return span;
    }

    private void Complete(Span span, HttpResponseMessage response)
    {
        try
        {
            if (span.IsRecording)
            {
                // Perf: one call, so the span's setter lock is taken once for all of them.
                var statusCode = (int)response.StatusCode;
                var attributes = default(EndAttributeBuffer);
                attributes[0] = new SpanAttribute(SemanticConventions.HttpResponseStatusCode, statusCode);
                attributes[1] = new SpanAttribute(SemanticConventions.NetworkProtocolVersion, HttpClientConventions.ProtocolVersion(response.Version));
                var count = 2;
                if (statusCode >= 400)
                {
                    attributes[count++] = new SpanAttribute(SemanticConventions.ErrorType, SemanticConventions.StatusCodeText(statusCode));
                    span.SetStatus(SpanStatusCode.Error);
                }

                span.SetAttributes(((ReadOnlySpan<SpanAttribute>)attributes)[..count]);

                Enrich(_enrichWithResponse, span, response, nameof(TracingHandlerOptions.EnrichWithResponse));
            }
        }
#pragma warning disable CA1031 // Tracing never breaks a request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _provider.Diagnostics.CallbackFailed(nameof(TracingHandler) + ".Complete", ex);
        }
        finally
        {
            span.End();
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
                span.SetAttribute(SemanticConventions.ErrorType, HttpClientConventions.ExceptionErrorType(exception, timedOut));
                span.RecordException(exception);
                span.SetStatus(
                    SpanStatusCode.Error,
                    timedOut ? "The request timed out." : exception is OperationCanceledException ? "The request was canceled." : exception.Message);

                Enrich(_enrichWithException, span, exception, nameof(TracingHandlerOptions.EnrichWithException));
            }
        }
#pragma warning disable CA1031 // Tracing never breaks a request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _provider.Diagnostics.CallbackFailed(nameof(TracingHandler) + ".Fail", ex);
        }
        finally
        {
            span.End();
        }

        return false;
    }

    /// <summary>
    /// Returns how many times this handler sent <paramref name="request"/> before. Perf: a message's first send
    /// touches no <see cref="HttpRequestMessage.Options"/> (240 B): a message this handler sent before still carries a
    /// header named by one of this handler's own name instances, so only such a message (a resend) is counted in
    /// Options. A header the caller set, or another handler wrote, is never taken for a resend.
    /// </summary>
    private int SendsBefore(HttpRequestMessage request)
    {
        if (HasMarkedField(request.Headers))
        {
            var count = request.Options.TryGetValue(SendCountKey, out var before) ? before + 1 : 1;
            StoreSendCount(request, count);
            return count;
        }

        if (_sentWithoutMarker && request.Options.TryGetValue(SendCountKey, out var unmarked))
        {
            StoreSendCount(request, unmarked + 1);
            return unmarked + 1;
        }

        return 0;
    }

    private static void StoreSendCount(HttpRequestMessage request, int count) =>
        ((IDictionary<string, object?>)request.Options)[SendCountKey.Key] = count < BoxedCounts.Length ? BoxedCounts[count] : count;

    /// <summary>Whether the headers hold a field this handler wrote (named by one of its own name instances).</summary>
    private bool HasMarkedField(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        var marked = _markedFields;
        if (marked is null || headers.NonValidated.Count == 0)
        {
            return false;
        }

        foreach (var header in headers.NonValidated)
        {
            foreach (var name in marked)
            {
                if (ReferenceEquals(header.Key, name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Injects what the built-in propagators would, writing the headers directly. Perf: the propagator's generic
    /// virtual Inject costs a runtime lookup per call (three with the default composite); see <see cref="BuiltInPropagation"/>.
    /// </summary>
    private void InjectBuiltIn(BuiltInPropagation builtIn, in SpanContext context, HttpRequestMessage request)
    {
        if (builtIn.TraceContext && context.IsValid)
        {
            SetHeader(request, TraceContextPropagator.TraceParentHeader, TraceParentFormat.Format(context));
            if (TraceContextPropagator.TraceStateValue(context) is { } traceState)
            {
                SetHeader(request, TraceContextPropagator.TraceStateHeader, traceState);
            }
        }

        if (builtIn.Baggage && BaggagePropagator.HeaderValue(Baggage.Current) is { } baggage)
        {
            SetHeader(request, BaggagePropagator.BaggageHeader, baggage);
        }
    }

    /// <summary>The propagator's setter: replaces the field, naming it with this handler's own instance of the name.</summary>
    private void SetHeader(HttpRequestMessage request, string name, string value)
    {
        var headers = request.Headers;
        if (headers.NonValidated.Count > 0)
        {
            headers.Remove(name); // Perf: an empty collection (the first field of most requests) has nothing to replace
        }

        var marked = MarkedName(name);
        if (headers.TryAddWithoutValidation(marked, value) && !ReferenceEquals(marked, name))
        {
            t_marksWritten = unchecked(t_marksWritten + 1);
        }
    }

    private string MarkedName(string name)
    {
        var marked = _markedFields;
        if (marked is not null)
        {
            var fields = _fields;
            for (var i = 0; i < fields.Length; i++)
            {
                if (string.Equals(fields[i], name, StringComparison.OrdinalIgnoreCase))
                {
                    return marked[i];
                }
            }
        }

        return name;
    }

    /// <summary>
    /// Copies the field names into instances of this handler's own, after checking that HttpHeaders hands back the
    /// instance a header was added with; <see langword="null"/> when it does not (resends are then counted in Options).
    /// </summary>
    private static string[]? CreateMarkedFields(string[] fields)
    {
        var marked = new string[fields.Length];
        for (var i = 0; i < fields.Length; i++)
        {
            marked[i] = new string(fields[i].AsSpan());
        }

        if (marked.Length == 0)
        {
            return null;
        }

        try
        {
            using var probe = new HttpRequestMessage();
            if (!probe.Headers.TryAddWithoutValidation(marked[0], "x"))
            {
                return null;
            }

            foreach (var header in probe.Headers.NonValidated)
            {
                if (ReferenceEquals(header.Key, marked[0]))
                {
                    return marked;
                }
            }
        }
#pragma warning disable CA1031 // A field name HttpHeaders refuses: no marks, Options counts every send instead.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        return null;
    }

    /// <summary>
    /// Hides the ambient <see cref="Activity"/> from the handlers below. .NET's DiagnosticsHandler (inside
    /// <c>SocketsHttpHandler</c>) injects the current Activity's <c>traceparent</c>, <c>tracestate</c> and baggage into
    /// every header that is missing; with no Activity current it adds nothing (or, when a listener makes it start its
    /// own root Activity, nothing beside the <c>traceparent</c> already there).
    /// </summary>
    private static Activity? HideActivity()
    {
        var activity = Activity.Current;
        if (activity is not null)
        {
            Activity.Current = null;
        }

        return activity;
    }

    private static void RestoreActivity(Activity? activity)
    {
        if (activity is not null)
        {
            Activity.Current = activity;
        }
    }

    /// <summary>
    /// Puts back the caller's current span and Activity. Perf: restoring the captured execution context by reference
    /// allocates nothing (setting the AsyncLocals back would); when flow is suppressed there is none to restore, and
    /// the two values are set back one by one.
    /// </summary>
    private static void RestoreCallerContext(ExecutionContext? callerContext, Activity? activity, Span span, Span? previous)
    {
        if (callerContext is not null)
        {
            ExecutionContext.Restore(callerContext);
            return;
        }

        RestoreActivity(activity);
        if (ReferenceEquals(Span.Current, span))
        {
            CurrentSpan.Value = previous;
        }
    }

    /// <summary>Returns <c>url.full</c> for <paramref name="uri"/>, reusing the last one while the URL is unchanged.</summary>
    private string FullUrl(Uri uri)
    {
        var absolute = uri.AbsoluteUri; // cached by Uri once computed
        if (string.Equals(_lastUnchangedUrl, absolute, StringComparison.Ordinal))
        {
            return absolute;
        }

        var last = _lastUrl;
        if (last is not null && string.Equals(last.Absolute, absolute, StringComparison.Ordinal))
        {
            return last.Full;
        }

        var full = HttpClientConventions.FullUrl(uri, _redactedQueryKeys);
        if (ReferenceEquals(full, absolute))
        {
            _lastUnchangedUrl = absolute;
        }
        else
        {
            _lastUrl = new LastUrl(absolute, full);
        }

        return full;
    }

    /// <summary>Room for the start attributes without allocating (at most six are set).</summary>
    [InlineArray(6)]
    private struct StartAttributes
    {
        private SpanAttribute _first;
    }

    /// <summary>Runs a user's enrich callback; its exception is reported and never reaches the request.</summary>
    private void Enrich<T>(Action<Span, T>? callback, Span span, T argument, string optionName)
    {
        if (callback is null)
        {
            return;
        }

        try
        {
            callback(span, argument);
        }
#pragma warning disable CA1031 // A user's callback must never break the request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _provider.Diagnostics.CallbackFailed(nameof(TracingHandlerOptions) + "." + optionName, ex);
        }
    }

    /// <summary>A request URL and its <c>url.full</c> (user info removed, sensitive query values redacted), replaced as a whole.</summary>
    private sealed class LastUrl(string absolute, string full)
    {
        public string Absolute { get; } = absolute;

        public string Full { get; } = full;
    }
}
