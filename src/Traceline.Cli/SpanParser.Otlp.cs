using System.Globalization;
using System.Text.Json;
using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>
/// OTLP/JSON (an <c>ExportTraceServiceRequest</c>: <c>resourceSpans</c> / <c>scopeSpans</c> / <c>spans</c>): hex ids,
/// unix nanoseconds as strings or numbers, kinds and status codes as numbers or enum names, lowerCamelCase or the
/// proto's snake_case names.
/// </summary>
internal sealed partial class SpanParser
{
    // OTLP span flags: bit 8 says whether bit 9 (the parent is remote) is known.
    private const uint HasIsRemote = 0x100;
    private const uint IsRemote = 0x200;

    private int ParseOtlp(ref Utf8JsonReader reader, Action<TraceSpan> add, Action<string> problem)
    {
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isResourceSpans = reader.ValueTextEquals("resourceSpans"u8) || reader.ValueTextEquals("resource_spans"u8);
            reader.Read();
            if (!isResourceSpans || reader.TokenType != JsonTokenType.StartArray)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
            {
                // The resource may come after its spans: hold them until the entry ends.
                _pending.Clear();
                var resource = default(SpanFields);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("resource"u8))
                    {
                        reader.Read();
                        ReadOtlpResource(ref reader, ref resource);
                    }
                    else if (reader.ValueTextEquals("scopeSpans"u8) || reader.ValueTextEquals("scope_spans"u8))
                    {
                        reader.Read();
                        ReadOtlpScopeSpans(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }

                foreach (var fields in _pending)
                {
                    var span = fields;
                    span.Service = resource.Service;
                    count += Accept(span, add, problem);
                }
            }
        }

        return count;
    }

    private void ReadOtlpResource(ref Utf8JsonReader reader, ref SpanFields resource)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var attributes = reader.ValueTextEquals("attributes"u8);
            reader.Read();
            if (attributes)
            {
                ReadAttributes(ref reader, ref resource, resource: true, Names.Otlp);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    private void ReadOtlpScopeSpans(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var spans = reader.ValueTextEquals("spans"u8);
                reader.Read();
                if (!spans || reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    var span = default(SpanFields);
                    ReadOtlpSpan(ref reader, ref span);
                    _pending.Add(span);
                }
            }
        }
    }

    private void ReadOtlpSpan(ref Utf8JsonReader reader, ref SpanFields span)
    {
        span.HasContext = true;
        uint flags = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("trace_id"u8))
            {
                reader.Read();
                span.TraceHex = HexId.Read(ref reader, _strings);
            }
            else if (reader.ValueTextEquals("spanId"u8) || reader.ValueTextEquals("span_id"u8))
            {
                reader.Read();
                span.SpanHex = HexId.Read(ref reader, _strings);
            }
            else if (reader.ValueTextEquals("parentSpanId"u8) || reader.ValueTextEquals("parent_span_id"u8))
            {
                reader.Read();
                span.ParentHex = HexId.Read(ref reader, _strings);
            }
            else if (reader.ValueTextEquals("name"u8))
            {
                reader.Read();
                span.Name = ReadName(ref reader);
            }
            else if (reader.ValueTextEquals("kind"u8))
            {
                reader.Read();
                span.Kind = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var kind) ? KindFromNumber(kind) : KindFromOtlpName(reader.GetString());
            }
            else if (reader.ValueTextEquals("flags"u8))
            {
                reader.Read();
                flags = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out var f) ? f : 0;
            }
            else if (reader.ValueTextEquals("startTimeUnixNano"u8) || reader.ValueTextEquals("start_time_unix_nano"u8))
            {
                reader.Read();
                span.Start = ReadNanos(ref reader, "startTimeUnixNano");
                span.HasStart = true;
            }
            else if (reader.ValueTextEquals("endTimeUnixNano"u8) || reader.ValueTextEquals("end_time_unix_nano"u8))
            {
                reader.Read();
                span.End = ReadNanos(ref reader, "endTimeUnixNano");
                span.HasEnd = true;
            }
            else if (reader.ValueTextEquals("attributes"u8))
            {
                reader.Read();
                ReadAttributes(ref reader, ref span, resource: false, Names.Otlp);
            }
            else if (reader.ValueTextEquals("events"u8))
            {
                reader.Read();
                ReadEvents(ref reader, ref span, Names.Otlp);
            }
            else if (reader.ValueTextEquals("links"u8))
            {
                reader.Read();
                ReadOtlpLinks(ref reader, ref span);
            }
            else if (reader.ValueTextEquals("status"u8))
            {
                reader.Read();
                ReadOtlpStatus(ref reader, ref span);
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        span.ParentIsRemote = (flags & HasIsRemote) != 0 ? (flags & IsRemote) != 0 : span.Kind is SpanKind.Server or SpanKind.Consumer;
    }

    private void ReadOtlpLinks(ref Utf8JsonReader reader, ref SpanFields span)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
        {
            HexId traceId = default, spanId = default;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("traceId"u8) || reader.ValueTextEquals("trace_id"u8))
                {
                    reader.Read();
                    traceId = HexId.Read(ref reader, _strings);
                }
                else if (reader.ValueTextEquals("spanId"u8) || reader.ValueTextEquals("span_id"u8))
                {
                    reader.Read();
                    spanId = HexId.Read(ref reader, _strings);
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (!span.LinkTraceHex.IsPresent)
            {
                span.LinkTraceHex = traceId;
                span.LinkSpanHex = spanId;
            }
        }
    }

    private static void ReadOtlpStatus(ref Utf8JsonReader reader, ref SpanFields span)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("code"u8))
            {
                reader.Read();
                span.Status = reader.TokenType switch
                {
                    JsonTokenType.Number when reader.TryGetInt32(out var code) => code == 2 ? SpanStatusCode.Error : code == 1 ? SpanStatusCode.Ok : SpanStatusCode.Unset,
                    JsonTokenType.String when reader.ValueTextEquals("STATUS_CODE_ERROR"u8) => SpanStatusCode.Error,
                    JsonTokenType.String when reader.ValueTextEquals("STATUS_CODE_OK"u8) => SpanStatusCode.Ok,
                    _ => SpanStatusCode.Unset,
                };
            }
            else if (reader.ValueTextEquals("message"u8))
            {
                reader.Read();
                var message = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                span.StatusDescription = string.IsNullOrEmpty(message) ? null : message;
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }
    }

    private static SpanKind KindFromOtlpName(string? kind) => kind switch
    {
        "SPAN_KIND_SERVER" => SpanKind.Server,
        "SPAN_KIND_CLIENT" => SpanKind.Client,
        "SPAN_KIND_PRODUCER" => SpanKind.Producer,
        "SPAN_KIND_CONSUMER" => SpanKind.Consumer,
        _ => SpanKind.Internal,
    };

    private static long ReadNanos(ref Utf8JsonReader reader, string what)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String && long.TryParse(reader.ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var nanos))
        {
            return nanos;
        }

        throw new FormatException($"{what} is not unix nanoseconds");
    }
}
