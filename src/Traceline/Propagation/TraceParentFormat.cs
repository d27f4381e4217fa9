using System.Buffers.Binary;

namespace Traceline.Propagation;

/// <summary>
/// The W3C Trace Context <c>traceparent</c> value: <c>{version}-{trace-id}-{parent-id}-{trace-flags}</c>, read by the
/// Level 1 versioning rules and written as version <c>00</c>.
/// </summary>
internal static class TraceParentFormat
{
    /// <summary>The length of a version <c>00</c> value, and the least a higher version may have (55).</summary>
    public const int Length = 55;

    /// <summary>The flags this version defines (<c>sampled</c>, and Level 2's <c>random</c>); the spec asks that others be zero.</summary>
    public const TraceFlags KnownFlags = TraceFlags.Sampled | TraceFlags.Random;

    private const int TraceIdOffset = 3;

    /// <summary>Where the parent span id starts.</summary>
    public const int SpanIdOffset = TraceIdOffset + TraceId.HexLength + 1; // 36

    private const int FlagsOffset = SpanIdOffset + SpanId.HexLength + 1; // 53

    /// <summary>
    /// Parses one <c>traceparent</c> value without allocating. Leading and trailing spaces and tabs (HTTP's optional
    /// whitespace) are ignored. Version <c>00</c> must be exactly 55 characters; a higher version is read by its first
    /// 55 characters, which must be followed by <c>-</c> when there are more; version <c>ff</c>, uppercase hex and
    /// all-zero ids are rejected. Flags other than <see cref="KnownFlags"/> are cleared.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> value, out TraceId traceId, out SpanId spanId, out TraceFlags flags)
    {
        // Perf: the usual value is exactly 55 characters; whitespace and longer (future-version) values take the long way.
        if (value.Length != Length)
        {
            value = TrimOws(value);
            if (value.Length < Length
                || (value.Length > Length && (value[Length] != '-' || value.StartsWith("00", StringComparison.Ordinal))))
            {
                traceId = default;
                spanId = default;
                flags = TraceFlags.None;
                return false; // version 00 has nothing after the flags; a higher version has '-' before its next field
            }
        }

        return TryParseFields(value[..Length], out traceId, out spanId, out flags);
    }

    /// <summary>Parses the 55 characters every version shares: <c>{version}-{trace-id}-{parent-id}-{trace-flags}</c>.</summary>
    private static bool TryParseFields(ReadOnlySpan<char> value, out TraceId traceId, out SpanId spanId, out TraceFlags flags)
    {
        traceId = default;
        spanId = default;
        flags = TraceFlags.None;
        if (value.Length != Length
            || value[TraceIdOffset - 1] != '-'
            || value[SpanIdOffset - 1] != '-'
            || value[FlagsOffset - 1] != '-'
            || !HexConverter.TryParseLowerByte(value[0], value[1], out var version)
            || version == 0xFF
            || !HexConverter.TryParseLowerByte(value[FlagsOffset], value[FlagsOffset + 1], out var rawFlags)
            || !HexConverter.TryParseLower128(value.Slice(TraceIdOffset, TraceId.HexLength), out var high, out var low)
            || !HexConverter.TryParseLower64(value.Slice(SpanIdOffset, SpanId.HexLength), out var span)
            || (high | low) == 0
            || span == 0)
        {
            return false; // a bad delimiter, version ff, a character that is not lowercase hex, or an all-zero id
        }

        traceId = TraceId.FromHalves(high, low);
        spanId = SpanId.FromUInt64(span);
        flags = (TraceFlags)rawFlags & KnownFlags;
        return true;
    }

    /// <summary>Writes <c>00-{trace-id}-{span-id}-{flags}</c>: exactly 55 lowercase characters.</summary>
    public static string Format(in SpanContext context) =>
        // Perf: one string.Create with a static callback: the header string is the only allocation.
        string.Create(Length, (context.TraceId, context.SpanId, Flags: (byte)(context.TraceFlags & KnownFlags)), static (chars, state) =>
        {
            chars[0] = '0';
            chars[1] = '0';
            chars[2] = '-';
            // Perf: the ids as big-endian bytes, then the runtime's vectorized lowercase hex.
            Span<byte> bytes = stackalloc byte[TraceId.ByteLength + SpanId.ByteLength];
            BinaryPrimitives.WriteUInt64BigEndian(bytes, state.TraceId.High);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], state.TraceId.Low);
            BinaryPrimitives.WriteUInt64BigEndian(bytes[TraceId.ByteLength..], state.SpanId.Value);
            Convert.TryToHexStringLower(bytes[..TraceId.ByteLength], chars.Slice(TraceIdOffset, TraceId.HexLength), out _);
            chars[SpanIdOffset - 1] = '-';
            Convert.TryToHexStringLower(bytes[TraceId.ByteLength..], chars.Slice(SpanIdOffset, SpanId.HexLength), out _);
            chars[FlagsOffset - 1] = '-';
            HexConverter.WriteLower(state.Flags, chars[FlagsOffset..]);
        });

    /// <summary>Removes HTTP optional whitespace (spaces and tabs) from both ends.</summary>
    public static ReadOnlySpan<char> TrimOws(ReadOnlySpan<char> value)
    {
        var start = 0;
        var end = value.Length;
        while (start < end && value[start] is ' ' or '\t')
        {
            start++;
        }

        while (end > start && value[end - 1] is ' ' or '\t')
        {
            end--;
        }

        return value[start..end];
    }
}
