using System.Net.Http.Headers;

namespace Traceline.Export;

/// <summary>OTLP/HTTP with a binary protobuf body: replies carry an <c>ExportTraceServiceResponse</c> or a <c>google.rpc.Status</c>.</summary>
internal sealed class OtlpHttpProtobufExportClient(Uri endpoint, OtlpCompression compression, KeyValuePair<string, string>[] headers, TimeProvider time, TracelineDiagnostics diagnostics)
    : OtlpHttpExportClient(endpoint, compression, headers, time, diagnostics)
{
    private static readonly MediaTypeHeaderValue ProtobufType = new("application/x-protobuf");

    /// <inheritdoc/>
    protected override MediaTypeHeaderValue ContentType => ProtobufType;

    /// <inheritdoc/>
    protected override bool TryReadPartialSuccess(ReadOnlySpan<byte> body, out long rejected, out string message) =>
        OtlpResponse.TryReadPartialSuccess(body, out rejected, out message);

    /// <inheritdoc/>
    protected override bool TryReadErrorMessage(ReadOnlySpan<byte> body, out string message) =>
        OtlpResponse.TryReadStatus(body, out message, out _);
}
