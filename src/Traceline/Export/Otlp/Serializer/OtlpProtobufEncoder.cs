using System.Buffers.Binary;
using System.Runtime.InteropServices;
using static Traceline.Export.OtlpFieldNumbers;

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
internal sealed partial class OtlpProtobufEncoder
{
    // Perf: one-byte tags as constants, so each is a single store.
    private const byte ScopeNameTag = (InstrumentationScope_name << 3) | ProtobufWriter.WireLength;
    private const byte ScopeVersionTag = (InstrumentationScope_version << 3) | ProtobufWriter.WireLength;
    private const byte SpanTraceIdTag = (Span_trace_id << 3) | ProtobufWriter.WireLength;
    private const byte SpanSpanIdTag = (Span_span_id << 3) | ProtobufWriter.WireLength;
    private const byte SpanTraceStateTag = (Span_trace_state << 3) | ProtobufWriter.WireLength;
    private const byte SpanParentSpanIdTag = (Span_parent_span_id << 3) | ProtobufWriter.WireLength;
    private const byte SpanNameTag = (Span_name << 3) | ProtobufWriter.WireLength;
    private const byte SpanKindTag = (Span_kind << 3) | ProtobufWriter.WireVarint;
    private const byte SpanStartTag = (Span_start_time_unix_nano << 3) | ProtobufWriter.WireFixed64;
    private const byte SpanEndTag = (Span_end_time_unix_nano << 3) | ProtobufWriter.WireFixed64;
    private const byte SpanAttributesTag = (Span_attributes << 3) | ProtobufWriter.WireLength;
    private const byte ResourceAttributesTag = (Resource_attributes << 3) | ProtobufWriter.WireLength;
    private const byte EventTimeTag = (Span_Event_time_unix_nano << 3) | ProtobufWriter.WireFixed64;
    private const byte EventNameTag = (Span_Event_name << 3) | ProtobufWriter.WireLength;
    private const byte EventAttributesTag = (Span_Event_attributes << 3) | ProtobufWriter.WireLength;
    private const byte LinkTraceIdTag = (Span_Link_trace_id << 3) | ProtobufWriter.WireLength;
    private const byte LinkSpanIdTag = (Span_Link_span_id << 3) | ProtobufWriter.WireLength;
    private const byte LinkTraceStateTag = (Span_Link_trace_state << 3) | ProtobufWriter.WireLength;
    private const byte LinkAttributesTag = (Span_Link_attributes << 3) | ProtobufWriter.WireLength;
    private const byte StatusMessageTag = (Status_message << 3) | ProtobufWriter.WireLength;
    private const byte StatusCodeTag = (Status_code << 3) | ProtobufWriter.WireVarint;
    private const byte SpanDroppedAttributesTag = (Span_dropped_attributes_count << 3) | ProtobufWriter.WireVarint;
    private const byte SpanDroppedEventsTag = (Span_dropped_events_count << 3) | ProtobufWriter.WireVarint;
    private const byte SpanDroppedLinksTag = (Span_dropped_links_count << 3) | ProtobufWriter.WireVarint;
    private const byte EventDroppedAttributesTag = (Span_Event_dropped_attributes_count << 3) | ProtobufWriter.WireVarint;
    private const byte LinkDroppedAttributesTag = (Span_Link_dropped_attributes_count << 3) | ProtobufWriter.WireVarint;
    private const byte LinkFlagsTag = (Span_Link_flags << 3) | ProtobufWriter.WireFixed32;

    // Bytes reserved for a length, by what the message usually weighs: a wrong guess costs one short move.
    private const int SpanLengthReserve = 2; // 128 B to 16 KiB: a span with a few attributes
    private const int SmallLengthReserve = 1; // under 128 B: a scope, a status, one attribute

    // Field 16, fixed32: the tag (133) is a two-byte varint, 0x85 0x01, here as a little-endian 16-bit number.
    private const int SpanFlagsTagValue = (Span_flags << 3) | ProtobufWriter.WireFixed32;
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
            var resourceSpans = writer.BeginMessage(ExportTraceServiceRequest_resource_spans, resourceSpansReserve);
            var resourceStart = writer.BeginMessage(ResourceSpans_resource, SpanLengthReserve);
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

    internal static uint SpanFlagsOf(TraceFlags flags, bool remote) => (byte)flags | SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK | (remote ? SPAN_FLAGS_CONTEXT_IS_REMOTE_MASK : 0);

    private void WriteScopeSpans(ref ProtobufWriter writer, ReadOnlySpan<Span> batch, in OtlpBatchGrouping.Group group)
    {
        var reserve = GroupLengthReserve(group.Count);
        var scopeSpans = writer.BeginMessage(ResourceSpans_scope_spans, reserve);
        if (group.Scope is { } scope)
        {
            var scopeStart = writer.BeginMessage(ScopeSpans_scope, SmallLengthReserve);
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
        var spanStart = writer.BeginMessage(ScopeSpans_spans, reserve);
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
            var statusStart = writer.BeginMessage(Span_status, SmallLengthReserve);
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
        var eventStart = writer.BeginMessage(Span_events, SpanLengthReserve);
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
        var linkStart = writer.BeginMessage(Span_links, SpanLengthReserve);
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
}
