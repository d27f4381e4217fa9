using System.Diagnostics;
using Traceline.Propagation;

namespace Traceline;

/// <summary>
/// Gives every HttpClient call of the process a Traceline client span, from the Activity that the runtime's
/// <c>DiagnosticsHandler</c> (inside every <see cref="SocketsHttpHandler"/>) starts from the <c>System.Net.Http</c>
/// ActivitySource for each request it sends. One listener per provider; with the option off, none.
/// </summary>
/// <remarks>
/// <para>
/// <b>Ids.</b> The span takes the Activity's span id, and its parent is Traceline's current span (a root when there is
/// none). The request's headers are written by <see cref="HttpClientPropagator"/> from the span, not from the Activity:
/// when no Activity mirrored the current span (no ASP.NET Core request Activity, no source captured), the runtime's
/// Activity is a root of another trace, and it is only the carrier of the span id.
/// </para>
/// <para>
/// <b>What the span records</b> is what Traceline's handler records, through the same code
/// (<see cref="HttpClientConventions"/>): the start attributes come from the request the runtime hands the propagator,
/// the response's from the Activity's tags at stop, a failure from the exception the runtime adds to the Activity
/// (<see cref="ActivityListener.ExceptionRecorder"/>). Perf: the listener asks for propagation data only, so the
/// runtime tags nothing at the start (its own url.full, a boxed port); the span then asks for all data, so that the
/// runtime tags the response.
/// </para>
/// <para>
/// <b>Who claims a request.</b> A request under the handler's span, or under a span of another provider, is not this
/// provider's; a request with no current span is claimed by the first provider whose listener starts (the runtime
/// calls listeners in the order they were added), and the others then see its span current.
/// </para>
/// <para>
/// <b>Failures.</b> Nothing here throws into the app: a failure is reported and the request goes on untraced.
/// </para>
/// </remarks>
internal sealed class HttpClientCapture : IDisposable
{
    /// <summary>The runtime's HttpClient ActivitySource, and the instrumentation scope of the spans made from it.</summary>
    public const string SourceName = "System.Net.Http";

    /// <summary>How far up the current-span chain a stopping Activity's span is looked for.</summary>
    private const int MaxSearchDepth = 8;

    // The Activity this provider claimed last on this thread, for the propagator: the runtime asks for the headers right
    // after starting the Activity, synchronously, on the same thread, and the span starts then.
    [ThreadStatic]
    private static Started t_started;

    private readonly TracerProvider _provider;
    private readonly Tracer _tracer;
    private readonly string[] _fields;
    private readonly string[] _markedNames;
    private readonly RequestHeaderWriter _headers;
    private readonly ResendCounter _resends;
    private readonly FullUrlCache _urls = new([]);
    private readonly ActivityListener? _listener;
    private int _disposed;

    private HttpClientCapture(TracerProvider provider, bool listen)
    {
        _provider = provider;
        _tracer = provider.GetTracer(SourceName);
        _fields = [.. provider.Propagator.Fields];

        // The headers are written under name instances of this capture's own: a request that carries one was sent
        // before (a retry of the same message, a redirect) and is written again, its resend counted; one that carries a
        // field under another instance has a trace context someone else set (the app, another handler), which is left
        // as it is, as the runtime does.
        _resends = new ResendCounter(_fields);
        _markedNames = _resends.MarkedNames ?? Array.ConvertAll(_fields, static field => new string(field.AsSpan()));
        _headers = new RequestHeaderWriter(provider.Propagator, _fields, _markedNames);
        HttpClientPropagator.Register();
        if (listen)
        {
            _listener = new ActivityListener
            {
                ShouldListenTo = static source => source.Name == SourceName,
                Sample = Sample,
                ActivityStarted = OnStarted,
                ActivityStopped = OnStopped,
                ExceptionRecorder = OnException,
            };
            ActivitySource.AddActivityListener(_listener);
        }
    }

    /// <summary>Gets whether this provider traces every client (else it only keeps the runtime's headers away).</summary>
    public bool IsListening => _listener is not null;

