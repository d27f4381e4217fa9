using System.Runtime.InteropServices;
using System.Text;

namespace Traceline.Export;

/// <summary>
/// Encodes a batch as an OTLP <c>ExportTraceServiceRequest</c> in protobuf's wire format, in two passes: the size pass
/// measures every length-delimited field (messages and strings) into a reused array of sizes, in the order the write
/// pass meets them; the write pass then writes into one buffer of exactly the right size.
/// </summary>
/// <remarks>
/// Perf: after the first export nothing is allocated: the size array, the grouping and the output buffer are reused.
/// One instance per exporter; an exporter never encodes two batches at once.
/// </remarks>
internal sealed class OtlpProtobufEncoder
{
    // Field numbers, from opentelemetry-proto (collector/trace/v1, trace/v1, resource/v1, common/v1).
    private const int RequestResourceSpans = 1;
    private const int ResourceSpansResource = 1;
    private const int ResourceSpansScopeSpans = 2;
    private const int ResourceAttributes = 1;
    private const int ScopeSpansScope = 1;
    private const int ScopeSpansSpans = 2;
    private const int ScopeName = 1;
    private const int ScopeVersion = 2;
    private const int SpanTraceId = 1;
    private const int SpanSpanId = 2;
    private const int SpanTraceState = 3;
    private const int SpanParentSpanId = 4;
    private const int SpanName = 5;
    private const int SpanKindField = 6;
    private const int SpanStart = 7;
    private const int SpanEnd = 8;
    private const int SpanAttributes = 9;
    private const int SpanDroppedAttributes = 10;
    private const int SpanEvents = 11;
    private const int SpanDroppedEvents = 12;
    private const int SpanLinks = 13;
    private const int SpanDroppedLinks = 14;
    private const int SpanStatus = 15;
    private const int SpanFlags = 16;
    private const int EventTime = 1;
    private const int EventName = 2;
    private const int EventAttributes = 3;
    private const int EventDroppedAttributes = 4;
    private const int LinkTraceId = 1;
    private const int LinkSpanId = 2;
    private const int LinkTraceState = 3;
    private const int LinkAttributes = 4;
    private const int LinkDroppedAttributes = 5;
    private const int LinkFlags = 6;
    private const int StatusMessage = 2;
    private const int StatusCode = 3;
    private const int KeyValueKey = 1;
    private const int KeyValueValue = 2;
    private const int AnyString = 1;
    private const int AnyBool = 2;
    private const int AnyInt = 3;
    private const int AnyDouble = 4;
    private const int AnyArray = 5;
    private const int ArrayValues = 1;

    /// <summary>SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK: the flags say whether the parent (or link) is remote.</summary>
    internal const uint HasIsRemote = 0x100;

    /// <summary>SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK.</summary>
    internal const uint IsRemote = 0x200;

    private const int IdFieldSize = 2 + 16; // tag, length, 16 bytes
    private const int SpanIdFieldSize = 2 + 8;
    private const int Fixed64FieldSize = 1 + 8;
    private const int FlagsFieldSize = 2 + 4; // field 16 takes a two-byte tag

    private readonly OtlpBatchGrouping _grouping = new();
    private int[] _sizes = new int[1024];
    private int _sizeCount;
    private int _read;

    /// <summary>Encodes <paramref name="batch"/> into <paramref name="output"/>; returns the number of bytes written.</summary>
    public int Encode(ReadOnlySpan<Span> batch, PooledByteBuffer output)
    {
        _grouping.Build(batch);
        _sizeCount = 0;
        var total = MeasureRequest(batch);
        _read = 0;
        var destination = output.GetSpan(total)[..total];
        var writer = new ProtobufWriter(destination);
        WriteRequest(ref writer, batch);
        output.Advance(total);
        return total;
    }

    internal static uint SpanFlagsOf(TraceFlags flags, bool remote) => (byte)flags | HasIsRemote | (remote ? IsRemote : 0);

    private int Reserve()
    {
        if (_sizeCount == _sizes.Length)
        {
            Array.Resize(ref _sizes, _sizes.Length * 2);
        }

        return _sizeCount++;
    }

