using System.Net.Http.Headers;

namespace Traceline.Export;

/// <summary>OTLP/HTTP, either body: the content headers and the reading of replies; the subclasses know their encoding.</summary>
internal abstract class OtlpHttpExportClient(Uri endpoint, OtlpCompression compression, KeyValuePair<string, string>[] headers, TimeProvider time, TracelineDiagnostics diagnostics)
    : OtlpExportClient(endpoint, compression, headers, time, diagnostics)
{
    /// <summary>Gets the request's content type.</summary>
    protected abstract MediaTypeHeaderValue ContentType { get; }

    /// <inheritdoc/>
    protected sealed override void PrepareRequest(HttpRequestMessage request)
    {
        request.Content!.Headers.ContentType = ContentType;
        if (Compression == OtlpCompression.Gzip)
        {
            request.Content.Headers.ContentEncoding.Add("gzip");
        }
    }

    /// <inheritdoc/>
    protected sealed override OtlpExportOutcome Classify(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        var status = (int)response.StatusCode;
        if (status is >= 200 and < 300)
        {
            if (TryReadPartialSuccess(body, out var rejected, out var message))
            {
                Diagnostics.ExportPartiallyRejected(OtlpSpanExporter.ExporterName, rejected, Scrub(message));
            }

            return OtlpExportOutcome.Success;
        }

        var reason = $"the receiver answered {status} {response.ReasonPhrase}";
        if (TryReadErrorMessage(body, out var errorMessage) && errorMessage.Length > 0)
        {
            reason += ": " + Scrub(errorMessage);
        }

        return ClassifyHttpFailure(response, reason);
    }

    /// <summary>Reads the partial success of a successful reply; false when there is none.</summary>
    protected abstract bool TryReadPartialSuccess(ReadOnlySpan<byte> body, out long rejected, out string message);

    /// <summary>Reads the message of an error reply's body; false when it has none this client reads.</summary>
    protected abstract bool TryReadErrorMessage(ReadOnlySpan<byte> body, out string message);
}
