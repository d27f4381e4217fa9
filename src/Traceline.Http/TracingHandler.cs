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

    /// <summary>How many times this request message was sent before; stored in <see cref="HttpRequestMessage.Options"/>.</summary>
    internal static readonly HttpRequestOptionsKey<int> SendCountKey = new("Traceline.Http.SendCount");

    // Perf: the propagator's setter is static and replaces, so a resent message never carries a field twice.
    private static readonly Action<HttpRequestMessage, string, string> HeaderSetter = static (request, name, value) =>
    {
        var headers = request.Headers;
        headers.Remove(name);
        headers.TryAddWithoutValidation(name, value);
    };

    // Perf: boxed send counts for the common first attempts, so storing the count does not box each time.
    private static readonly object[] BoxedCounts = [0, 1, 2, 3, 4, 5, 6, 7];

    private readonly TracerProvider _provider;
    private readonly Tracer _tracer;
    private readonly TextMapPropagator _propagator;
    private readonly string[] _fields;
    private readonly Func<HttpRequestMessage, bool>? _filter;
    private readonly Action<Span, HttpRequestMessage>? _enrichWithRequest;
    private readonly Action<Span, HttpResponseMessage>? _enrichWithResponse;
    private readonly Action<Span, Exception>? _enrichWithException;
    private readonly string[] _redactedQueryKeys;
    private readonly ClientTimeoutSource? _timeouts;
    private string? _lastHost; // a benign race: any thread may replace it, every value is a valid host

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
        _fields = [.. _propagator.Fields];
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


        return SendTracedAsync(request, cancellationToken);
    }

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


        var previous = Span.Current;
        var span = Start(request);
        if (span is null)
        {
            return base.Send(request, cancellationToken);
        }

        var startTimestamp = Stopwatch.GetTimestamp();
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
            RestoreActivity(activity);
            RestoreCurrent(span, previous);
        }

        Complete(span, response);
        return response;
    }

    private async Task<HttpResponseMessage> SendTracedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        // The span becomes current inside this async method, so it never leaks into the caller's flow.
        var span = Start(request);
        if (span is null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var startTimestamp = Stopwatch.GetTimestamp();
        var activity = HideActivity();
        HttpResponseMessage response;
        try
        {
            response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (FailAndReturnFalse(span, ex, startTimestamp))
        {
            throw; // never reached: the filter records the exception and lets it fly on unchanged
        }
        finally
        {
            RestoreActivity(activity);
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
    private Span? Start(HttpRequestMessage request)
    {
        Span span;
        try
        {
            var sendCount = NextSendCount(request);
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
                attributes[count++] = new SpanAttribute(SemanticConventions.ServerAddress, Host(uri));
                attributes[count++] = new SpanAttribute(SemanticConventions.ServerPort, uri.Port);
                attributes[count++] = new SpanAttribute(SemanticConventions.UrlFull, HttpClientConventions.FullUrl(uri, _redactedQueryKeys));
            }

            if (sendCount > 0)
            {
                attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestResendCount, sendCount);
            }

            var parent = Span.Current is { } current ? current.Context : default;
            span = _tracer.StartSpanCore(
                HttpClientConventions.SpanName(method),
                SpanKind.Client,
                parent,
                ((ReadOnlySpan<SpanAttribute>)attributes)[..count],
                default,
                null,
                default,
                default);
        }
#pragma warning disable CA1031 // Tracing never breaks a request: report and send untraced.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _provider.Diagnostics.CallbackFailed(nameof(TracingHandler) + ".StartSpan", ex);
            return null;
        }

        try
        {
            // Every field the propagator owns is rewritten for this attempt: nothing stale from an earlier send, or of
            // another origin, stays beside this span's traceparent.
            var headers = request.Headers;
            foreach (var field in _fields)
            {
                headers.Remove(field);
            }

            _propagator.Inject(new PropagationContext(span.Context, Baggage.Current), request, HeaderSetter);
        }
#pragma warning disable CA1031 // A propagator's failure must never break the request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _provider.Diagnostics.CallbackFailed(nameof(TracingHandler) + ".Inject", ex);
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
                var statusCode = (int)response.StatusCode;
                span.SetAttribute(SemanticConventions.HttpResponseStatusCode, statusCode);
                span.SetAttribute(SemanticConventions.NetworkProtocolVersion, HttpClientConventions.ProtocolVersion(response.Version));
                if (statusCode >= 400)
                {
                    span.SetAttribute(SemanticConventions.ErrorType, SemanticConventions.StatusCodeText(statusCode));
                    span.SetStatus(SpanStatusCode.Error);
                }

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
    /// Returns <see cref="Uri.Host"/>. Perf: <see cref="Uri.Host"/> builds a new string on every call; a client talks to
    /// few hosts, so the last one is kept and reused while the URI's (cached) text still names it.
    /// </summary>
    private string Host(Uri uri)
    {
        var last = _lastHost;
        if (last is not null && HttpClientConventions.HostOf(uri.AbsoluteUri).SequenceEqual(last))
        {
            return last;
        }

        var host = uri.Host;
        _lastHost = host;
        return host;
    }

    /// <summary>Counts this send in the message's options and returns how many sends came before it.</summary>
    private static int NextSendCount(HttpRequestMessage request)
    {
        var options = request.Options;
        var before = options.TryGetValue(SendCountKey, out var previous) ? previous + 1 : 0;
        ((IDictionary<string, object?>)options)[SendCountKey.Key] = before < BoxedCounts.Length ? BoxedCounts[before] : before;
        return before;
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

    /// <summary>The synchronous path has no async method to contain the current span: put the caller's back.</summary>
    private static void RestoreCurrent(Span span, Span? previous)
    {
        if (ReferenceEquals(Span.Current, span))
        {
            CurrentSpan.Value = previous;
        }
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
}