    private int Next() => _sizes[_read++];

    // ---- size pass ----
    private int MeasureRequest(ReadOnlySpan<Span> batch)
    {
        var size = 0;
        var g = 0;
        while (g < _grouping.GroupCount)
        {
            var slot = Reserve();
            var resource = _grouping[g].Resource;
            var content = ProtobufWriter.LengthFieldSize(ResourceSpansResource, MeasureResource(resource));
            while (g < _grouping.GroupCount && ReferenceEquals(_grouping[g].Resource, resource))
            {
                content += ProtobufWriter.LengthFieldSize(ResourceSpansScopeSpans, MeasureScopeSpans(batch, in _grouping[g]));
                g++;
            }

            _sizes[slot] = content;
            size += ProtobufWriter.LengthFieldSize(RequestResourceSpans, content);
        }

        return size;
    }

    private int MeasureResource(Resource resource)
    {
        var slot = Reserve();
        var size = MeasureAttributes(ResourceAttributes, resource.Attributes);
        _sizes[slot] = size;
        return size;
    }

    private int MeasureScopeSpans(ReadOnlySpan<Span> batch, in OtlpBatchGrouping.Group group)
    {
        var slot = Reserve();
        var size = 0;
        if (group.Scope is { } scope)
        {
            var scopeSlot = Reserve();
            var scopeSize = MeasureString(ScopeName, scope.Name);
            if (!string.IsNullOrEmpty(scope.Version))
            {
                scopeSize += MeasureString(ScopeVersion, scope.Version);
            }

            _sizes[scopeSlot] = scopeSize;
            size += ProtobufWriter.LengthFieldSize(ScopeSpansScope, scopeSize);
        }

        var order = _grouping.Order.Slice(group.Start, group.Count);
        foreach (var index in order)
        {
            size += ProtobufWriter.LengthFieldSize(ScopeSpansSpans, MeasureSpan(batch[index]));
        }

        _sizes[slot] = size;
        return size;
    }

    private int MeasureSpan(Span span)
    {
        var slot = Reserve();
        var context = span.Context;
        var size = IdFieldSize + SpanIdFieldSize;
        if (context.TraceState is { } traceState)
        {
            size += MeasureString(SpanTraceState, traceState);
        }

        if (span.ParentSpanId.IsValid)
        {
            size += SpanIdFieldSize;
        }

        if (span.Name.Length > 0)
        {
            size += MeasureString(SpanName, span.Name);
        }

        size += 1 + ProtobufWriter.VarintSize((ulong)span.Kind + 1);
        size += Fixed64FieldSize + Fixed64FieldSize;
        size += MeasureAttributes(SpanAttributes, span.Attributes);
        size += MeasureCount(SpanDroppedAttributes, span.DroppedAttributeCount);

        var details = span.Details;
        if (details is not null)
        {
            if (details.Events is { } events)
            {
                foreach (var spanEvent in CollectionsMarshal.AsSpan(events))
                {
                    size += ProtobufWriter.LengthFieldSize(SpanEvents, MeasureEvent(spanEvent));
                }
            }

            size += MeasureCount(SpanDroppedEvents, details.DroppedEvents);
            foreach (ref readonly var link in span.Links)
            {
                size += ProtobufWriter.LengthFieldSize(SpanLinks, MeasureLink(in link));
            }

            size += MeasureCount(SpanDroppedLinks, details.DroppedLinks);
        }

        if (span.Status != SpanStatusCode.Unset)
        {
            var statusSlot = Reserve();
            var statusSize = 1 + ProtobufWriter.VarintSize((ulong)span.Status);
            if (span.Status == SpanStatusCode.Error && !string.IsNullOrEmpty(details?.StatusDescription))
            {
                statusSize += MeasureString(StatusMessage, details.StatusDescription);
            }

            _sizes[statusSlot] = statusSize;
            size += ProtobufWriter.LengthFieldSize(SpanStatus, statusSize);
        }

        size += FlagsFieldSize;
        _sizes[slot] = size;
        return size;
    }

