using System.Net.Http.Headers;

namespace Traceline.Export;

/// <summary>OTLP/HTTP with a JSON body: a success may carry a <c>partialSuccess</c>; an error body is not read.</summary>
internal sealed class OtlpHttpJsonExportClient(Uri endpoint, OtlpCompression compression, KeyValuePair<string, string>[] headers, TimeProvider time, TracelineDiagnostics diagnostics)
    : OtlpExportClient(endpoint, compression, headers, time, diagnostics)
{
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");

    /// <inheritdoc/>
    protected override void PrepareRequest(HttpRequestMessage request) => SetHttpContent(request, JsonType);

    /// <inheritdoc/>
    protected override OtlpExportOutcome Classify(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            if (OtlpResponse.TryReadJsonPartialSuccess(body, out var rejected, out var message))
            {
                Diagnostics.ExportPartiallyRejected(OtlpSpanExporter.ExporterName, rejected, Scrub(message));
            }

            return OtlpExportOutcome.Success;
        }

        return ClassifyHttpFailure(response, $"the receiver answered {status} {response.ReasonPhrase}");
    }
}
