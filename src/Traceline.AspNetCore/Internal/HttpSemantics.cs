namespace Traceline.AspNetCore;

/// <summary>Facts of the OpenTelemetry HTTP semantic conventions that the middleware needs, precomputed.</summary>
internal static class HttpSemantics
{
    /// <summary>The value of <c>http.request.method</c> for a method outside <see cref="KnownMethods"/>.</summary>
    public const string OtherMethod = SemanticConventions.HttpOtherMethod;

    /// <summary>What stands for the method in the span name when it is <see cref="OtherMethod"/>.</summary>
    public const string OtherMethodSpanName = SemanticConventions.HttpOtherMethodSpanName;

    /// <summary>Index of "other" in the tables indexed by method.</summary>
    public const int OtherMethodIndex = 9;

    /// <summary>The methods the conventions know (RFC 9110 and PATCH); they compare case-sensitively.</summary>
    public static readonly string[] KnownMethods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE"];

    /// <summary>The span name without a route, indexed by method: <c>GET</c> ... <c>HTTP</c>.</summary>
    public static readonly string[] MethodSpanNames = [.. KnownMethods, OtherMethodSpanName];

    /// <summary>Returns the index of <paramref name="method"/> in <see cref="KnownMethods"/>, or <see cref="OtherMethodIndex"/>.</summary>
    /// <remarks>Perf: Kestrel and TestServer hand out interned method strings, so the reference check usually decides.</remarks>
    public static int GetMethodIndex(string method)
    {
        var known = KnownMethods;
        for (var i = 0; i < known.Length; i++)
        {
            if (ReferenceEquals(method, known[i]))
            {
                return i;
            }
        }

        for (var i = 0; i < known.Length; i++)
        {
            if (string.Equals(method, known[i], StringComparison.Ordinal))
            {
                return i;
            }
        }

        return OtherMethodIndex;
    }

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