    private int MeasureEvent(SpanEvent spanEvent)
    {
        var slot = Reserve();
        var size = Fixed64FieldSize;
        if (spanEvent.Name.Length > 0)
        {
            size += MeasureString(EventName, spanEvent.Name);
        }

        size += MeasureAttributes(EventAttributes, spanEvent.Attributes);
        size += MeasureCount(EventDroppedAttributes, spanEvent.DroppedAttributeCount);
        _sizes[slot] = size;
        return size;
    }

    private int MeasureLink(in SpanLink link)
    {
        var slot = Reserve();
        var size = IdFieldSize + SpanIdFieldSize;
        if (link.Context.TraceState is { } traceState)
        {
            size += MeasureString(LinkTraceState, traceState);
        }

        size += MeasureAttributes(LinkAttributes, link.Attributes);
        size += MeasureCount(LinkDroppedAttributes, link.DroppedAttributeCount);
        size += 1 + 4;
        _sizes[slot] = size;
        return size;
    }

    private static int MeasureCount(int field, int count) => count > 0 ? ProtobufWriter.TagSize(field) + ProtobufWriter.VarintSize((uint)count) : 0;

    private int MeasureAttributes(int field, ReadOnlySpan<SpanAttribute> attributes)
    {
        var size = 0;
        foreach (ref readonly var attribute in attributes)
        {
            var slot = Reserve();
            var content = MeasureString(KeyValueKey, attribute.Key) + ProtobufWriter.LengthFieldSize(KeyValueValue, MeasureValue(attribute.Value));
            _sizes[slot] = content;
            size += ProtobufWriter.LengthFieldSize(field, content);
        }

        return size;
    }

    private int MeasureValue(in AttributeValue value)
    {
        var slot = Reserve();
        int size;
        switch (value.Type)
        {
            case AttributeValueType.String:
                size = MeasureString(AnyString, value.StringValue!);
                break;
            case AttributeValueType.Bool:
                size = 2;
                break;
            case AttributeValueType.Long:
                size = 1 + ProtobufWriter.VarintSize((ulong)value.LongValue);
                break;
            case AttributeValueType.Double:
                size = Fixed64FieldSize;
                break;
            case AttributeValueType.StringArray:
            case AttributeValueType.BoolArray:
            case AttributeValueType.LongArray:
            case AttributeValueType.DoubleArray:
                size = ProtobufWriter.LengthFieldSize(AnyArray, MeasureArray(value));
                break;
            default:
                size = 0;
                break;
        }

        _sizes[slot] = size;
        return size;
    }

    private int MeasureArray(in AttributeValue value)
    {
        var slot = Reserve();
        var size = 0;
        switch (value.Type)
        {
            case AttributeValueType.StringArray:
                foreach (var item in value.StringArrayValue)
                {
                    var itemSlot = Reserve();
                    var itemSize = item is null ? 0 : MeasureString(AnyString, item);
                    _sizes[itemSlot] = itemSize;
                    size += ProtobufWriter.LengthFieldSize(ArrayValues, itemSize);
                }

                break;
            case AttributeValueType.BoolArray:
                size = value.BoolArrayValue.Length * (2 + 2); // each: tag, length 2, bool tag, bool
                break;
            case AttributeValueType.LongArray:
                foreach (var item in value.LongArrayValue)
                {
                    size += ProtobufWriter.LengthFieldSize(ArrayValues, 1 + ProtobufWriter.VarintSize((ulong)item));
                }

                break;
            case AttributeValueType.DoubleArray:
                size = value.DoubleArrayValue.Length * (2 + Fixed64FieldSize);
                break;
        }

        _sizes[slot] = size;
        return size;
    }

    private int MeasureString(int field, string value)
    {
        // Perf: most keys and values are ASCII, where the UTF-8 length is the string length (a vectorized check).
        var length = Ascii.IsValid(value) ? value.Length : Encoding.UTF8.GetByteCount(value);
        var slot = Reserve(); // first: Reserve may replace the array
        _sizes[slot] = length;
        return ProtobufWriter.LengthFieldSize(field, length);
    }

