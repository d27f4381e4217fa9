using System.Net.Http.Headers;

namespace Traceline.Export;

/// <summary>OTLP/HTTP with a JSON body: a success may carry a <c>partialSuccess</c>; an error body is not read.</summary>
internal sealed class OtlpHttpJsonExportClient(Uri endpoint, OtlpCompression compression, KeyValuePair<string, string>[] headers, TimeProvider time, TracelineDiagnostics diagnostics)
    : OtlpHttpExportClient(endpoint, compression, headers, time, diagnostics)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    /// <inheritdoc/>
    protected override MediaTypeHeaderValue ContentType => JsonType;

    /// <inheritdoc/>
    protected override bool TryReadPartialSuccess(ReadOnlySpan<byte> body, out long rejected, out string message) =>
        OtlpResponse.TryReadJsonPartialSuccess(body, out rejected, out message);

    /// <inheritdoc/>
    protected override bool TryReadErrorMessage(ReadOnlySpan<byte> body, out string message)
    {
        message = string.Empty;
        return false;
    }
}
