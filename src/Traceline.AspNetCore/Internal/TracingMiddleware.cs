using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
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

    /// <summary>The name of the Activity the middleware starts when the hosting Activity disagrees with the span.</summary>
    public const string ActivityName = "Traceline.AspNetCore.HttpRequestIn";

    /// <summary>The W3C Trace Context Level 2 response header.</summary>
    public const string TraceResponseHeader = "traceresponse";

    /// <summary><c>error.type</c> of a request the client aborted: marked, not reported as a server error.</summary>
    public const string ErrorTypeAborted = "aborted";

    private const string RequestHeaderPrefix = "http.request.header.";
    private const string ResponseHeaderPrefix = "http.response.header.";

    private static readonly Func<IHeaderDictionary, string, StringValues> HeaderGetter = static (headers, name) => headers[name];

    private readonly RequestDelegate _next;
    private readonly Tracer _tracer;
    private readonly TextMapPropagator _propagator;
    private readonly BuiltInPropagation? _builtIn;
    private readonly TracelineDiagnostics _diagnostics;
    private readonly Func<HttpContext, bool>? _filter;
    private readonly Func<HttpContext, bool>? _trust;
    private readonly PathString[] _untrustedPaths;
    private readonly string[]? _redactedQueryKeys;
    private readonly (string Header, string Key)[] _requestHeaders;
    private readonly (string Header, string Key)[] _responseHeaders;
    private readonly Action<Span, HttpRequest>? _enrichWithRequest;
    private readonly Action<Span, HttpResponse>? _enrichWithResponse;
    private readonly bool _emitTraceResponse;

    // Perf: "{METHOD} {route}" names are built once per route template and method, then reused. Each array holds the
    // names by method index and, in its last slot, the route template it belongs to.
    private readonly ConcurrentDictionary<string, string?[]> _routeSpanNames = new(StringComparer.Ordinal);

    // Perf: HostString.Host cuts a new string out of the Host header on every call. A service answers to few hosts,
    // so the last one is kept and reused while the header still names it. A benign race: any thread may replace it,
    // and every value it holds is a valid pair.
    private LastHost? _lastHost;

    // The span names of the last request's route (an array of _routeSpanNames, so replacing it allocates nothing): a
    // benign race like _lastHost.
    private string?[]? _lastRouteNames;

    public TracingMiddleware(RequestDelegate next, TracerProvider provider, TracingMiddlewareOptions options)
    {
        _next = next;
        _tracer = provider.GetTracer(InstrumentationName, typeof(TracingMiddleware).Assembly.GetName().Version?.ToString(3));
        _propagator = provider.Propagator;
        _builtIn = BuiltInPropagation.Of(_propagator);
        _diagnostics = provider.Diagnostics;

        // Options become fields once: the request path reads no option object.
        _filter = options.Filter;
        _trust = options.TrustInboundContext;
        _untrustedPaths = [.. options.UntrustedPaths];
        _redactedQueryKeys = options.RedactedQueryKeys.Count > 0 ? [.. options.RedactedQueryKeys] : null;
        _requestHeaders = HeadersToRecord(options.RecordedRequestHeaders, RequestHeaderPrefix);
        _responseHeaders = HeadersToRecord(options.RecordedResponseHeaders, ResponseHeaderPrefix);
        _enrichWithRequest = options.EnrichWithRequest;
        _enrichWithResponse = options.EnrichWithResponse;
        _emitTraceResponse = options.EmitTraceResponse;
    }

    /// <summary>
    /// Perf: not async. A filtered request costs one delegate call; a traced one whose pipeline completes synchronously
    /// allocates no state machine. Whatever is made current here is restored before returning, so nothing reaches the
    /// caller's flow (Kestrel runs the next request of a connection in it).
    /// </summary>
    public Task InvokeAsync(HttpContext context)
    {
        if (_filter is not null && !ShouldTrace(context))
        {
            return _next(context);
        }

        var caller = new CallerContext(Activity.Current);
        Span span;
        Activity? activity = null;
        try
        {
            span = StartServerSpan(context, caller.Activity, out activity);
        }
#pragma warning disable CA1031 // Tracing never breaks the app: a failure to start the span serves the request untraced.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _diagnostics.CallbackFailed(InstrumentationName + ".StartServerSpan", ex);
            caller.Restore(activity);
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
                Complete(context, span, activity, exception);
            }

            caller.Restore(activity);
        }

        if (task.IsCompletedSuccessfully)
        {
            Complete(context, span, activity, null);
            return task;
        }

        return activity is null ? AwaitAndCompleteAsync(task, context, span) : AwaitAndCompleteAsync(task, context, span, activity);
    }

    /// <summary>
    /// Perf: the state machine holds only what it needs across the await, since its box is allocated for every request
    /// whose pipeline suspends: a failed pipeline's span is completed from the exception filter (no exception local is
    /// hoisted), and the rare Activity of our own has an overload of its own.
    /// </summary>
    private async Task AwaitAndCompleteAsync(Task task, HttpContext context, Span span)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (CompleteAndReturnFalse(context, span, null, ex))
        {
            throw; // never reached: the filter returns false, so the exception flows on with its stack intact
        }

        Complete(context, span, null, null);
    }

    private async Task AwaitAndCompleteAsync(Task task, HttpContext context, Span span, Activity ownActivity)
    {
        try
        {
            await task.ConfigureAwait(false);
        }
        catch (Exception ex) when (CompleteAndReturnFalse(context, span, ownActivity, ex))
        {
            throw; // never reached
        }

        Complete(context, span, ownActivity, null);
    }

    /// <summary>Records the exception and completes the span from an exception filter: the stack is never unwound by tracing.</summary>
    private bool CompleteAndReturnFalse(HttpContext context, Span span, Activity? activity, Exception exception)
    {
        RecordException(span, exception);
        Complete(context, span, activity, exception);
        return false;
    }

    /// <summary>Records the exception on the span from an exception filter, so the stack is never unwound by tracing.</summary>
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
#pragma warning disable CA1031 // Tracing never breaks the app.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _diagnostics.CallbackFailed(InstrumentationName + ".RecordException", ex);
        }
    }

    /// <summary>
    /// Extracts what the built-in propagators would, reading the headers directly. Perf: the propagator's generic
    /// virtual Extract costs a runtime lookup per call (three with the default composite); see <see cref="BuiltInPropagation"/>.
    /// </summary>
    private static PropagationContext ExtractBuiltIn(BuiltInPropagation builtIn, IHeaderDictionary headers)
    {
        PropagationContext extracted = default;
        if (builtIn.TraceContext
            && TraceContextPropagator.TryParseParent(headers[TraceContextPropagator.TraceParentHeader], out var traceId, out var spanId, out var flags))
        {
            extracted = TraceContextPropagator.WithRemoteParent(extracted, traceId, spanId, flags, headers[TraceContextPropagator.TraceStateHeader]);
        }

        return builtIn.Baggage ? BaggagePropagator.WithBaggage(extracted, headers[BaggagePropagator.BaggageHeader]) : extracted;
    }

    private bool ShouldTrace(HttpContext context)
    {
        try
        {
            return _filter!(context);
        }
#pragma warning disable CA1031 // A user's filter must not fail the request: trace it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _diagnostics.CallbackFailed(nameof(TracingMiddlewareOptions) + "." + nameof(TracingMiddlewareOptions.Filter), ex);
            return true;
        }
    }

    private bool IsTrusted(HttpContext context)
    {
        var path = context.Request.Path;
        foreach (var prefix in _untrustedPaths)
        {
            if (path.StartsWithSegments(prefix))
            {
                return false;
            }
        }

        if (_trust is null)
        {
            return true;
        }

        try
        {
            return _trust(context);
        }
#pragma warning disable CA1031 // A user's predicate must not fail the request: distrust.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _diagnostics.CallbackFailed(nameof(TracingMiddlewareOptions) + "." + nameof(TracingMiddlewareOptions.TrustInboundContext), ex);
            return false;
        }
    }

    private Span StartServerSpan(HttpContext context, Activity? currentActivity, out Activity? ownActivity)
    {
        ownActivity = null;
        var request = context.Request;
        PropagationContext extracted = default;
        try
        {
            extracted = _builtIn is { } builtIn ? ExtractBuiltIn(builtIn, request.Headers) : _propagator.Extract(default, request.Headers, HeaderGetter);
        }
#pragma warning disable CA1031 // A propagator must not fail the request: a new trace starts.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _diagnostics.CallbackFailed("Propagator " + _propagator.GetType().Name, ex);
        }

        var parent = extracted.SpanContext;
        var trusted = !(parent.IsValid || extracted.Baggage.Count > 0) || IsTrusted(context);
        SpanLink link = default;
        var linkCount = 0;
        if (!trusted)
        {
            // New root: the caller's ids are kept only as a link, and its sampled flag cannot force sampling.
            if (parent.IsValid)
            {
                link = new SpanLink(parent);
                linkCount = 1;
            }

            parent = default;
        }

        // Log correlation: logging scopes and ProblemDetails read Activity.Current. Adopt its ids when it agrees with
        // the span about to start; otherwise start an Activity that does, and make it current for the request.
        TraceId traceIdOverride = default;
        SpanId spanIdOverride = default;
        // With ActivitySources captured, the span is Activity.Current even when ASP.NET Core started no Activity.
        if (ActivityMirror.IsWanted(_tracer.Provider, currentActivity))
        {
            var activity = currentActivity;
            if (activity is null || !Agrees(activity, parent))
            {
                activity = ownActivity = StartActivity(parent);
            }

            traceIdOverride = ToTraceId(activity.TraceId);
            spanIdOverride = ToSpanId(activity.SpanId);
        }

        var methodIndex = HttpSemantics.GetMethodIndex(request.Method);
        var buffer = default(StartAttributeBuffer);
        Span<SpanAttribute> attributes = buffer;
        var count = 0;
        if (methodIndex == HttpSemantics.OtherMethodIndex)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestMethod, HttpSemantics.OtherMethod);
            attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestMethodOriginal, request.Method);
        }
        else
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestMethod, HttpSemantics.KnownMethods[methodIndex]);
        }

        attributes[count++] = new SpanAttribute(SemanticConventions.UrlScheme, request.Scheme);
        attributes[count++] = new SpanAttribute(SemanticConventions.UrlPath, request.PathBase.HasValue ? (request.PathBase + request.Path).Value : request.Path.Value);
        if (request.QueryString.Value is { Length: > 1 } query)
        {
            // Perf: Redact returns the same instance when nothing is sensitive; the one allocation drops the '?'.
            attributes[count++] = new SpanAttribute(SemanticConventions.UrlQuery, QueryRedaction.Redact(query, _redactedQueryKeys)[1..]);
        }

        var host = request.Host;
        if (host.HasValue)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.ServerAddress, HostName(host));
            if (host.Port is { } port)
            {
                attributes[count++] = new SpanAttribute(SemanticConventions.ServerPort, port);
            }
        }

        // Perf: the feature itself, not context.Connection, which a server that does not reuse HttpContext (TestServer,
        // IIS) would build per request only for this read.
        if (context.Features.Get<IHttpConnectionFeature>()?.RemoteIpAddress is { } remote)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.ClientAddress, remote.ToString());
        }

        if (HttpSemantics.GetProtocolVersion(request.Protocol) is { } version)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.NetworkProtocolVersion, version);
        }

        var userAgent = request.Headers.UserAgent;
        if (userAgent.Count > 0)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.UserAgentOriginal, userAgent.ToString());
        }

        var links = linkCount == 0 ? default : new ReadOnlySpan<SpanLink>(in link);
        var span = _tracer.StartSpanCore(
            HttpSemantics.MethodSpanNames[methodIndex], SpanKind.Server, parent, attributes[..count], links, null, traceIdOverride, spanIdOverride, CurrentSpan.Value);

        if ((ownActivity ?? currentActivity) is { } correlated)
        {
            // The sampled flag too: ProblemDetails' traceId is Activity.Id, and .NET's own HttpClient propagation reads it.
            var flags = span.Context.IsSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None;
            if (correlated.ActivityTraceFlags != flags)
            {
                correlated.ActivityTraceFlags = flags;
            }
        }

        if (trusted && extracted.Baggage.Count > 0)
        {
            Baggage.Current = extracted.Baggage;
        }

        if (span.IsRecording)
        {
            RecordHeaders(span, request.Headers, _requestHeaders);
            if (_enrichWithRequest is not null)
            {
                try
                {
                    _enrichWithRequest(span, request);
                }
#pragma warning disable CA1031 // A user's callback must not fail the request.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _diagnostics.CallbackFailed(nameof(TracingMiddlewareOptions) + "." + nameof(TracingMiddlewareOptions.EnrichWithRequest), ex);
                }
            }
        }

        if (_emitTraceResponse)
        {
            context.Response.Headers[TraceResponseHeader] = FormatTraceResponse(span.Context);
        }

        return span;
    }

    private void Complete(HttpContext context, Span span, Activity? ownActivity, Exception? exception)
    {
        try
        {
            if (span.IsRecording)
            {
                // Perf: the attributes go in with one call, so the span's setter lock is taken once for all of them.
                var response = context.Response;
                var statusCode = exception is not null && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;
                var attributes = default(EndAttributeBuffer);
                attributes[0] = new SpanAttribute(SemanticConventions.HttpResponseStatusCode, statusCode);
                var count = 1;
                if (context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { Length: > 0 } route })
                {
                    attributes[count++] = new SpanAttribute(SemanticConventions.HttpRoute, route);
                    span.UpdateName(GetRouteSpanName(context.Request.Method, route));
                }

                // Perf: the feature, not context.RequestAborted, which makes a default feature when the server has none.
                if (context.Features.Get<IHttpRequestLifetimeFeature>()?.RequestAborted.IsCancellationRequested == true)
                {
                    // The client went away: worth marking, but not the server's failure.
                    attributes[count++] = new SpanAttribute(SemanticConventions.ErrorType, ErrorTypeAborted);
                }
                else if (exception is not null)
                {
                    attributes[count++] = new SpanAttribute(SemanticConventions.ErrorType, exception.GetType().FullName ?? exception.GetType().Name);
                    span.SetStatus(SpanStatusCode.Error, exception.Message);
                }
                else if (statusCode >= StatusCodes.Status500InternalServerError)
                {
                    attributes[count++] = new SpanAttribute(SemanticConventions.ErrorType, SemanticConventions.StatusCodeText(statusCode));
                    span.SetStatus(SpanStatusCode.Error);
                }

                span.SetAttributes(((ReadOnlySpan<SpanAttribute>)attributes)[..count]);

                RecordHeaders(span, response.Headers, _responseHeaders);
                _enrichWithResponse?.Invoke(span, response);
            }
        }
