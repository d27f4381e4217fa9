using System.Net.Http.Headers;

namespace Traceline.Export;

/// <summary>OTLP/HTTP with a binary protobuf body: replies carry an <c>ExportTraceServiceResponse</c> or a <c>google.rpc.Status</c>.</summary>
internal sealed class OtlpHttpProtobufExportClient(Uri endpoint, OtlpCompression compression, KeyValuePair<string, string>[] headers, TimeProvider time, TracelineDiagnostics diagnostics)
    : OtlpExportClient(endpoint, compression, headers, time, diagnostics)
{
    private static readonly MediaTypeHeaderValue ProtobufType = new("application/x-protobuf");

    /// <inheritdoc/>
    protected override void PrepareRequest(HttpRequestMessage request) => SetHttpContent(request, ProtobufType);

    /// <inheritdoc/>
    protected override OtlpExportOutcome Classify(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            if (OtlpResponse.TryReadPartialSuccess(body, out var rejected, out var message))
            {
                Diagnostics.ExportPartiallyRejected(OtlpSpanExporter.ExporterName, rejected, Scrub(message));
            }

            return OtlpExportOutcome.Success;
        }

        var reason = $"the receiver answered {status} {response.ReasonPhrase}";
        if (OtlpResponse.TryReadStatus(body, out var statusMessage, out _) && statusMessage.Length > 0)
        {
            reason += ": " + Scrub(statusMessage);
        }

        return ClassifyHttpFailure(response, reason);
    }
}
