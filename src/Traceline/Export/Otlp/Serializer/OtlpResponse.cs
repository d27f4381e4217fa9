using System.Text;
using System.Text.Json;

namespace Traceline.Export;

/// <summary>Reads what a receiver answers: a partial success, or an error status with an optional retry delay.</summary>
internal static class OtlpResponse
{
    private const int MaxMessageLength = 256;

    /// <summary>Reads <c>ExportTraceServiceResponse.partial_success</c> (protobuf). False when absent or malformed.</summary>
    public static bool TryReadPartialSuccess(ReadOnlySpan<byte> response, out long rejected, out string message)
    {
        rejected = 0;
        message = string.Empty;
        var reader = new ProtobufReader(response);
        var found = false;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wire))
            {
                return false;
            }

            if (field == OtlpFieldNumbers.ExportTraceServiceResponse_partial_success && wire == ProtobufWriter.WireLength)
            {
                if (!reader.TryReadLengthDelimited(out var partial))
                {
                    return false;
                }

                found = true;
                var inner = new ProtobufReader(partial);
                while (!inner.End)
                {
                    if (!inner.TryReadTag(out var innerField, out var innerWire))
                    {
                        return false;
                    }

                    if (innerField == OtlpFieldNumbers.ExportTracePartialSuccess_rejected_spans && innerWire == ProtobufWriter.WireVarint && inner.TryReadVarint(out var count))
                    {
                        rejected = (long)count;
                    }
                    else if (innerField == OtlpFieldNumbers.ExportTracePartialSuccess_error_message && innerWire == ProtobufWriter.WireLength && inner.TryReadLengthDelimited(out var text))
                    {
                        message = ReadText(text);
                    }
                    else if (!inner.TrySkip(innerWire))
                    {
                        return false;
                    }
                }
            }
            else if (!reader.TrySkip(wire))
            {
                return false;
            }
        }

        return found && (rejected != 0 || message.Length > 0);
    }

    /// <summary>Reads <c>partialSuccess</c> from a JSON reply. False when absent or malformed.</summary>
    public static bool TryReadJsonPartialSuccess(ReadOnlySpan<byte> response, out long rejected, out string message)
    {
        rejected = 0;
        message = string.Empty;
        if (response.IsEmpty)
        {
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(response, new JsonReaderOptions { MaxDepth = 8 });
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("partialSuccess", out var partial)
                || partial.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            if (partial.TryGetProperty("rejectedSpans", out var count))
            {
                _ = count.ValueKind switch
                {
                    JsonValueKind.String => long.TryParse(count.GetString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out rejected),
                    JsonValueKind.Number => count.TryGetInt64(out rejected),
                    _ => false, // a malformed reply to a delivered batch is not a failure
                };
            }

            if (partial.TryGetProperty("errorMessage", out var text) && text.ValueKind == JsonValueKind.String)
            {
                message = Cut(text.GetString() ?? string.Empty);
            }

            return rejected != 0 || message.Length > 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads a <c>google.rpc.Status</c> (an OTLP/HTTP error body, or gRPC's <c>grpc-status-details-bin</c>): its
    /// message and, from a <c>google.rpc.RetryInfo</c> detail, the delay the server asks for.
    /// </summary>
    public static bool TryReadStatus(ReadOnlySpan<byte> status, out string message, out TimeSpan? retryDelay)
    {
        message = string.Empty;
        retryDelay = null;
        var reader = new ProtobufReader(status);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wire))
            {
                return false;
            }

            if (field == GoogleRpcFieldNumbers.Status_message && wire == ProtobufWriter.WireLength && reader.TryReadLengthDelimited(out var text))
            {
                message = ReadText(text);
            }
            else if (field == GoogleRpcFieldNumbers.Status_details && wire == ProtobufWriter.WireLength && reader.TryReadLengthDelimited(out var any))
            {
                if (TryReadRetryInfo(any, out var delay))
                {
                    retryDelay = delay;
                }
            }
            else if (!reader.TrySkip(wire))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadRetryInfo(ReadOnlySpan<byte> any, out TimeSpan delay)
    {
        delay = default;
        var reader = new ProtobufReader(any);
        var isRetryInfo = false;
        ReadOnlySpan<byte> value = default;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wire))
            {
                return false;
            }

            if (field == GoogleRpcFieldNumbers.Any_type_url && wire == ProtobufWriter.WireLength && reader.TryReadLengthDelimited(out var typeUrl))
            {
                isRetryInfo = typeUrl.EndsWith("/google.rpc.RetryInfo"u8);
            }
            else if (field == GoogleRpcFieldNumbers.Any_value && wire == ProtobufWriter.WireLength && reader.TryReadLengthDelimited(out var content))
            {
                value = content;
            }
            else if (!reader.TrySkip(wire))
            {
                return false;
            }
        }

        if (!isRetryInfo)
        {
            return false;
        }

        var info = new ProtobufReader(value);
        while (!info.End)
        {
            if (!info.TryReadTag(out var field, out var wire))
            {
                return false;
            }

            if (field == GoogleRpcFieldNumbers.RetryInfo_retry_delay && wire == ProtobufWriter.WireLength && info.TryReadLengthDelimited(out var duration))
            {
                long seconds = 0, nanos = 0;
                var d = new ProtobufReader(duration);
                while (!d.End)
                {
                    if (!d.TryReadTag(out var f, out var w))
                    {
                        return false;
                    }

                    if (f == GoogleRpcFieldNumbers.Duration_seconds && w == ProtobufWriter.WireVarint && d.TryReadVarint(out var s))
                    {
                        seconds = (long)s;
                    }
                    else if (f == GoogleRpcFieldNumbers.Duration_nanos && w == ProtobufWriter.WireVarint && d.TryReadVarint(out var n))
                    {
                        nanos = (int)n;
                    }
                    else if (!d.TrySkip(w))
                    {
                        return false;
                    }
                }

                if (seconds < 0 || nanos < 0 || seconds > 86_400)
                {
                    return false;
                }

                delay = TimeSpan.FromSeconds(seconds) + TimeSpan.FromTicks(nanos / 100);
                return true;
            }

            if (!info.TrySkip(wire))
            {
                return false;
            }
        }

        return false;
    }

    private static string ReadText(ReadOnlySpan<byte> utf8) => Cut(Encoding.UTF8.GetString(utf8[..Math.Min(utf8.Length, MaxMessageLength * 4)]));

    private static string Cut(string text) => text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength), "…");
}
