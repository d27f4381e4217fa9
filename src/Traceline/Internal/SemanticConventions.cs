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
}