    // ---- write pass: the same walk, reading the sizes in the same order ----
    private void WriteRequest(ref ProtobufWriter writer, ReadOnlySpan<Span> batch)
    {
        var g = 0;
        while (g < _grouping.GroupCount)
        {
            writer.WriteLengthPrefix(RequestResourceSpans, Next());
            var resource = _grouping[g].Resource;
            writer.WriteLengthPrefix(ResourceSpansResource, Next());
            WriteAttributes(ref writer, ResourceAttributes, resource.Attributes);
            while (g < _grouping.GroupCount && ReferenceEquals(_grouping[g].Resource, resource))
            {
                WriteScopeSpans(ref writer, batch, in _grouping[g]);
                g++;
            }
        }
    }

    private void WriteScopeSpans(ref ProtobufWriter writer, ReadOnlySpan<Span> batch, in OtlpBatchGrouping.Group group)
    {
        writer.WriteLengthPrefix(ResourceSpansScopeSpans, Next());
        if (group.Scope is { } scope)
        {
            writer.WriteLengthPrefix(ScopeSpansScope, Next());
            writer.WriteString(ScopeName, scope.Name, Next());
            if (!string.IsNullOrEmpty(scope.Version))
            {
                writer.WriteString(ScopeVersion, scope.Version, Next());
            }
        }

        foreach (var index in _grouping.Order.Slice(group.Start, group.Count))
        {
            WriteSpan(ref writer, batch[index]);
        }
    }

    private void WriteSpan(ref ProtobufWriter writer, Span span)
    {
        writer.WriteLengthPrefix(ScopeSpansSpans, Next());
        var context = span.Context;
        writer.WriteTraceId(SpanTraceId, context.TraceId);
        writer.WriteSpanId(SpanSpanId, context.SpanId);
        if (context.TraceState is { } traceState)
        {
            writer.WriteString(SpanTraceState, traceState, Next());
        }

        if (span.ParentSpanId.IsValid)
        {
            writer.WriteSpanId(SpanParentSpanId, span.ParentSpanId);
        }

        if (span.Name.Length > 0)
        {
            writer.WriteString(SpanName, span.Name, Next());
        }

        // OTLP's SpanKind counts from SPAN_KIND_UNSPECIFIED = 0, so each Traceline kind is one more.
        writer.WriteVarintField(SpanKindField, (ulong)span.Kind + 1);
        writer.WriteFixed64(SpanStart, (ulong)span.StartUnixNanos);
        writer.WriteFixed64(SpanEnd, (ulong)span.EndUnixNanos);
        WriteAttributes(ref writer, SpanAttributes, span.Attributes);
        WriteCount(ref writer, SpanDroppedAttributes, span.DroppedAttributeCount);

        var details = span.Details;
        if (details is not null)
        {
            if (details.Events is { } events)
            {
                foreach (var spanEvent in CollectionsMarshal.AsSpan(events))
                {
                    WriteEvent(ref writer, spanEvent);
                }
            }

            WriteCount(ref writer, SpanDroppedEvents, details.DroppedEvents);
            foreach (ref readonly var link in span.Links)
            {
                WriteLink(ref writer, in link);
            }

            WriteCount(ref writer, SpanDroppedLinks, details.DroppedLinks);
        }

        if (span.Status != SpanStatusCode.Unset)
        {
            writer.WriteLengthPrefix(SpanStatus, Next());
            if (span.Status == SpanStatusCode.Error && !string.IsNullOrEmpty(details?.StatusDescription))
            {
                writer.WriteString(StatusMessage, details.StatusDescription, Next());
            }

            writer.WriteVarintField(StatusCode, (ulong)span.Status);
        }

        writer.WriteFixed32(SpanFlags, SpanFlagsOf(context.TraceFlags, span.Parent.IsRemote));
    }

