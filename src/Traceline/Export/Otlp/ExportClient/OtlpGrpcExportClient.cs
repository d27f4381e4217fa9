using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Traceline.Export;

/// <summary>
/// gRPC's unary <c>TraceService/Export</c> over HTTP/2: a length-prefixed message, the status in trailers (or in the
/// headers of a trailers-only reply), the retry delay in <c>grpc-status-details-bin</c>.
/// </summary>
internal sealed class OtlpGrpcExportClient : OtlpExportClient
{
    private const int GrpcPrefixLength = 5;

    private static readonly MediaTypeHeaderValue GrpcType = new("application/grpc");

    private readonly string? _grpcTimeout;

    public OtlpGrpcExportClient(Uri endpoint, OtlpCompression compression, KeyValuePair<string, string>[] headers, TimeSpan timeout, TimeProvider time, TracelineDiagnostics diagnostics)
        : base(endpoint, compression, headers, time, diagnostics)
    {
        _grpcTimeout = timeout == Timeout.InfiniteTimeSpan ? null : ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "m";
    }

    /// <inheritdoc/>
    public override int FramePrefixLength => GrpcPrefixLength;

    /// <inheritdoc/>
    public override void WriteFramePrefix(Span<byte> payload)
    {
        // gRPC's length-prefixed message: a compressed flag, then the length as a big-endian uint32.
        payload[0] = Compression == OtlpCompression.Gzip ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(payload[1..], (uint)(payload.Length - GrpcPrefixLength));
    }

    /// <inheritdoc/>
    protected override void PrepareRequest(HttpRequestMessage request)
    {
        // h2c for http:// (prior knowledge), h2 by ALPN for https://: gRPC needs HTTP/2, nothing else will do.
        request.Version = HttpVersion.Version20;
        request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
        request.Content!.Headers.ContentType = GrpcType;
        request.Headers.TryAddWithoutValidation("te", "trailers");
        if (Compression == OtlpCompression.Gzip)
        {
            request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
        }

        request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "identity,gzip");
        if (_grpcTimeout is not null)
        {
            request.Headers.TryAddWithoutValidation("grpc-timeout", _grpcTimeout);
        }
    }

    /// <inheritdoc/>
    protected override OtlpExportOutcome Classify(HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        var httpStatus = (int)response.StatusCode;
        if (httpStatus != 200)
        {
            // gRPC's HTTP-to-status mapping: 429, 502, 503 and 504 mean UNAVAILABLE, which is retryable.
            return ClassifyHttpFailure(response, $"the receiver answered HTTP {httpStatus} {response.ReasonPhrase}");
        }

        var grpcStatus = ReadTrailer(response, "grpc-status");
        if (grpcStatus is null || !int.TryParse(grpcStatus, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return OtlpExportOutcome.Permanent("the receiver's reply has no grpc-status");
        }

        if (code == 0)
        {
            if (TryReadGrpcMessage(response, body, out var message)
                && OtlpResponse.TryReadPartialSuccess(message, out var rejected, out var text))
            {
                Diagnostics.ExportPartiallyRejected(OtlpSpanExporter.ExporterName, rejected, Scrub(text));
            }

            return OtlpExportOutcome.Success;
        }

        TimeSpan? retryDelay = null;
        var description = $"the receiver answered gRPC status {code}";
        if (ReadTrailer(response, "grpc-message") is { Length: > 0 } grpcMessage)
        {
            description += ": " + Scrub(PercentDecoding.TryDecode(grpcMessage, out var decoded) ? decoded : grpcMessage);
        }

        if (ReadTrailer(response, "grpc-status-details-bin") is { Length: > 0 } details && TryDecodeBase64(details, out var statusBytes))
        {
            _ = OtlpResponse.TryReadStatus(statusBytes, out _, out retryDelay);
        }

        return OtlpRetryPolicy.IsRetryableGrpc(code, retryDelay is not null)
            ? OtlpExportOutcome.Retry(description, retryDelay)
            : OtlpExportOutcome.Permanent(description);
    }

    private static bool TryReadGrpcMessage(HttpResponseMessage response, ReadOnlySpan<byte> body, out ReadOnlySpan<byte> message)
    {
        message = default;
        if (body.Length < GrpcPrefixLength)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body[1..]);
        if (length > (uint)(body.Length - GrpcPrefixLength))
        {
            return false;
        }

        message = body.Slice(GrpcPrefixLength, (int)length);
        if (body[0] == 0)
        {
            return true;
        }

        // A compressed reply: only gzip is offered in grpc-accept-encoding.
        if (ReadTrailer(response, "grpc-encoding") is not "gzip")
        {
            return false;
        }

        try
        {
            using var input = new MemoryStream(message.ToArray());
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            message = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static string? ReadTrailer(HttpResponseMessage response, string name)
    {
        // Trailers-only replies carry the status in the headers.
        if (response.TrailingHeaders.TryGetValues(name, out var trailing))
        {
            foreach (var value in trailing)
            {
                return value;
            }
        }

        if (response.Headers.TryGetValues(name, out var values))
        {
            foreach (var value in values)
            {
                return value;
            }
        }

        return null;
    }

    private static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        // grpc-status-details-bin is base64, often without padding.
        var padded = (text.Length % 4) switch
        {
            2 => text + "==",
            3 => text + "=",
            _ => text,
        };
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        bytes = [];
        return false;
    }
}
