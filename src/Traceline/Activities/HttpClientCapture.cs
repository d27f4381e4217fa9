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
    private readonly ActivityListener? _listener;
    private int _disposed;

    private HttpClientCapture(TracerProvider provider, bool listen)
    {
        _provider = provider;
        _tracer = provider.GetTracer(SourceName);
        _fields = [.. provider.Propagator.Fields];

        // The headers are written under name instances of this capture's own: a request that carries one was sent
        // before (a retry of the same message) and is written again; one that carries a field under another instance
        // has a trace context someone else set (the app, another handler), which is left as it is, as the runtime does.
        _markedNames = Array.ConvertAll(_fields, static field => new string(field.AsSpan()));
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
            var span = capture.StartSpan(activity, startTime: null);
            if (!capture.CarriesForeignContext(request.Headers))
            {
                capture._headers.Write(request, span.Context);
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
            // All data: the runtime then tags the Activity with the response, which the span takes when it stops.
            return Claims(CurrentSpan.Value) ? ActivitySamplingResult.AllData : ActivitySamplingResult.None;
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
            // The span starts when the runtime asks for the headers, right after this: by then the runtime has tagged
            // the Activity with the request (method, server address and port, url.full), which the sampler should see.
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
                // runtime's, which names this Activity. The span is made now, with the Activity's ids and times.
                if (injected || activity.IdFormat != ActivityIdFormat.W3C || !Claims(CurrentSpan.Value))
                {
                    return;
                }

                span = StartSpan(activity, new DateTimeOffset(activity.StartTimeUtc, TimeSpan.Zero));
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
    private Span StartSpan(Activity activity, DateTimeOffset? startTime)
    {
        var current = CurrentSpan.Value;
        var buffer = default(StartAttributeBuffer);
        Span<SpanAttribute> attributes = buffer;
        var count = 0;
        var methodIndex = HttpMethods.OtherIndex;
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            if (count == StartAttributeBuffer.Capacity)
            {
                break;
            }

            if (tag.Key == SemanticConventions.HttpRequestMethod && tag.Value is string method)
            {
                methodIndex = HttpMethods.IndexOf(method, ignoreCase: false);
            }

            attributes[count++] = new SpanAttribute(tag.Key, ActivityCapture.ToAttributeValue(tag.Value));
        }

        return _tracer.StartSpanCore(new SpanStartArguments(HttpMethods.SpanNames[methodIndex], SpanKind.Client, current is null ? default : current.Context, current)
        {
            Attributes = attributes[..count],
            StartTime = startTime,
            AdoptedSpanId = ActivityIds.ToSpanId(activity.SpanId),
            AdoptedTraceId = ActivityIds.ToTraceId(activity.TraceId), // used by a root only
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

    /// <summary>Takes what the runtime tagged when the response came (or the request failed).</summary>
    private static void Record(Span span, Activity activity)
    {
        foreach (ref readonly var tag in activity.EnumerateTagObjects())
        {
            switch (tag.Key)
            {
                case SemanticConventions.HttpResponseStatusCode:
                case SemanticConventions.NetworkProtocolVersion:
                case SemanticConventions.ErrorType:
                    span.SetAttribute(tag.Key, ActivityCapture.ToAttributeValue(tag.Value));
                    break;
            }
        }

        if (activity.Status == ActivityStatusCode.Error)
        {
            span.SetStatus(SpanStatusCode.Error, activity.StatusDescription);
        }
    }

    private readonly record struct Started(Activity? Activity, HttpClientCapture? Capture);
}
