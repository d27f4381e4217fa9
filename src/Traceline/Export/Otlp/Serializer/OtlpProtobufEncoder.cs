using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Traceline.Export;

/// <summary>
/// Encodes a batch as an OTLP <c>ExportTraceServiceRequest</c> in protobuf's wire format, in one forward pass:
/// messages reserve their length and patch it when their content is written (see <see cref="ProtobufWriter"/>), and
/// an attribute whose key and value are ASCII (nearly all) has its sizes computed up front from string lengths, so its
/// bytes are written once and never moved.
/// </summary>
/// <remarks>
/// Perf: after the first export nothing is allocated: the grouping and the output buffer are reused. One instance per
/// exporter; an exporter never encodes two batches at once.
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

    // Perf: one-byte tags as constants, so each is a single store.
    private const byte ScopeNameTag = (ScopeName << 3) | ProtobufWriter.WireLength;
    private const byte ScopeVersionTag = (ScopeVersion << 3) | ProtobufWriter.WireLength;
    private const byte SpanTraceIdTag = (SpanTraceId << 3) | ProtobufWriter.WireLength;
    private const byte SpanSpanIdTag = (SpanSpanId << 3) | ProtobufWriter.WireLength;
    private const byte SpanTraceStateTag = (SpanTraceState << 3) | ProtobufWriter.WireLength;
    private const byte SpanParentSpanIdTag = (SpanParentSpanId << 3) | ProtobufWriter.WireLength;
    private const byte SpanNameTag = (SpanName << 3) | ProtobufWriter.WireLength;
    private const byte SpanKindTag = (SpanKindField << 3) | ProtobufWriter.WireVarint;
    private const byte SpanStartTag = (SpanStart << 3) | ProtobufWriter.WireFixed64;
    private const byte SpanEndTag = (SpanEnd << 3) | ProtobufWriter.WireFixed64;
    private const byte SpanAttributesTag = (SpanAttributes << 3) | ProtobufWriter.WireLength;
    private const byte ResourceAttributesTag = (ResourceAttributes << 3) | ProtobufWriter.WireLength;
    private const byte EventTimeTag = (EventTime << 3) | ProtobufWriter.WireFixed64;
    private const byte EventNameTag = (EventName << 3) | ProtobufWriter.WireLength;
    private const byte EventAttributesTag = (EventAttributes << 3) | ProtobufWriter.WireLength;
    private const byte LinkTraceIdTag = (LinkTraceId << 3) | ProtobufWriter.WireLength;
    private const byte LinkSpanIdTag = (LinkSpanId << 3) | ProtobufWriter.WireLength;
    private const byte LinkTraceStateTag = (LinkTraceState << 3) | ProtobufWriter.WireLength;
    private const byte LinkAttributesTag = (LinkAttributes << 3) | ProtobufWriter.WireLength;
    private const byte StatusMessageTag = (StatusMessage << 3) | ProtobufWriter.WireLength;
    private const byte StatusCodeTag = (StatusCode << 3) | ProtobufWriter.WireVarint;
    private const byte KeyTag = (KeyValueKey << 3) | ProtobufWriter.WireLength;
    private const byte ValueTag = (KeyValueValue << 3) | ProtobufWriter.WireLength;
    private const byte AnyStringTag = (AnyString << 3) | ProtobufWriter.WireLength;
    private const byte AnyBoolTag = (AnyBool << 3) | ProtobufWriter.WireVarint;
    private const byte AnyIntTag = (AnyInt << 3) | ProtobufWriter.WireVarint;
    private const byte AnyDoubleTag = (AnyDouble << 3) | ProtobufWriter.WireFixed64;
    private const byte ArrayValuesTag = (ArrayValues << 3) | ProtobufWriter.WireLength;
    private const byte SpanDroppedAttributesTag = (SpanDroppedAttributes << 3) | ProtobufWriter.WireVarint;
    private const byte SpanDroppedEventsTag = (SpanDroppedEvents << 3) | ProtobufWriter.WireVarint;
    private const byte SpanDroppedLinksTag = (SpanDroppedLinks << 3) | ProtobufWriter.WireVarint;
    private const byte EventDroppedAttributesTag = (EventDroppedAttributes << 3) | ProtobufWriter.WireVarint;
    private const byte LinkDroppedAttributesTag = (LinkDroppedAttributes << 3) | ProtobufWriter.WireVarint;
    private const byte LinkFlagsTag = (LinkFlags << 3) | ProtobufWriter.WireFixed32;

    // Bytes reserved for a length, by what the message usually weighs: a wrong guess costs one short move.
    private const int SpanLengthReserve = 2; // 128 B to 16 KiB: a span with a few attributes
    private const int SmallLengthReserve = 1; // under 128 B: a scope, a status, one attribute

    // Field 16, fixed32: the tag (133) is a two-byte varint, 0x85 0x01, here as a little-endian 16-bit number.
    private const int SpanFlagsTagValue = (SpanFlags << 3) | ProtobufWriter.WireFixed32;
    private const ushort SpanFlagsTag = (SpanFlagsTagValue & 0x7F) | 0x80 | ((SpanFlagsTagValue >> 7) << 8);
    private const int FlagsFieldSize = 2 + 4;

    // Kind (tag and value) and two fixed64 times (tag and 8 bytes each).
    private const int KindAndTimesSize = 2 + 9 + 9;

    // What a span usually takes (a few attributes), for guessing the size of a group of spans.
    private const int TypicalSpanSize = 256;

    // What an attribute usually takes (a 20-char key and a short value), for guessing a span's size.
    private const int TypicalAttributeSize = 32;

    // What a span takes besides its name and attributes: framing, ids, parent id, kind, times, flags.
    private const int SpanFixedSize = 70;

    /// <summary>SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK: the flags say whether the parent (or link) is remote.</summary>
    internal const uint HasIsRemote = 0x100;

    /// <summary>SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK.</summary>
    internal const uint IsRemote = 0x200;

    private readonly OtlpBatchGrouping _grouping = new();

    /// <summary>Encodes <paramref name="batch"/> at the end of <paramref name="output"/>; returns the number of bytes written.</summary>
    public int Encode(ReadOnlySpan<Span> batch, PooledByteBuffer output)
    {
        _grouping.Build(batch);
        if (_grouping.GroupCount == 0)
        {
            return 0;
        }

        var writer = new ProtobufWriter(output, 256);
        var start = writer.Position;
        var g = 0;
        while (g < _grouping.GroupCount)
        {
            var resource = _grouping[g].Resource;
            var spanCount = 0;
            for (var next = g; next < _grouping.GroupCount && ReferenceEquals(_grouping[next].Resource, resource); next++)
            {
                spanCount += _grouping[next].Count;
            }

            var resourceSpansReserve = GroupLengthReserve(spanCount);
            var resourceSpans = writer.BeginMessage(RequestResourceSpans, resourceSpansReserve);
            var resourceStart = writer.BeginMessage(ResourceSpansResource, SpanLengthReserve);
            WriteAttributes(ref writer, ResourceAttributesTag, resource.Attributes);
            writer.EndMessage(resourceStart, SpanLengthReserve);
            while (g < _grouping.GroupCount && ReferenceEquals(_grouping[g].Resource, resource))
            {
                WriteScopeSpans(ref writer, batch, in _grouping[g]);
                g++;
            }

            writer.EndMessage(resourceSpans, resourceSpansReserve);
        }

        return writer.Complete(start);
    }

    internal static uint SpanFlagsOf(TraceFlags flags, bool remote) => (byte)flags | HasIsRemote | (remote ? IsRemote : 0);

    private void WriteScopeSpans(ref ProtobufWriter writer, ReadOnlySpan<Span> batch, in OtlpBatchGrouping.Group group)
    {
        var reserve = GroupLengthReserve(group.Count);
        var scopeSpans = writer.BeginMessage(ResourceSpansScopeSpans, reserve);
        if (group.Scope is { } scope)
        {
            var scopeStart = writer.BeginMessage(ScopeSpansScope, SmallLengthReserve);
            writer.WriteString(ScopeNameTag, scope.Name);
            if (!string.IsNullOrEmpty(scope.Version))
            {
                writer.WriteString(ScopeVersionTag, scope.Version);
            }

            writer.EndMessage(scopeStart, SmallLengthReserve);
        }

        foreach (var index in _grouping.Order.Slice(group.Start, group.Count))
        {
            WriteSpan(ref writer, batch[index]);
        }

        writer.EndMessage(scopeSpans, reserve);
    }

    /// <summary>
    /// The bytes to reserve for the length of a message that holds <paramref name="spanCount"/> spans.
    /// </summary>
    /// <remarks>Perf: a good guess saves moving the whole group once (a wrong one costs only that).</remarks>
    private static int GroupLengthReserve(int spanCount) => ProtobufWriter.VarintSize((uint)Math.Min((long)spanCount * TypicalSpanSize, int.MaxValue));

    private static void WriteSpan(ref ProtobufWriter writer, Span span)
    {
        var context = span.Context;
        var parentSpanId = span.ParentSpanId;
        var name = span.Name;
        var attributes = span.Attributes;
        var details = span.Details;

        // Perf: guess the length's size from the span's shape, so that its content rarely has to move: a span without
        // attributes or details is usually under 128 bytes, one with a few attributes over.
        var reserve = details is null && SpanFixedSize + name.Length + (attributes.Length * TypicalAttributeSize) < 0x80
            ? SmallLengthReserve
            : SpanLengthReserve;
        var spanStart = writer.BeginMessage(ScopeSpansSpans, reserve);
        writer.WriteTraceId(SpanTraceIdTag, context.TraceId);
        writer.WriteSpanId(SpanSpanIdTag, context.SpanId);
        if (context.TraceState is { } traceState)
        {
            writer.WriteString(SpanTraceStateTag, traceState);
        }

        if (parentSpanId.IsValid)
        {
            writer.WriteSpanId(SpanParentSpanIdTag, parentSpanId);
        }

        if (name.Length > 0)
        {
            writer.WriteString(SpanNameTag, name);
        }

        // Kind, start and end in one run of stores. OTLP's SpanKind counts from SPAN_KIND_UNSPECIFIED = 0, so each
        // Traceline kind is one more.
        var times = writer.GetSpan(KindAndTimesSize);
        BinaryPrimitives.WriteUInt32LittleEndian(times, (uint)(SpanKindTag | (((int)span.Kind + 1) << 8) | (SpanStartTag << 16)));
        BinaryPrimitives.WriteInt64LittleEndian(times[3..], span.StartUnixNanos);
        times[11] = SpanEndTag;
        BinaryPrimitives.WriteInt64LittleEndian(times[12..], span.EndUnixNanos);
        writer.Advance(KindAndTimesSize);
        if (!attributes.IsEmpty)
        {
            WriteAttributes(ref writer, SpanAttributesTag, attributes);
        }

        WriteCount(ref writer, SpanDroppedAttributesTag, span.DroppedAttributeCount);

        var status = span.Status;
        if (details is not null || status != SpanStatusCode.Unset)
        {
            WriteSpanDetails(ref writer, span, details, status);
        }

        // Field 16 takes a two-byte tag.
        var flags = writer.GetSpan(FlagsFieldSize);
        BinaryPrimitives.WriteUInt16LittleEndian(flags, SpanFlagsTag);
        BinaryPrimitives.WriteUInt32LittleEndian(flags[2..], SpanFlagsOf(context.TraceFlags, span.Parent.IsRemote));
        writer.Advance(FlagsFieldSize);
        writer.EndMessage(spanStart, reserve);
    }

    /// <summary>Events, links and status: the parts most spans lack.</summary>
    private static void WriteSpanDetails(ref ProtobufWriter writer, Span span, SpanDetails? details, SpanStatusCode status)
    {
        if (details is not null)
        {
            if (details.Events is { } events)
            {
                foreach (var spanEvent in CollectionsMarshal.AsSpan(events))
                {
                    WriteEvent(ref writer, spanEvent);
                }
            }

            WriteCount(ref writer, SpanDroppedEventsTag, details.DroppedEvents);
            foreach (ref readonly var link in span.Links)
            {
                WriteLink(ref writer, in link);
            }

            WriteCount(ref writer, SpanDroppedLinksTag, details.DroppedLinks);
        }

        if (status != SpanStatusCode.Unset)
        {
            var statusStart = writer.BeginMessage(SpanStatus, SmallLengthReserve);
            if (status == SpanStatusCode.Error && !string.IsNullOrEmpty(details?.StatusDescription))
            {
                writer.WriteString(StatusMessageTag, details.StatusDescription);
            }

            writer.WriteBytes(StatusCodeTag, (byte)status);
            writer.EndMessage(statusStart, SmallLengthReserve);
        }

    }

    private static void WriteEvent(ref ProtobufWriter writer, SpanEvent spanEvent)
    {
        var eventStart = writer.BeginMessage(SpanEvents, SpanLengthReserve);
        writer.WriteFixed64(EventTimeTag, (ulong)spanEvent.TimeUnixNanos);
        if (spanEvent.Name.Length > 0)
        {
            writer.WriteString(EventNameTag, spanEvent.Name);
        }

        WriteAttributes(ref writer, EventAttributesTag, spanEvent.Attributes);
        WriteCount(ref writer, EventDroppedAttributesTag, spanEvent.DroppedAttributeCount);
        writer.EndMessage(eventStart, SpanLengthReserve);
    }

    private static void WriteLink(ref ProtobufWriter writer, in SpanLink link)
    {
        var context = link.Context;
        var linkStart = writer.BeginMessage(SpanLinks, SpanLengthReserve);
        writer.WriteTraceId(LinkTraceIdTag, context.TraceId);
        writer.WriteSpanId(LinkSpanIdTag, context.SpanId);
        if (context.TraceState is { } traceState)
        {
            writer.WriteString(LinkTraceStateTag, traceState);
        }

        WriteAttributes(ref writer, LinkAttributesTag, link.Attributes);
        WriteCount(ref writer, LinkDroppedAttributesTag, link.DroppedAttributeCount);
        writer.WriteFixed32(LinkFlagsTag, SpanFlagsOf(context.TraceFlags, context.IsRemote));
        writer.EndMessage(linkStart, SpanLengthReserve);
    }

    /// <summary>Writes a dropped count when there is one.</summary>
    private static void WriteCount(ref ProtobufWriter writer, byte tag, int count)
    {
        if (count > 0)
        {
            writer.WriteVarintField(tag, (uint)count);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)] // Perf: its own registers for the loop; inlined into WriteSpan it spills
    private static void WriteAttributes(ref ProtobufWriter writer, byte tag, ReadOnlySpan<SpanAttribute> attributes)
    {
        // Perf: the loop writes into a local view of the buffer's free space and commits once, so the position lives
        // in a register rather than being stored and reloaded through the writer for every attribute.
        var free = writer.FreeSpan;
        var used = 0;
        for (var i = 0; i < attributes.Length; i++)
        {
            ref readonly var attribute = ref attributes[i];
            var written = TryWriteAsciiAttribute(free[used..], tag, attribute.Key, attribute.Value);
            if (written > 0)
            {
                used += written;
                continue;
            }

            writer.Advance(used);
            used = 0;
            if (written < 0)
            {
                // Out of room: grow, and try the same attribute again (it fits now).
                writer.Ensure(-written);
                free = writer.FreeSpan;
                i--;
                continue;
            }

            WriteAttribute(ref writer, tag, attribute.Key, attribute.Value);
            free = writer.FreeSpan;
        }

        writer.Advance(used);
    }

    /// <summary>
    /// The fast path: a string or scalar value, with the key and a string value taken as ASCII so that every size
    /// is known before the first byte. Returns the bytes written into <paramref name="room"/>; 0 for arrays and for
    /// text that is not ASCII; minus the bytes needed when <paramref name="room"/> is too small.
    /// </summary>
    /// <remarks>Perf: inlined into the attribute loop, so an attribute costs no call.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int TryWriteAsciiAttribute(Span<byte> room, byte tag, string key, AttributeValue value)
    {
        var text = value.Reference as string;
        var scalar = AttributeValueType.Empty;
        int anySize;
        if (text is not null)
        {
            anySize = 1 + ProtobufWriter.VarintSize((uint)text.Length) + text.Length;
        }
        else
        {
            scalar = value.ScalarType;
            switch (scalar)
            {
                case AttributeValueType.Long:
                    anySize = 1 + ProtobufWriter.VarintSize((ulong)value.Bits);
                    break;
                case AttributeValueType.Bool:
                    anySize = 2;
                    break;
                case AttributeValueType.Double:
                    anySize = 9;
                    break;
                default:
                    return 0;
            }
        }

        var keySize = 1 + ProtobufWriter.VarintSize((uint)key.Length) + key.Length;
        var keyValueSize = keySize + 1 + ProtobufWriter.VarintSize((uint)anySize) + anySize;
        if (keyValueSize >= 0x80)
        {
            return TryWriteLargeAsciiAttribute(room, tag, key, value, text, scalar, anySize, keyValueSize);
        }

        // The usual attribute, under 128 bytes: every length is one byte, so the framing goes in 32-bit stores.
        // Nothing to undo when a string turns out not to be ASCII: the caller commits only what was returned.
        var total = 2 + keyValueSize;
        if (total > room.Length)
        {
            return -total;
        }

        var destination = room[..total];
        BinaryPrimitives.WriteUInt32LittleEndian(destination, (uint)(tag | (keyValueSize << 8) | (KeyTag << 16) | (key.Length << 24)));
        if (!ProtobufWriter.TryNarrowAscii(key, destination[4..]))
        {
            return 0;
        }

        var at = 4 + key.Length;
        switch (scalar)
        {
            case AttributeValueType.Long:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], (uint)(ValueTag | (anySize << 8) | (AnyIntTag << 16) | ((int)value.Bits & 0x7F) << 24));
                if (anySize > 2)
                {
                    ProtobufWriter.WriteVarint(destination, at + 3, (ulong)value.Bits);
                }

                break;
            case AttributeValueType.Bool:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], (uint)(ValueTag | (2 << 8) | (AnyBoolTag << 16) | (value.Bits != 0 ? 1 << 24 : 0)));
                break;
            case AttributeValueType.Double:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], ValueTag | (9 << 8) | (AnyDoubleTag << 16));
                BinaryPrimitives.WriteInt64LittleEndian(destination[(at + 3)..], value.Bits);
                break;
            default:
                BinaryPrimitives.WriteUInt32LittleEndian(destination[at..], (uint)(ValueTag | (anySize << 8) | (AnyStringTag << 16) | (text!.Length << 24)));
                if (!ProtobufWriter.TryNarrowAscii(text, destination[(at + 4)..]))
                {
                    return 0;
                }

                break;
        }

        return total;
    }

    /// <summary>The fast path's sequel for an attribute of 128 bytes or more, where lengths take more than a byte.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // Perf: keeps the common path small
    private static int TryWriteLargeAsciiAttribute(Span<byte> room, byte tag, string key, AttributeValue value, string? text, AttributeValueType scalar, int anySize, int keyValueSize)
    {
        var total = 1 + ProtobufWriter.VarintSize((uint)keyValueSize) + keyValueSize;
        if (total > room.Length)
        {
            return -total;
        }

        var destination = room[..total];
        destination[0] = tag;
        var i = ProtobufWriter.WriteVarint(destination, 1, (uint)keyValueSize);
        destination[i] = KeyTag;
        i = ProtobufWriter.WriteVarint(destination, i + 1, (uint)key.Length);
        if (!ProtobufWriter.TryNarrowAscii(key, destination[i..]))
        {
            return 0;
        }

        i += key.Length;
        destination[i] = ValueTag;
        i = ProtobufWriter.WriteVarint(destination, i + 1, (uint)anySize);
        switch (scalar)
        {
            case AttributeValueType.Long:
                destination[i] = AnyIntTag;
                ProtobufWriter.WriteVarint(destination, i + 1, (ulong)value.Bits);
                break;
            case AttributeValueType.Bool:
                destination[i] = AnyBoolTag;
                destination[i + 1] = value.Bits != 0 ? (byte)1 : (byte)0;
                break;
            case AttributeValueType.Double:
                destination[i] = AnyDoubleTag;
                BinaryPrimitives.WriteInt64LittleEndian(destination[(i + 1)..], value.Bits);
                break;
            default:
                destination[i] = AnyStringTag;
                i = ProtobufWriter.WriteVarint(destination, i + 1, (uint)text!.Length);
                if (!ProtobufWriter.TryNarrowAscii(text, destination[i..]))
                {
                    return 0;
                }

                break;
        }

        return total;
    }

    /// <summary>Any attribute, by its exact UTF-8 sizes; messages patch their lengths.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WriteAttribute(ref ProtobufWriter writer, byte tag, string key, AttributeValue value)
    {
        var keyValueStart = writer.BeginMessage(tag >> 3, SmallLengthReserve);
        writer.WriteString(KeyTag, key);
        var valueStart = writer.BeginMessage(KeyValueValue, SmallLengthReserve);
        switch (value.Type)
        {
            case AttributeValueType.String:
                writer.WriteString(AnyStringTag, value.StringValue!);
                break;
            case AttributeValueType.Bool:
                writer.WriteBytes(AnyBoolTag, value.BoolValue ? (byte)1 : (byte)0);
                break;
            case AttributeValueType.Long:
                writer.WriteVarintField(AnyIntTag, (ulong)value.LongValue);
                break;
            case AttributeValueType.Double:
                writer.WriteFixed64(AnyDoubleTag, (ulong)BitConverter.DoubleToInt64Bits(value.DoubleValue));
                break;
            case AttributeValueType.StringArray:
            case AttributeValueType.BoolArray:
            case AttributeValueType.LongArray:
            case AttributeValueType.DoubleArray:
                WriteArray(ref writer, value);
                break;
        }

        writer.EndMessage(valueStart, SmallLengthReserve);
        writer.EndMessage(keyValueStart, SmallLengthReserve);
    }

    private static void WriteArray(ref ProtobufWriter writer, AttributeValue value)
    {
        var arrayStart = writer.BeginMessage(AnyArray, SpanLengthReserve);
        switch (value.Type)
        {
            case AttributeValueType.StringArray:
                foreach (var item in value.StringArrayValue)
                {
                    var itemStart = writer.BeginMessage(ArrayValues, SmallLengthReserve);
                    if (item is not null)
                    {
                        writer.WriteString(AnyStringTag, item);
                    }

                    writer.EndMessage(itemStart, SmallLengthReserve);
                }

                break;
            case AttributeValueType.BoolArray:
                foreach (var item in value.BoolArrayValue)
                {
                    writer.WriteBytes(ArrayValuesTag, 2);
                    writer.WriteBytes(AnyBoolTag, item ? (byte)1 : (byte)0);
                }

                break;
            case AttributeValueType.LongArray:
                foreach (var item in value.LongArrayValue)
                {
                    writer.WriteBytes(ArrayValuesTag, (byte)(1 + ProtobufWriter.VarintSize((ulong)item)));
                    writer.WriteVarintField(AnyIntTag, (ulong)item);
                }

                break;
            case AttributeValueType.DoubleArray:
                foreach (var item in value.DoubleArrayValue)
                {
                    writer.WriteBytes(ArrayValuesTag, 9);
                    writer.WriteFixed64(AnyDoubleTag, (ulong)BitConverter.DoubleToInt64Bits(item));
                }

                break;
        }

        writer.EndMessage(arrayStart, SpanLengthReserve);
    }
}
