using System.Text;
using System.Text.Json;

namespace Traceline.Cli;

/// <summary>
/// An id as a log wrote it: 16 or 32 lowercase hex digits are parsed where they are read (no string a span); anything
/// else keeps its text, pooled, for the message that reports it.
/// </summary>
/// <remarks>Perf: reading ids as strings was five strings (about 300 B) a span; see ViewParseBenchmarks.</remarks>
internal readonly struct HexId
{
    private readonly ulong _high;
    private readonly ulong _low;
    private readonly byte _digits; // 16 or 32 when parsed, else 0
    private readonly string? _text; // when not parsed: what the log wrote ("" when absent or empty)

    private HexId(ulong high, ulong low, byte digits, string? text)
    {
        _high = high;
        _low = low;
        _digits = digits;
        _text = text;
    }

    /// <summary>Gets whether the log had this id at all.</summary>
    public bool IsPresent => _digits != 0 || _text is not null;

    /// <summary>Gets whether the id is empty or all zeros: "no parent" in every layout.</summary>
    public bool IsEmptyOrZero => _digits != 0 ? (_high | _low) == 0 : string.IsNullOrEmpty(_text) || _text.AsSpan().IndexOfAnyExcept('0') < 0;

    /// <summary>Reads the string (or null) the reader is on.</summary>
    public static HexId Read(ref Utf8JsonReader reader, StringPool strings)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            return new HexId(0, 0, 0, reader.GetString()); // null for null; any other token throws, reported as a bad record
        }

        var utf8 = reader.ValueSpan;
        if (!reader.ValueIsEscaped && utf8.Length is 16 or 32)
        {
            Span<char> chars = stackalloc char[32];
            if (Ascii.ToUtf16(utf8, chars, out var length) == System.Buffers.OperationStatus.Done)
            {
                if (length == 16 && HexConverter.TryParseLowerUInt64(chars[..16], out var value))
                {
                    return new HexId(0, value, 16, null);
                }

                if (length == 32 && HexConverter.TryParseLower128(chars[..32], out var high, out var low))
                {
                    return new HexId(high, low, 32, null);
                }
            }
        }

        return new HexId(0, 0, 0, strings.Get(ref reader));
    }

    public bool TryGetTraceId(out TraceId traceId)
    {
        traceId = _digits == 32 ? TraceId.FromHalves(_high, _low) : default;
        return traceId.IsValid;
    }

    public bool TryGetSpanId(out SpanId spanId)
    {
        spanId = _digits == 16 ? SpanId.FromUInt64(_low) : default;
        return spanId.IsValid;
    }

    /// <summary>Gets the id as the log wrote it, or <see langword="null"/> when absent.</summary>
    public string? Text => _digits == 32 ? TraceId.FromHalves(_high, _low).ToString()
        : _digits == 16 ? _low.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)
        : _text;
}
