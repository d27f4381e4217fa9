using System.Globalization;

namespace Traceline;

/// <summary>
/// The OpenTelemetry HTTP client conventions: protocol versions, <c>error.type</c> values and <c>url.full</c> (methods
/// are in <see cref="HttpMethods"/>, shared with the server), and what a client span records at its start, response
/// and failure. Traceline's handler and the span of every other client (<see cref="HttpClientCapture"/>) both record
/// through here, so the two spans of a call are alike.
/// </summary>
internal static class HttpClientConventions
{
    public const string TimeoutErrorType = "timeout";

    /// <summary>
    /// Writes a client span's start attributes for <paramref name="request"/> (method, server address and port,
    /// <c>url.full</c>, <c>http.request.resend_count</c> after the first send) and returns the method's index in
    /// <see cref="HttpMethods.SpanNames"/>. Perf: no allocation beyond what <paramref name="urls"/> needs.
    /// </summary>
    public static int WriteStartAttributes(HttpRequestMessage request, FullUrlCache urls, int sendsBefore, Span<SpanAttribute> attributes, ref int count)
    {
        var methodIndex = HttpMethods.WriteAttributes(request.Method.Method, ignoreCase: true, attributes, ref count);
        if (request.RequestUri is { IsAbsoluteUri: true } uri)
        {
            // Perf: Uri caches its host string once parsed (SocketsHttpHandler reads it too): no allocation here.
            attributes[count++] = new SpanAttribute(SemanticConventions.ServerAddress, uri.Host);
            attributes[count++] = new SpanAttribute(SemanticConventions.ServerPort, uri.Port);
            attributes[count++] = new SpanAttribute(SemanticConventions.UrlFull, urls.Get(uri));
        }

        if (sendsBefore > 0)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestResendCount, sendsBefore);
        }

        return methodIndex;
    }

    /// <summary>Records a response on a recording span: status code, protocol version, and for 4xx/5xx <c>error.type</c> and status Error.</summary>
    public static void RecordResponse(Span span, int statusCode, string protocolVersion)
    {
        var attributes = default(EndAttributeBuffer);
        attributes[0] = new SpanAttribute(SemanticConventions.HttpResponseStatusCode, statusCode);
        attributes[1] = new SpanAttribute(SemanticConventions.NetworkProtocolVersion, protocolVersion);
        var count = 2;
        if (statusCode >= 400)
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.ErrorType, SemanticConventions.StatusCodeText(statusCode));
            span.SetStatus(SpanStatusCode.Error);
        }

        span.SetAttributes(((ReadOnlySpan<SpanAttribute>)attributes)[..count]);
    }

    /// <summary>Records a failed send on a recording span: <c>error.type</c>, the <c>exception</c> event and status Error.</summary>
    public static void RecordFailure(Span span, Exception exception, bool timedOut)
    {
        span.SetAttribute(SemanticConventions.ErrorType, ExceptionErrorType(exception, timedOut));
        span.RecordException(exception);
        span.SetStatus(
            SpanStatusCode.Error,
            timedOut ? "The request timed out." : exception is OperationCanceledException ? "The request was canceled." : exception.Message);
    }

    /// <summary>Returns <c>network.protocol.version</c> for an HTTP version ("1.1", "2", "3").</summary>
    public static string ProtocolVersion(Version version) => (version.Major, version.Minor) switch
    {
        (1, 1) => "1.1",
        (2, 0) => "2",
        (3, 0) => "3",
        (1, 0) => "1.0",
        _ => version.Minor == 0 ? version.Major.ToString(CultureInfo.InvariantCulture) : version.ToString(2),
    };

    /// <summary>
    /// Returns <c>error.type</c> for an exception: <c>timeout</c> for a timeout, the <see cref="HttpRequestError"/> in
    /// snake case for an <see cref="HttpRequestException"/> that names one, else the exception's full type name.
    /// </summary>
    public static string ExceptionErrorType(Exception exception, bool timedOut)
    {
        if (timedOut)
        {
            return TimeoutErrorType;
        }

        if (exception is HttpRequestException http)
        {
            var name = http.HttpRequestError switch
            {
                HttpRequestError.NameResolutionError => "name_resolution_error",
                HttpRequestError.ConnectionError => "connection_error",
                HttpRequestError.SecureConnectionError => "secure_connection_error",
                HttpRequestError.HttpProtocolError => "http_protocol_error",
                HttpRequestError.ExtendedConnectNotSupported => "extended_connect_not_supported",
                HttpRequestError.VersionNegotiationError => "version_negotiation_error",
                HttpRequestError.UserAuthenticationError => "user_authentication_error",
                HttpRequestError.ProxyTunnelError => "proxy_tunnel_error",
                HttpRequestError.InvalidResponse => "invalid_response",
                HttpRequestError.ResponseEnded => "response_ended",
                HttpRequestError.ConfigurationLimitExceeded => "configuration_limit_exceeded",
                _ => null,
            };
            if (name is not null)
            {
                return name;
            }
        }

        return exception.GetType().FullName ?? exception.GetType().Name;
    }

    /// <summary>Whether <paramref name="exception"/> or one of its inner exceptions is a <see cref="TimeoutException"/>.</summary>
    public static bool HasTimeoutCause(Exception exception)
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Returns <c>url.full</c>: the absolute URI without user info, sensitive query values replaced with
    /// <c>REDACTED</c>. Perf: the URI's own cached <see cref="Uri.AbsoluteUri"/> comes back, with no allocation, when
    /// there is nothing to remove.
    /// </summary>
    public static string FullUrl(Uri uri, string[] extraKeys)
    {
        var absolute = uri.AbsoluteUri;
        var text = absolute.AsSpan();
        var schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            return absolute;
        }

        var authorityStart = schemeEnd + 3;
        var authorityLength = text[authorityStart..].IndexOfAny('/', '?', '#');
        var authorityEnd = authorityLength < 0 ? text.Length : authorityStart + authorityLength;
        var at = text[authorityStart..authorityEnd].LastIndexOf('@');

        var queryStart = text[authorityEnd..].IndexOf('?');
        int queryEnd = text.Length;
        if (queryStart >= 0)
        {
            queryStart += authorityEnd;
            var hash = text[queryStart..].IndexOf('#');
            queryEnd = hash < 0 ? text.Length : queryStart + hash;
        }

        var redact = queryStart >= 0 && HasSensitiveKey(text[(queryStart + 1)..queryEnd], extraKeys);
        if (at < 0 && !redact)
        {
            return absolute;
        }

        var head = at < 0
            ? text[..authorityEnd]
            : string.Concat(text[..authorityStart], text[(authorityStart + at + 1)..authorityEnd]).AsSpan();
        if (!redact)
        {
            return string.Concat(head, text[authorityEnd..]);
        }

        var query = QueryRedaction.Redact(absolute[queryStart..queryEnd], extraKeys);
        return string.Concat(head, text[authorityEnd..queryStart], query, text[queryEnd..]);
    }

    /// <summary>Whether any <c>key=value</c> pair of the query (without its <c>?</c>) has a sensitive key. Perf: no allocation.</summary>
    private static bool HasSensitiveKey(ReadOnlySpan<char> query, string[] extraKeys)
    {
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                continue;
            }

            if (QueryRedaction.IsSensitive(pair[..equals], extraKeys))
            {
                return true;
            }
        }

        return false;
    }
}
