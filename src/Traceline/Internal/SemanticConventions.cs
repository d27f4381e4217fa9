namespace Traceline;

/// <summary>OpenTelemetry semantic-convention names used across Traceline (facts of the specification).</summary>
internal static class SemanticConventions
{
    public const string ExceptionEventName = "exception";
    public const string ExceptionType = "exception.type";
    public const string ExceptionMessage = "exception.message";
    public const string ExceptionStacktrace = "exception.stacktrace";

    public const string ServiceName = "service.name";
    public const string ServiceVersion = "service.version";
    public const string ServiceInstanceId = "service.instance.id";
    public const string TelemetrySdkName = "telemetry.sdk.name";
    public const string TelemetrySdkLanguage = "telemetry.sdk.language";
    public const string TelemetrySdkVersion = "telemetry.sdk.version";
    public const string HostName = "host.name";
    public const string ProcessPid = "process.pid";

    public const string HttpRequestMethod = "http.request.method";
    public const string HttpRequestMethodOriginal = "http.request.method_original";
    public const string HttpResponseStatusCode = "http.response.status_code";
    public const string HttpRoute = "http.route";
    public const string HttpRequestResendCount = "http.request.resend_count";
    public const string UrlFull = "url.full";
    public const string UrlScheme = "url.scheme";
    public const string UrlPath = "url.path";
    public const string UrlQuery = "url.query";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";
    public const string ClientAddress = "client.address";
    public const string NetworkProtocolVersion = "network.protocol.version";
    public const string UserAgentOriginal = "user_agent.original";
    public const string ErrorType = "error.type";

    /// <summary><c>http.request.method</c> for a method outside the known set.</summary>
    public const string HttpOtherMethod = "_OTHER";

    /// <summary>What stands for the method in a span name when the method is <see cref="HttpOtherMethod"/>.</summary>
    public const string HttpOtherMethodSpanName = "HTTP";

    private static readonly string?[] StatusCodeTexts = new string?[600];

    /// <summary>
    /// The status code as text, for <c>error.type</c> on the server and client side alike. Perf: cached per code, so a
    /// failing request costs no string after the first of its kind.
    /// </summary>
    public static string StatusCodeText(int statusCode)
    {
        if ((uint)statusCode < (uint)StatusCodeTexts.Length)
        {
            // A race only computes the same string twice.
            return StatusCodeTexts[statusCode] ??= statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