#pragma warning disable CA1031 // A user's callback (or anything else here) must not fail the request.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _diagnostics.CallbackFailed(nameof(TracingMiddlewareOptions) + "." + nameof(TracingMiddlewareOptions.EnrichWithResponse), ex);
        }
        finally
        {
            span.End();
            ownActivity?.Stop();
        }
    }

    private string GetRouteSpanName(string method, string route)
    {
        var methodIndex = HttpSemantics.GetMethodIndex(method);

        // Perf: an endpoint's route template is one string instance, so a service that keeps answering one route (or a
        // burst of it) finds its names by reference, without hashing the template.
        var names = _lastRouteNames;
        if (names is null || !ReferenceEquals(names[^1], route))
        {
            names = _routeSpanNames.GetOrAdd(route, static template =>
            {
                var slots = new string?[HttpSemantics.OtherMethodIndex + 2];
                slots[^1] = template;
                return slots;
            });
            _lastRouteNames = names;
        }

        // A race only builds the same name twice.
        return names[methodIndex] ??= HttpSemantics.MethodSpanNames[methodIndex] + " " + route;
    }

    private static void RecordHeaders(Span span, IHeaderDictionary headers, (string Header, string Key)[] recorded)
    {
        foreach (var (header, key) in recorded)
        {
            if (headers.TryGetValue(header, out var values) && values.Count > 0)
            {
                span.SetAttribute(key, AttributeValue.FromStringArray(values.ToArray()!));
            }
        }
    }

    /// <summary>Returns <see cref="HostString.Host"/>, reusing the last one while the Host header is unchanged.</summary>
    private string HostName(HostString host)
    {
        var value = host.Value!;
        var last = _lastHost;
        if (last is not null && string.Equals(last.Value, value, StringComparison.Ordinal))
        {
            return last.Host;
        }

        var name = host.Host;
        _lastHost = new LastHost(value, name);
        return name;
    }

    /// <summary>Whether logs written under <paramref name="activity"/> would carry the ids of a span with <paramref name="parent"/>.</summary>
    private static bool Agrees(Activity activity, in SpanContext parent)
    {
        if (activity.IdFormat != ActivityIdFormat.W3C)
        {
            return false;
        }

        if (!parent.IsValid)
        {
            return activity.ParentSpanId == default && activity.ParentId is null;
        }

        return ToTraceId(activity.TraceId) == parent.TraceId && ParentSpanId(activity) == parent.SpanId;
    }

    /// <summary>Returns <see cref="Activity.ParentSpanId"/> of a W3C Activity, without allocating where it can.</summary>
    /// <remarks>
    /// Perf: an Activity holds its parent either as the traceparent string (<c>new Activity(...)</c> and
    /// <c>SetParentId(string)</c>: what ASP.NET Core does when only logging wants an Activity) or as the parent span
    /// id (an Activity from a source with listeners). <see cref="Activity.ParentSpanId"/> cuts a new string out of
    /// the first, <see cref="Activity.ParentId"/> formats a new one from the second, so the cheap one is read: the
    /// string for an Activity of the default (unnamed) source. Either way the answer is the same.
    /// </remarks>
    private static SpanId ParentSpanId(Activity activity)
    {
        if (activity.Source.Name.Length == 0
            && activity.ParentId is { Length: TraceParentFormat.Length } parentId
            && SpanId.TryParse(parentId.AsSpan(TraceParentFormat.SpanIdOffset, SpanId.HexLength), out var spanId))
        {
            return spanId;
        }

        return ToSpanId(activity.ParentSpanId);
    }

    /// <summary>Starts an Activity whose trace id and parent are the span's, so logs and traces agree.</summary>
    private static Activity StartActivity(in SpanContext parent)
    {
        var activity = new Activity(ActivityName);
        activity.SetIdFormat(ActivityIdFormat.W3C);
        if (parent.IsValid)
        {
            Span<byte> bytes = stackalloc byte[TraceId.ByteLength];
            parent.TraceId.CopyTo(bytes);
            var traceId = ActivityTraceId.CreateFromBytes(bytes);
            parent.SpanId.CopyTo(bytes[..SpanId.ByteLength]);
            var spanId = ActivitySpanId.CreateFromBytes(bytes[..SpanId.ByteLength]);
            activity.SetParentId(traceId, spanId, parent.IsSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
        }
        else
        {
            Activity.Current = null; // a root: do not inherit the hosting Activity's trace
        }

        return activity.Start();
    }

    private static TraceId ToTraceId(ActivityTraceId id)
    {
        Span<byte> bytes = stackalloc byte[TraceId.ByteLength];
        id.CopyTo(bytes);
        return TraceId.FromBytes(bytes);
    }

    private static SpanId ToSpanId(ActivitySpanId id)
    {
        Span<byte> bytes = stackalloc byte[SpanId.ByteLength];
        id.CopyTo(bytes);
        return SpanId.FromBytes(bytes);
    }

    /// <summary>Formats <c>00-{trace-id}-{span-id}-{flags}</c>.</summary>
    private static string FormatTraceResponse(SpanContext context) =>
        string.Create(TraceParentFormat.Length, context, static (chars, c) =>
        {
            chars[0] = '0';
            chars[1] = '0';
            chars[2] = '-';
            c.TraceId.TryFormat(chars.Slice(3, TraceId.HexLength), out _);
            chars[35] = '-';
            c.SpanId.TryFormat(chars.Slice(36, SpanId.HexLength), out _);
            chars[52] = '-';
            ((byte)c.TraceFlags).TryFormat(chars[53..], out _, "x2", System.Globalization.CultureInfo.InvariantCulture);
        });

    private static (string Header, string Key)[] HeadersToRecord(IList<string> headers, string prefix)
    {
        var result = new List<(string, string)>(headers.Count);
        foreach (var header in headers)
        {
            if (!string.IsNullOrWhiteSpace(header))
            {
                result.Add((header.Trim(), HttpSemantics.HeaderAttributeKey(prefix, header)));
            }
        }

        return [.. result];
    }

    /// <summary>
    /// What was current when the middleware was called, to be put back before it returns: as an <c>async</c> method's
    /// builder does, and for the same reason.
    /// </summary>
    /// <remarks>
    /// Perf: putting back the caller's <see cref="ExecutionContext"/> object costs nothing. Setting the span, the
    /// Activity and the baggage back one by one would allocate a new context (and its value map) whenever the caller's
    /// was not empty, as it is whenever ASP.NET Core started an Activity, and setting <see cref="Activity.Current"/>
    /// makes the Activity format its <see cref="Activity.Id"/> string.
    /// </remarks>
    private readonly struct CallerContext
    {
        // Null when the caller suppressed the flow (Capture returns null then): the values are restored one by one,
        // and only then are they read here.
        private readonly ExecutionContext? _context;
        private readonly Span? _span;
        private readonly Baggage? _baggage;

        public CallerContext(Activity? activity)
        {
            Activity = activity;
            _context = ExecutionContext.Capture();
            if (_context is null)
            {
                _span = CurrentSpan.Value;
                _baggage = Baggage.Current;
            }
        }

        public Activity? Activity { get; }

        /// <summary>Puts back what was current; <paramref name="ownActivity"/> is the Activity the middleware started, if any.</summary>
        public void Restore(Activity? ownActivity)
        {
            if (ownActivity is not null && ReferenceEquals(Activity.Current, ownActivity))
            {
                // Through the setter, as the Activity was made current: Activity.CurrentChanged hears of both.
                Activity.Current = Activity;
            }

            if (_context is not null)
            {
                ExecutionContext.Restore(_context);
                return;
            }

            CurrentSpan.Value = _span;
            if (!ReferenceEquals(Activity.Current, Activity))
            {
                Activity.Current = Activity;
            }

            Baggage.Current = _baggage!;
        }
    }

    /// <summary>A Host header's value and its host part, replaced as a whole.</summary>
    private sealed class LastHost(string value, string host)
    {
        public string Value { get; } = value;

        public string Host { get; } = host;
    }
}
