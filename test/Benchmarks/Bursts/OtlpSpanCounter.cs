namespace Traceline.Benchmarks.Bursts;

/// <summary>
/// Counts the spans of an OTLP <c>ExportTraceServiceRequest</c> (protobuf), walking every field of the request, its
/// <c>ResourceSpans</c>, <c>ScopeSpans</c> and <c>Span</c> messages by the protobuf wire format, so a malformed body
/// is refused rather than miscounted. Written here, not borrowed from the exporter, so the receiver checks Traceline's
/// encoder instead of agreeing with it.
/// </summary>
/// <remarks>
/// Strict where counting depends on it: wire types 0, 1, 2 and 5 only (groups are refused), field number 1 or above,
/// varints of at most 10 bytes, lengths within the message, known fields with the wire type trace.proto gives them,
/// and every span with a 16-byte <c>trace_id</c> and an 8-byte <c>span_id</c>. Unknown fields are skipped, as
/// protobuf requires.
/// </remarks>
internal static class OtlpSpanCounter
{
    private const int Varint = 0;
    private const int Fixed64 = 1;
    private const int Length = 2;
    private const int Fixed32 = 5;

    /// <summary>Counts the spans of <paramref name="request"/>; false when it is not a well-formed request.</summary>
    public static bool TryCount(ReadOnlySpan<byte> request, out int spans)
    {
        spans = 0;
        var reader = new Reader(request);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (field == 1)
            {
                // resource_spans
                if (wireType != Length || !reader.TryReadBytes(out var resourceSpans) || !TryCountNested(resourceSpans, isScope: false, ref spans))
                {
                    return false;
                }
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }

    // ResourceSpans (resource = 1, scope_spans = 2, schema_url = 3) and ScopeSpans (scope = 1, spans = 2,
    // schema_url = 3) share a shape: three length-delimited fields, field 2 the repeated inner message.
    private static bool TryCountNested(ReadOnlySpan<byte> message, bool isScope, ref int spans)
    {
        var reader = new Reader(message);
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (field is 1 or 2 or 3 && wireType != Length)
            {
                return false;
            }

            if (field == 2)
            {
                if (!reader.TryReadBytes(out var inner))
                {
                    return false;
                }

                if (!isScope)
                {
                    if (!TryCountNested(inner, isScope: true, ref spans))
                    {
                        return false;
                    }
                }
                else if (IsSpan(inner))
                {
                    spans++;
                }
                else
                {
                    return false;
                }
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return true;
    }

    // Span: trace_id = 1 (16 bytes), span_id = 2 (8 bytes); the rest is walked, not read.
    private static bool IsSpan(ReadOnlySpan<byte> message)
    {
        var reader = new Reader(message);
        var traceId = false;
        var spanId = false;
        while (!reader.End)
        {
            if (!reader.TryReadTag(out var field, out var wireType))
            {
                return false;
            }

            if (field is 1 or 2)
            {
                if (wireType != Length || !reader.TryReadBytes(out var id) || id.Length != (field == 1 ? 16 : 8))
                {
                    return false;
                }

                traceId |= field == 1;
                spanId |= field == 2;
            }
            else if (!reader.TrySkip(wireType))
            {
                return false;
            }
        }

        return traceId && spanId;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        private int _position;

        public readonly bool End => _position >= _data.Length;

        public bool TryReadTag(out int field, out int wireType)
        {
            field = 0;
            wireType = 0;
            if (!TryReadVarint(out var tag) || tag > uint.MaxValue)
            {
                return false;
            }

            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return field >= 1 && wireType is Varint or Fixed64 or Length or Fixed32;
        }

        public bool TryReadBytes(out ReadOnlySpan<byte> bytes)
        {
            bytes = default;
            if (!TryReadVarint(out var length) || length > (ulong)(_data.Length - _position))
            {
                return false;
            }

            bytes = _data.Slice(_position, (int)length);
            _position += (int)length;
            return true;
        }

        public bool TrySkip(int wireType)
        {
            switch (wireType)
            {
                case Varint:
                    return TryReadVarint(out _);
                case Length:
                    return TryReadBytes(out _);
                default:
                    var size = wireType == Fixed64 ? 8 : 4;
                    if (_data.Length - _position < size)
                    {
                        return false;
                    }

                    _position += size;
                    return true;
            }
        }

        private bool TryReadVarint(out ulong value)
        {
            value = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                if (_position >= _data.Length)
                {
                    return false;
                }

                var b = _data[_position++];
                if (shift == 63 && b > 1)
                {
                    return false; // more than 64 bits
                }

                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return true;
                }
            }

            return false; // an 11th byte
        }
    }
}