    private void WriteEvent(ref ProtobufWriter writer, SpanEvent spanEvent)
    {
        writer.WriteLengthPrefix(SpanEvents, Next());
        writer.WriteFixed64(EventTime, (ulong)spanEvent.TimeUnixNanos);
        if (spanEvent.Name.Length > 0)
        {
            writer.WriteString(EventName, spanEvent.Name, Next());
        }

        WriteAttributes(ref writer, EventAttributes, spanEvent.Attributes);
        WriteCount(ref writer, EventDroppedAttributes, spanEvent.DroppedAttributeCount);
    }

    private void WriteLink(ref ProtobufWriter writer, in SpanLink link)
    {
        writer.WriteLengthPrefix(SpanLinks, Next());
        var context = link.Context;
        writer.WriteTraceId(LinkTraceId, context.TraceId);
        writer.WriteSpanId(LinkSpanId, context.SpanId);
        if (context.TraceState is { } traceState)
        {
            writer.WriteString(LinkTraceState, traceState, Next());
        }

        WriteAttributes(ref writer, LinkAttributes, link.Attributes);
        WriteCount(ref writer, LinkDroppedAttributes, link.DroppedAttributeCount);
        writer.WriteFixed32(LinkFlags, SpanFlagsOf(context.TraceFlags, context.IsRemote));
    }

    private static void WriteCount(ref ProtobufWriter writer, int field, int count)
    {
        if (count > 0)
        {
            writer.WriteVarintField(field, (uint)count);
        }
    }

    private void WriteAttributes(ref ProtobufWriter writer, int field, ReadOnlySpan<SpanAttribute> attributes)
    {
        foreach (ref readonly var attribute in attributes)
        {
            writer.WriteLengthPrefix(field, Next());
            writer.WriteString(KeyValueKey, attribute.Key, Next());
            WriteValue(ref writer, attribute.Value);
        }
    }

    private void WriteValue(ref ProtobufWriter writer, in AttributeValue value)
    {
        writer.WriteLengthPrefix(KeyValueValue, Next());
        switch (value.Type)
        {
            case AttributeValueType.String:
                writer.WriteString(AnyString, value.StringValue!, Next());
                break;
            case AttributeValueType.Bool:
                writer.WriteVarintField(AnyBool, value.BoolValue ? 1UL : 0UL);
                break;
            case AttributeValueType.Long:
                writer.WriteVarintField(AnyInt, (ulong)value.LongValue);
                break;
            case AttributeValueType.Double:
                writer.WriteFixed64(AnyDouble, (ulong)BitConverter.DoubleToInt64Bits(value.DoubleValue));
                break;
            case AttributeValueType.StringArray:
            case AttributeValueType.BoolArray:
            case AttributeValueType.LongArray:
            case AttributeValueType.DoubleArray:
                WriteArray(ref writer, value);
                break;
        }
    }

    private void WriteArray(ref ProtobufWriter writer, in AttributeValue value)
    {
        writer.WriteLengthPrefix(AnyArray, Next());
        switch (value.Type)
        {
            case AttributeValueType.StringArray:
                foreach (var item in value.StringArrayValue)
                {
                    writer.WriteLengthPrefix(ArrayValues, Next());
                    if (item is not null)
                    {
                        writer.WriteString(AnyString, item, Next());
                    }
                }

                break;
            case AttributeValueType.BoolArray:
                foreach (var item in value.BoolArrayValue)
                {
                    writer.WriteLengthPrefix(ArrayValues, 2);
                    writer.WriteVarintField(AnyBool, item ? 1UL : 0UL);
                }

                break;
            case AttributeValueType.LongArray:
                foreach (var item in value.LongArrayValue)
                {
                    writer.WriteLengthPrefix(ArrayValues, 1 + ProtobufWriter.VarintSize((ulong)item));
                    writer.WriteVarintField(AnyInt, (ulong)item);
                }

                break;
            case AttributeValueType.DoubleArray:
                foreach (var item in value.DoubleArrayValue)
                {
                    writer.WriteLengthPrefix(ArrayValues, Fixed64FieldSize);
                    writer.WriteFixed64(AnyDouble, (ulong)BitConverter.DoubleToInt64Bits(item));
                }

                break;
        }
    }
}
