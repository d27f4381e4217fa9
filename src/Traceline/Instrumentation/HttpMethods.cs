namespace Traceline;

/// <summary>
/// The one table of HTTP methods for server and client spans, by the OpenTelemetry HTTP semantic conventions: the
/// known methods (RFC 9110, PATCH and QUERY), <c>_OTHER</c> for any other, <c>http.request.method_original</c>
/// beside it whenever the attribute is not the method as sent.
/// </summary>
/// <remarks>
/// Methods are case-sensitive, so <c>get</c> is unknown to ASP.NET Core. The conventions ask a framework that treats
/// methods as case-insensitive (as <see cref="System.Net.Http.HttpMethod"/> does) for the canonical name instead:
/// <c>get</c> sent through HttpClient is <c>GET</c>, with <c>get</c> as the original.
/// </remarks>
internal static class HttpMethods
{
    /// <summary>Index of "other" in the tables indexed by method.</summary>
    public const int OtherIndex = 10;

    /// <summary>The methods the conventions know, by index.</summary>
    public static readonly string[] Known = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "CONNECT", "TRACE", "QUERY"];

    /// <summary>The span name without a route, indexed by method: <c>GET</c> ... <c>HTTP</c>.</summary>
    public static readonly string[] SpanNames = [.. Known, SemanticConventions.HttpOtherMethodSpanName];

    /// <summary>Returns the index of <paramref name="method"/> in <see cref="Known"/>, or <see cref="OtherIndex"/>.</summary>
    /// <remarks>Perf: Kestrel, TestServer and <see cref="System.Net.Http.HttpMethod"/> hand out interned names, so the reference check usually decides.</remarks>
    public static int IndexOf(string method, bool ignoreCase)
    {
        var known = Known;
        for (var i = 0; i < known.Length; i++)
        {
            if (ReferenceEquals(method, known[i]))
            {
                return i;
            }
        }

        var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        for (var i = 0; i < known.Length; i++)
        {
            if (string.Equals(method, known[i], comparison))
            {
                return i;
            }
        }

        return OtherIndex;
    }

    /// <summary>
    /// Writes <c>http.request.method</c>, and <c>http.request.method_original</c> for an unknown method or a known one
    /// in another spelling, at
    /// <paramref name="count"/>; returns the method's index.
    /// </summary>
    public static int WriteAttributes(string method, bool ignoreCase, Span<SpanAttribute> attributes, ref int count)
    {
        var index = IndexOf(method, ignoreCase);
        var normalized = index == OtherIndex ? SemanticConventions.HttpOtherMethod : Known[index];
        attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestMethod, normalized);
        if (index == OtherIndex || !string.Equals(method, normalized, StringComparison.Ordinal))
        {
            attributes[count++] = new SpanAttribute(SemanticConventions.HttpRequestMethodOriginal, method);
        }

        return index;
    }
}
