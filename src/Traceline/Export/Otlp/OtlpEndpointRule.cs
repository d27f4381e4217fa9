namespace Traceline.Export;

/// <summary>Where an endpoint came from, which decides whether the signal path is appended.</summary>
internal enum OtlpEndpointRule
{
    /// <summary>Code or configuration: <c>/v1/traces</c> appended when the URL has no path.</summary>
    FromCode,

    /// <summary><c>OTEL_EXPORTER_OTLP_ENDPOINT</c>: <c>/v1/traces</c> always appended for HTTP.</summary>
    AppendSignalPath,

    /// <summary><c>OTEL_EXPORTER_OTLP_TRACES_ENDPOINT</c>: used as it is.</summary>
    AsIs,
}
