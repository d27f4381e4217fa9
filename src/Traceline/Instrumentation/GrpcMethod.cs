namespace Traceline;

/// <summary>A gRPC method as a span sees it: its span name and the two attribute values.</summary>
internal sealed class GrpcMethod(string spanName, string service, string method)
{
    public string SpanName { get; } = spanName;

    public string Service { get; } = service;

    public string Method { get; } = method;
}
