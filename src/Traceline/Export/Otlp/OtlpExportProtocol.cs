namespace Traceline.Export;

/// <summary>How the OTLP exporter talks to the collector (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>).</summary>
public enum OtlpExportProtocol
{
    /// <summary>Protobuf over HTTP (<c>http/protobuf</c>), posted to <c>/v1/traces</c>; port 4318. The default.</summary>
    HttpProtobuf = 0,

    /// <summary>The OTLP JSON mapping over HTTP (<c>http/json</c>), posted to <c>/v1/traces</c>; port 4318.</summary>
    HttpJson = 1,

    /// <summary>gRPC (<c>grpc</c>): the unary <c>TraceService/Export</c> call over HTTP/2; port 4317.</summary>
    Grpc = 2,
}
