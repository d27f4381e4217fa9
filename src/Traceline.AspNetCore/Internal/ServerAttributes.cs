using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Traceline.AspNetCore;

/// <summary>The server span's attributes by the OpenTelemetry HTTP server conventions, with the caches that make them cheap.</summary>
internal sealed class ServerAttributes
{
    /// <summary><c>error.type</c> of a request the client aborted: marked, not reported as a server error.</summary>
    public const string ErrorTypeAborted = "aborted";

    private const string RequestHeaderPrefix = "http.request.header.";
    private const string ResponseHeaderPrefix = "http.response.header.";

    private readonly string[]? _redactedQueryKeys;
    private readonly (string Header, string Key)[] _requestHeaders;
    private readonly (string Header, string Key)[] _responseHeaders;

    // Perf: "{METHOD} {route}" names are built once per route template and method, then reused. Each array holds the
    // names by method index and, in its last slot, the route template it belongs to.
    private readonly ConcurrentDictionary<string, string?[]> _routeSpanNames = new(StringComparer.Ordinal);

    // Perf: HostString.Host cuts a new string out of the Host header on every call; a service answers to few hosts, so
    // the last one is kept while the header still names it. The names of the last route are kept likewise. Benign
    // races: any thread may replace them, and every value they hold is valid.
    private LastHost? _lastHost;
    private string?[]? _lastRouteNames;

    public ServerAttributes(TracingMiddlewareOptions options)
    {
        _redactedQueryKeys = options.RedactedQueryKeys.Count > 0 ? [.. options.RedactedQueryKeys] : null;
        _requestHeaders = HeadersToRecord(options.RecordedRequestHeaders, RequestHeaderPrefix);
        _responseHeaders = HeadersToRecord(options.RecordedResponseHeaders, ResponseHeaderPrefix);
    }

    /// <summary>Writes the attributes the span starts with (the sampler sees them) at <paramref name="count"/>; returns the span's first name.</summary>
    public string WriteStart(HttpContext context, Span<SpanAttribute> attributes, ref int count)
    {
        var request = context.Request;
        var methodIndex = HttpMethods.WriteAttributes(request.Method, ignoreCase: false, attributes, ref count);
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

        if (GrpcMethodOf(request) is { } grpc)
        {
            GrpcConventions.WriteStart(grpc, attributes, ref count);
            return grpc.SpanName;
        }

        return HttpMethods.SpanNames[methodIndex];
    }

    /// <summary>Records the request headers the options name.</summary>
    public void RecordRequestHeaders(Span span, HttpRequest request) => RecordHeaders(span, request.Headers, _requestHeaders);

    /// <summary>Returns the status code the client gets: 500 for an exception thrown out of the pipeline before the response started.</summary>
    public static int StatusCode(HttpResponse response, Exception? thrown) =>
        thrown is not null && !response.HasStarted ? StatusCodes.Status500InternalServerError : response.StatusCode;

    /// <summary>
    /// Sets the status code, the route (and the span name with it), the error type and status, and the recorded response
    /// headers. <paramref name="exception"/> is the one thrown out of the pipeline or one that middleware handled;
    /// <paramref name="origin"/>, when not <see langword="null"/>, is the endpoint that was current before a handler
    /// cleared or replaced it.
    /// </summary>
    public void WriteEnd(HttpContext context, Span span, int statusCode, Exception? exception, Endpoint? origin)
    {
        // Perf: the attributes go in with one call, so the span's setter lock is taken once for all of them.
        var response = context.Response;
        var attributes = default(EndAttributeBuffer);
        attributes[0] = new SpanAttribute(SemanticConventions.HttpResponseStatusCode, statusCode);
        var count = 1;
        var grpc = GrpcMethodOf(context.Request);
        if ((origin ?? context.GetEndpoint()) is RouteEndpoint { RoutePattern.RawText: { Length: > 0 } route })
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.HttpRoute, route);
            if (grpc is null)
            {
                span.UpdateName(RouteSpanName(context.Request.Method, route));
            }
        }

        if (grpc is not null)
        {
            WriteGrpcStatus(context, span);
        }

        // Perf: the feature, not context.RequestAborted, which makes a default feature when the server has none.
        if (context.Features.Get<IHttpRequestLifetimeFeature>()?.RequestAborted.IsCancellationRequested == true)
        {
            // The client went away: worth marking, but not the server's failure.
            attributes[count++] = new SpanAttribute(SemanticConventions.ErrorType, ErrorTypeAborted);
        }
        else if (exception is not null)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.ErrorType, ExceptionText.TypeName(exception));
            span.SetStatus(SpanStatusCode.Error, ExceptionText.Message(exception));
        }
        else if (statusCode >= StatusCodes.Status500InternalServerError)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.ErrorType, SemanticConventions.StatusCodeText(statusCode));
            span.SetStatus(SpanStatusCode.Error);
        }

        span.SetAttributes(((ReadOnlySpan<SpanAttribute>)attributes)[..count]);
        RecordHeaders(span, response.Headers, _responseHeaders);
    }

    /// <summary>The gRPC method of a gRPC request (a POST with a gRPC content type and a <c>/service/method</c> path), else <see langword="null"/>.</summary>
    private static GrpcMethod? GrpcMethodOf(HttpRequest request) =>
        string.Equals(request.Method, "POST", StringComparison.Ordinal) && request.ContentType is { } contentType && GrpcConventions.IsGrpcContentType(contentType)
            ? GrpcConventions.ParsePath(request.Path.Value)
            : null;

    /// <summary>
    /// Records the call's <c>grpc-status</c>: a trailer, or a header in a trailers-only response. Only the codes the
    /// conventions call server errors make the span an error; a call without a status (the connection broke) says so.
    /// </summary>
    private static void WriteGrpcStatus(HttpContext context, Span span)
    {
        var value = context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers[GrpcConventions.StatusHeader] ?? default;
        if (value.Count == 0)
        {
            value = context.Response.Headers[GrpcConventions.StatusHeader];
        }

        if (GrpcConventions.TryParseStatus(value.ToString(), out var status))
        {
            span.SetAttribute(GrpcConventions.RpcGrpcStatusCode, status);
            if (GrpcConventions.IsServerError(status))
            {
                span.SetStatus(SpanStatusCode.Error);
            }
        }
    }

    private string RouteSpanName(string method, string route)
    {
        var methodIndex = HttpMethods.IndexOf(method, ignoreCase: false);

        // Perf: an endpoint's route template is one string instance, so a service that keeps answering one route (or a
        // burst of it) finds its names by reference, without hashing the template.
        var names = _lastRouteNames;
        if (names is null || !ReferenceEquals(names[^1], route))
        {
            names = _routeSpanNames.GetOrAdd(route, static template =>
            {
                var slots = new string?[HttpMethods.OtherIndex + 2];
                slots[^1] = template;
                return slots;
            });
            _lastRouteNames = names;
        }

        // A race only builds the same name twice.
        return names[methodIndex] ??= HttpMethods.SpanNames[methodIndex] + " " + route;
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

    /// <summary>A Host header's value and its host part, replaced as a whole.</summary>
    private sealed class LastHost(string value, string host)
    {
        public string Value { get; } = value;

        public string Host { get; } = host;
    }
}
