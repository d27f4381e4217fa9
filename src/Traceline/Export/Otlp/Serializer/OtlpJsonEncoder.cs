using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Traceline.Export;

/// <summary>
/// Encodes a batch as an <c>ExportTraceServiceRequest</c> by the OTLP JSON mapping: camelCase field names, ids as
/// lowercase hex (not base64), enum values as integers, 64-bit integers as decimal strings, default values left out.
/// </summary>
/// <remarks>Perf: one reused <see cref="Utf8JsonWriter"/> over a reused pooled buffer; ids are formatted on the stack.</remarks>
internal sealed class OtlpJsonEncoder
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // JSON-correct; the payload is never embedded in HTML
        SkipValidation = true,
        Indented = false,
    };

    private readonly OtlpBatchGrouping _grouping = new();
    private Utf8JsonWriter? _writer;

    public int Encode(ReadOnlySpan<Span> batch, PooledByteBuffer output)
    {
        var before = output.Length;
        _grouping.Build(batch);
        var writer = _writer ??= new Utf8JsonWriter((IBufferWriter<byte>)output, WriterOptions);
        writer.Reset((IBufferWriter<byte>)output);
        writer.WriteStartObject();
        writer.WriteStartArray("resourceSpans"u8);
        var g = 0;
        while (g < _grouping.GroupCount)
        {
            var resource = _grouping[g].Resource;
            writer.WriteStartObject();
            writer.WriteStartObject("resource"u8);
            WriteAttributes(writer, resource.Attributes);
            writer.WriteEndObject();
            writer.WriteStartArray("scopeSpans"u8);
            while (g < _grouping.GroupCount && ReferenceEquals(_grouping[g].Resource, resource))
            {
                WriteScopeSpans(writer, batch, in _grouping[g]);
                g++;
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        return (int)(output.Length - before);
    }

    private void WriteScopeSpans(Utf8JsonWriter writer, ReadOnlySpan<Span> batch, in OtlpBatchGrouping.Group group)
    {
        writer.WriteStartObject();
        if (group.Scope is { } scope)
        {
            writer.WriteStartObject("scope"u8);
            writer.WriteString("name"u8, scope.Name);
            if (!string.IsNullOrEmpty(scope.Version))
            {
                writer.WriteString("version"u8, scope.Version);
            }

            writer.WriteEndObject();
        }

        writer.WriteStartArray("spans"u8);
        foreach (var index in _grouping.Order.Slice(group.Start, group.Count))
        {
            WriteSpan(writer, batch[index]);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void WriteSpan(Utf8JsonWriter writer, Span span)
    {
        var context = span.Context;
        writer.WriteStartObject();
        WriteTraceId(writer, context.TraceId);
        WriteSpanId(writer, "spanId"u8, context.SpanId);
        if (context.TraceState is { } traceState)
        {
            writer.WriteString("traceState"u8, traceState);
        }

        if (span.ParentSpanId.IsValid)
        {
            WriteSpanId(writer, "parentSpanId"u8, span.ParentSpanId);
        }

        writer.WriteNumber("flags"u8, OtlpProtobufEncoder.SpanFlagsOf(context.TraceFlags, span.Parent.IsRemote));
        writer.WriteString("name"u8, span.Name);
        writer.WriteNumber("kind"u8, (int)span.Kind + 1);
        WriteInt64String(writer, "startTimeUnixNano"u8, span.StartUnixNanos);
        WriteInt64String(writer, "endTimeUnixNano"u8, span.EndUnixNanos);
        WriteAttributes(writer, span.Attributes);
        WriteCount(writer, "droppedAttributesCount"u8, span.DroppedAttributeCount);

        var details = span.Details;
        if (details is not null)
        {
            if (details.Events is { Count: > 0 } events)
            {
                writer.WriteStartArray("events"u8);
                foreach (var spanEvent in CollectionsMarshal.AsSpan(events))
                {
                    writer.WriteStartObject();
                    WriteInt64String(writer, "timeUnixNano"u8, spanEvent.TimeUnixNanos);
                    writer.WriteString("name"u8, spanEvent.Name);
                    WriteAttributes(writer, spanEvent.Attributes);
                    WriteCount(writer, "droppedAttributesCount"u8, spanEvent.DroppedAttributeCount);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            WriteCount(writer, "droppedEventsCount"u8, details.DroppedEvents);
            var links = span.Links;
            if (!links.IsEmpty)
            {
                writer.WriteStartArray("links"u8);
                foreach (ref readonly var link in links)
                {
                    var linked = link.Context;
                    writer.WriteStartObject();
                    WriteTraceId(writer, linked.TraceId);
                    WriteSpanId(writer, "spanId"u8, linked.SpanId);
                    if (linked.TraceState is { } linkedState)
                    {
                        writer.WriteString("traceState"u8, linkedState);
                    }

                    WriteAttributes(writer, link.Attributes);
                    WriteCount(writer, "droppedAttributesCount"u8, link.DroppedAttributeCount);
                    writer.WriteNumber("flags"u8, OtlpProtobufEncoder.SpanFlagsOf(linked.TraceFlags, linked.IsRemote));
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            WriteCount(writer, "droppedLinksCount"u8, details.DroppedLinks);
        }

        if (span.Status != SpanStatusCode.Unset)
        {
            writer.WriteStartObject("status"u8);
            if (span.Status == SpanStatusCode.Error && !string.IsNullOrEmpty(details?.StatusDescription))
            {
                writer.WriteString("message"u8, details.StatusDescription);
            }

            writer.WriteNumber("code"u8, (int)span.Status);
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    private static void WriteAttributes(Utf8JsonWriter writer, ReadOnlySpan<SpanAttribute> attributes)
    {
        if (attributes.IsEmpty)
        {
            return;
        }

        writer.WriteStartArray("attributes"u8);
        foreach (ref readonly var attribute in attributes)
        {
            writer.WriteStartObject();
            writer.WriteString("key"u8, attribute.Key);
            writer.WritePropertyName("value"u8);
            WriteValue(writer, attribute.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, in AttributeValue value)
    {
        writer.WriteStartObject();
        switch (value.Type)
        {
            case AttributeValueType.String:
                writer.WriteString("stringValue"u8, value.StringValue);
                break;
            case AttributeValueType.Bool:
                writer.WriteBoolean("boolValue"u8, value.BoolValue);
                break;
            case AttributeValueType.Long:
                WriteInt64String(writer, "intValue"u8, value.LongValue);
                break;
            case AttributeValueType.Double:
                WriteDouble(writer, value.DoubleValue);
                break;
            case AttributeValueType.StringArray:
                writer.WriteStartObject("arrayValue"u8);
                writer.WriteStartArray("values"u8);
                foreach (var item in value.StringArrayValue)
                {
                    writer.WriteStartObject();
                    if (item is not null)
                    {
                        writer.WriteString("stringValue"u8, item);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            case AttributeValueType.BoolArray:
                writer.WriteStartObject("arrayValue"u8);
                writer.WriteStartArray("values"u8);
                foreach (var item in value.BoolArrayValue)
                {
                    writer.WriteStartObject();
                    writer.WriteBoolean("boolValue"u8, item);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            case AttributeValueType.LongArray:
                writer.WriteStartObject("arrayValue"u8);
                writer.WriteStartArray("values"u8);
                foreach (var item in value.LongArrayValue)
                {
                    writer.WriteStartObject();
                    WriteInt64String(writer, "intValue"u8, item);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
            case AttributeValueType.DoubleArray:
                writer.WriteStartObject("arrayValue"u8);
                writer.WriteStartArray("values"u8);
                foreach (var item in value.DoubleArrayValue)
                {
                    writer.WriteStartObject();
                    WriteDouble(writer, item);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        // Proto3 JSON: finite numbers as numbers; NaN and the infinities as the strings "NaN", "Infinity", "-Infinity".
        if (double.IsFinite(value))
        {
            writer.WriteNumber("doubleValue"u8, value);
        }
        else
        {
            writer.WriteString("doubleValue"u8, double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity");
        }
    }

    private static void WriteCount(Utf8JsonWriter writer, ReadOnlySpan<byte> name, int count)
    {
        if (count > 0)
        {
            writer.WriteNumber(name, count);
        }
    }

    private static void WriteInt64String(Utf8JsonWriter writer, ReadOnlySpan<byte> name, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var written, default, CultureInfo.InvariantCulture);
        writer.WriteString(name, digits[..written]);
    }

    private static void WriteTraceId(Utf8JsonWriter writer, TraceId id)
    {
        Span<byte> hex = stackalloc byte[TraceId.HexLength];
        id.TryFormat(hex, out _);
        writer.WriteString("traceId"u8, hex);
    }

    private static void WriteSpanId(Utf8JsonWriter writer, ReadOnlySpan<byte> name, SpanId id)
    {
        Span<byte> hex = stackalloc byte[SpanId.HexLength];
        id.TryFormat(hex, out _);
        writer.WriteString(name, hex);
    }
}
