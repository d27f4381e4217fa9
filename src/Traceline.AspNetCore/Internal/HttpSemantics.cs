namespace Traceline.AspNetCore;

/// <summary>Facts of the OpenTelemetry HTTP server conventions beside the method table (<see cref="HttpMethods"/>, shared with the client).</summary>
internal static class HttpSemantics
{
    /// <summary>Maps <c>HttpRequest.Protocol</c> to <c>network.protocol.version</c> (<c>HTTP/1.1</c> gives <c>1.1</c>).</summary>
    public static string? GetProtocolVersion(string protocol) => protocol switch
    {
        "HTTP/1.1" => "1.1",
        "HTTP/2" => "2",
        "HTTP/3" => "3",
        "HTTP/1.0" => "1.0",
        _ when protocol.StartsWith("HTTP/", StringComparison.Ordinal) && protocol.Length > 5 => protocol[5..],
        _ => null,
    };

    /// <summary>The attribute key of a recorded header: <c>http.request.header.x-tenant</c>.</summary>
    public static string HeaderAttributeKey(string prefix, string header) => prefix + header.Trim().ToLowerInvariant();
}