    /// <summary>Starts tracing every HttpClient for <paramref name="provider"/>; with <paramref name="listen"/> off, only keeps the runtime's own headers away.</summary>
    public static HttpClientCapture Start(TracerProvider provider, bool listen) => new(provider, listen);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _listener?.Dispose();
            HttpClientPropagator.Unregister();
        }
    }

    /// <summary>
    /// Starts the span of <paramref name="activity"/> and writes its trace headers into <paramref name="request"/>;
    /// <see langword="false"/> when no provider claimed the Activity (nothing is written then).
    /// </summary>
    internal static bool TryInject(Activity? activity, HttpRequestMessage request)
    {
        var started = t_started;
        if (activity is null || !ReferenceEquals(started.Activity, activity))
        {
            return false;
        }

        t_started = default;
        var capture = started.Capture!;
        try
        {
            var sendsBefore = capture._resends.SendsBefore(request);
            var span = capture.StartSpan(activity, request, sendsBefore);

            // Asked for now, after the runtime's start tags (none: the span has them from the request), all data makes
            // the runtime tag the response, or add the exception, when the request is done. Perf: only for a span that
            // records them (the tags cost 120 B); never lowered, so another listener that asked for all data keeps it.
            if (span.IsRecording)
            {
                activity.IsAllDataRequested = true;
            }

            var marked = !capture.CarriesForeignContext(request.Headers) && capture._headers.Write(request, span.Context);
            if (!marked)
            {
                capture._resends.SentWithoutMarker(request, sendsBefore);
            }
        }
        catch (Exception ex) // tracing never breaks the app: the request goes without the header.
        {
            capture._provider.Diagnostics.CallbackFailed(nameof(HttpClientCapture) + ".Inject", ex);
        }

        return true;
    }

    /// <summary>Whether the request carries a field of the propagator that this capture did not write. Perf: no allocation.</summary>
    private bool CarriesForeignContext(System.Net.Http.Headers.HttpRequestHeaders headers)
    {
        if (headers.NonValidated.Count == 0)
        {
            return false;
        }

        foreach (var header in headers.NonValidated)
        {
            for (var i = 0; i < _fields.Length; i++)
            {
                if (string.Equals(header.Key, _fields[i], StringComparison.OrdinalIgnoreCase))
                {
                    return !ReferenceEquals(header.Key, _markedNames[i]);
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Whether a request sent with <paramref name="current"/> as the current span is this provider's. Perf: the span
    /// itself is sampled when the runtime asks for the headers; here nothing but this is decided, and nothing allocated.
    /// </summary>
    private bool Claims(Span? current) =>
        !_provider.IsShutdown
        && !Tracing.IsSuppressed
        && (current is null || (!current.CoversHttpRequest && (current.Data is not { } data || ReferenceEquals(data.Tracer.Provider, _provider))));

    private ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> options)
    {
        try
        {
            // Propagation data: the runtime then adds no start tags, which the span takes from the request instead.
            return Claims(CurrentSpan.Value) ? ActivitySamplingResult.PropagationData : ActivitySamplingResult.None;
        }
        catch (Exception ex) // tracing never breaks the app.
        {
            _provider.Diagnostics.CallbackFailed(nameof(HttpClientCapture) + ".Sample", ex);
            return ActivitySamplingResult.None;
        }
    }

    private void OnStarted(Activity activity)
    {
        try
        {
            // The span starts when the runtime asks for the headers, right after this, with the request at hand.
            t_started = activity.IdFormat == ActivityIdFormat.W3C && Claims(CurrentSpan.Value) ? new Started(activity, this) : default;
        }
        catch (Exception ex) // tracing never breaks the app.
        {
            _provider.Diagnostics.CallbackFailed(nameof(HttpClientCapture) + ".ActivityStarted", ex);
        }
    }

    private void OnStopped(Activity activity)
    {
        try
        {
            var injected = !ReferenceEquals(t_started.Activity, activity);
            if (!injected)
            {
                t_started = default;
            }

            var span = Find(ActivityIds.ToSpanId(activity.SpanId));
            if (span is null)
            {
                // Never asked for headers: a handler created before Traceline's propagator was installed keeps the
                // runtime's, which names this Activity. The span is made now, with the Activity's ids and times, and
                // only its method: the request is out of reach, and the runtime tagged nothing for this listener.
                if (injected || activity.IdFormat != ActivityIdFormat.W3C || !Claims(CurrentSpan.Value))
                {
                    return;
                }

                span = StartLateSpan(activity);
            }

            if (span.IsRecording)
            {
                Record(span, activity);
            }

            span.End();
        }
        catch (Exception ex) // tracing never breaks the app.
        {
            _provider.Diagnostics.CallbackFailed(nameof(HttpClientCapture) + ".ActivityStopped", ex);
        }
    }

    /// <summary>Starts the client span of the runtime's Activity and makes it current for the rest of the request.</summary>
    private Span StartSpan(Activity activity, HttpRequestMessage request, int sendsBefore)
    {
        var buffer = default(StartAttributeBuffer);
        Span<SpanAttribute> attributes = buffer;
        var count = 0;
        var methodIndex = HttpClientConventions.WriteStartAttributes(request, _urls, sendsBefore, attributes, ref count);
        return StartSpan(activity, HttpMethods.SpanNames[methodIndex], attributes[..count], startTime: null);
    }

    /// <summary>The span of an Activity whose request was never seen, started as it stops.</summary>
    private Span StartLateSpan(Activity activity)
    {
        var name = HttpMethods.SpanNames[HttpMethods.IndexOf(activity.DisplayName, ignoreCase: false)];
        return StartSpan(activity, name, [], new DateTimeOffset(activity.StartTimeUtc, TimeSpan.Zero));
    }

    private Span StartSpan(Activity activity, string name, ReadOnlySpan<SpanAttribute> attributes, DateTimeOffset? startTime)
    {
        var current = CurrentSpan.Value;
        return _tracer.StartSpanCore(new SpanStartArguments(name, SpanKind.Client, current is null ? default : current.Context, current)
        {
            Attributes = attributes,
            StartTime = startTime,
            AdoptedSpanId = ActivityIds.ToSpanId(activity.SpanId),
            AdoptedTraceId = current is null ? ActivityIds.ToTraceId(activity.TraceId) : default, // a root's only
            CoversHttpRequest = true,
        });
    }

    /// <summary>This provider's open span with the Activity's span id: current in the flow the runtime stops it in, or a few levels up.</summary>
    private Span? Find(SpanId spanId)
    {
        var span = CurrentSpan.Value;
        for (var depth = 0; span is not null && depth < MaxSearchDepth; depth++, span = span.Previous)
        {
            if (span.SpanId == spanId && span.CoversHttpRequest && !span.IsEnded && (span.Data is not { } data || data.Tracer == _tracer))
            {
                return span;
            }
        }

        return null;
    }

    /// <summary>
    /// Records the exception of a failed request, as Traceline's handler does: the runtime adds it to the Activity before
    /// stopping it, with the span still current.
    /// </summary>
    private void OnException(Activity activity, Exception exception, ref TagList tags)
    {
        try
        {
            if (activity.Source.Name == SourceName && Find(ActivityIds.ToSpanId(activity.SpanId)) is { IsRecording: true } span)
            {
                HttpClientConventions.RecordFailure(span, exception, HttpClientConventions.HasTimeoutCause(exception));
            }
        }
        catch (Exception ex) // tracing never breaks the app.
        {
            _provider.Diagnostics.CallbackFailed(nameof(HttpClientCapture) + ".ExceptionRecorder", ex);
        }
    }

    /// <summary>Takes the response the runtime tagged the Activity with (a failure was recorded by <see cref="OnException"/>). Perf: one pass over the tags.</summary>
    private static void Record(Span span, Activity activity)
    {
        int? statusCode = null;
        var protocolVersion = string.Empty;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            switch (tag.Key)
            {
                case SemanticConventions.HttpResponseStatusCode when tag.Value is int code:
                    statusCode = code;
                    break;
                case SemanticConventions.NetworkProtocolVersion when tag.Value is string version:
                    protocolVersion = version;
                    break;
            }
        }

        if (statusCode is { } status)
        {
            HttpClientConventions.RecordResponse(span, status, protocolVersion);
        }
    }

    private readonly record struct Started(Activity? Activity, HttpClientCapture? Capture);
}
