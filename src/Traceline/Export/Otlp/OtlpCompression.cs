namespace Traceline.Export;

/// <summary>How the OTLP exporter compresses what it sends (<c>OTEL_EXPORTER_OTLP_COMPRESSION</c>).</summary>
public enum OtlpCompression
{
    /// <summary>No compression (<c>none</c>). The default.</summary>
    None = 0,

    /// <summary>gzip (<c>gzip</c>): <c>Content-Encoding: gzip</c> over HTTP, <c>grpc-encoding: gzip</c> over gRPC.</summary>
    Gzip = 1,
}
