using System.Collections.Concurrent;
using System.Globalization;

namespace Traceline;

/// <summary>
/// gRPC calls seen as HTTP/2 requests, named and attributed by the OpenTelemetry RPC conventions (v1.37, the set the
/// OpenTelemetry .NET SDK emits): span name <c>{service}/{method}</c>, <c>rpc.system</c>, <c>rpc.service</c>,
/// <c>rpc.method</c> and <c>rpc.grpc.status_code</c>. Shared by the server middleware and the client handler.
/// </summary>
internal static class GrpcConventions
{
    public const string RpcSystem = "rpc.system";
    public const string RpcService = "rpc.service";
    public const string RpcMethod = "rpc.method";
    public const string RpcGrpcStatusCode = "rpc.grpc.status_code";
    public const string SystemName = "grpc";

    /// <summary>The header (or trailer) that carries a call's status, by the gRPC over HTTP/2 protocol.</summary>
    public const string StatusHeader = "grpc-status";

    /// <summary>How many attributes <see cref="WriteStart"/> writes.</summary>
    public const int StartAttributeCount = 3;

    private const string ContentType = "application/grpc";

    /// <summary>A bound on the cached paths, so that a client sending random paths costs no memory past it.</summary>
    internal const int MaxCachedPaths = 1024;

    private static readonly ConcurrentDictionary<string, GrpcMethod> Methods = new(StringComparer.Ordinal);

    /// <summary>Gets how many paths are cached (tests check the bound).</summary>
    internal static int CachedPathCount => Methods.Count;

    /// <summary>Whether a content type names gRPC: <c>application/grpc</c>, alone or followed by <c>+proto</c>, <c>+json</c> or parameters.</summary>
    public static bool IsGrpcContentType(ReadOnlySpan<char> contentType) =>
        contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase)
        && (contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';');

    /// <summary>
    /// Reads a gRPC request path, <c>/{service}/{method}</c> with both parts non-empty. Perf: a service has few
    /// methods, so each path is parsed once and its names and span name are reused.
    /// </summary>
    public static GrpcMethod? ParsePath(string? path)
    {
        if (path is null)
        {
            return null;
        }

        if (Methods.TryGetValue(path, out var known))
        {
            return known;
        }

        var parsed = Parse(path);
        if (parsed is not null && Methods.Count < MaxCachedPaths)
        {
            Methods.TryAdd(path, parsed);
        }

        return parsed;
    }

    /// <summary>Writes <c>rpc.system</c>, <c>rpc.service</c> and <c>rpc.method</c> at <paramref name="count"/>.</summary>
    public static void WriteStart(GrpcMethod method, Span<SpanAttribute> attributes, ref int count)
    {
        attributes[count++] = new SpanAttribute(RpcSystem, SystemName);
        attributes[count++] = new SpanAttribute(RpcService, method.Service);
        attributes[count++] = new SpanAttribute(RpcMethod, method.Method);
    }

    /// <summary>Reads a <c>grpc-status</c> value: a non-negative decimal number, else none.</summary>
    public static bool TryParseStatus(string? value, out int status) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out status);

    /// <summary>
    /// Whether a status code is an error of the server (the conventions name UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED,
    /// INTERNAL, UNAVAILABLE and DATA_LOSS); for a client, every status but OK is.
    /// </summary>
    public static bool IsServerError(int status) => status is 2 or 4 or 12 or 13 or 14 or 15;

    private static GrpcMethod? Parse(string path)
    {
        if (path.Length < 4 || path[0] != '/')
        {
            return null;
        }

        var slash = path.IndexOf('/', 1);
        if (slash < 2 || slash == path.Length - 1 || path.IndexOf('/', slash + 1) >= 0)
        {
            return null;
        }

        var name = path[1..];
        return new GrpcMethod(name, name[..(slash - 1)], path[(slash + 1)..]);
    }
}
