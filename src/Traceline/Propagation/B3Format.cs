namespace Traceline.Propagation;

/// <summary>
/// The Zipkin B3 values (openzipkin/b3-propagation): the single <c>b3</c> header and the <c>X-B3-*</c> headers, read
/// without allocating and written in lowercase hex.
/// </summary>
/// <remarks>
/// Single header: <c>{trace-id}-{span-id}[-{sampling}[-{parent-span-id}]]</c>, or a sampling state alone
/// (<c>0</c>, <c>1</c>, <c>d</c>). A trace id is 16 or 32 lowercase hex characters (16 are left-padded with zeros to
/// 128 bits), a span id 16; all-zero ids, uppercase hex and any other length are rejected.
/// </remarks>
internal static class B3Format
{
    /// <summary>The single header.</summary>
    public const string SingleHeader = "b3";

    /// <summary>The multi header trace id (16 or 32 lowercase hex).</summary>
    public const string TraceIdHeader = "X-B3-TraceId";

    /// <summary>The multi header span id (16 lowercase hex).</summary>
    public const string SpanIdHeader = "X-B3-SpanId";

    /// <summary>The multi header parent span id: read and checked, never written (OpenTelemetry's B3 rules).</summary>
    public const string ParentSpanIdHeader = "X-B3-ParentSpanId";

    /// <summary>The multi header sampling state: <c>1</c> or <c>0</c> (and the legacy <c>true</c>/<c>false</c>, read only).</summary>
    public const string SampledHeader = "X-B3-Sampled";

    /// <summary>The multi header debug flag: <c>1</c> means debug; other values are ignored, as the B3 specification allows.</summary>
    public const string FlagsHeader = "X-B3-Flags";

    /// <summary>What Traceline writes in the single header: <c>{trace-id 32}-{span-id 16}-{0|1}</c>.</summary>
    public const int SingleLength = TraceId.HexLength + 1 + SpanId.HexLength + 2; // 51

    private const int ShortTraceIdLength = 16;

    /// <summary>
    /// Parses one <c>b3</c> value. <see langword="true"/> for a valid value; <paramref name="traceId"/> is then
    /// <see langword="default"/> when the value is a sampling state alone (for example the deny-only <c>b3: 0</c>).
    /// Leading and trailing spaces and tabs are ignored.
    /// </summary>
    public static bool TryParseSingle(ReadOnlySpan<char> value, out TraceId traceId, out SpanId spanId, out B3Sampling sampling)
    {
        traceId = default;
        spanId = default;
        sampling = B3Sampling.Deferred;
        value = TraceParentFormat.TrimOws(value);
        if (value.Length == 1)
        {
            return TryParseSamplingChar(value[0], out sampling); // no ids: a decision only
        }

        // A 32-character trace id is followed by '-' at 32; with a 16-character one, 32 is the span id's last character.
        var traceIdLength = value.Length > TraceId.HexLength && value[TraceId.HexLength] == '-' ? TraceId.HexLength : ShortTraceIdLength;
        var spanIdStart = traceIdLength + 1;
        if (value.Length < spanIdStart + SpanId.HexLength
            || value[traceIdLength] != '-'
            || !TryParseTraceId(value[..traceIdLength], out traceId)
            || !TryParseSpanId(value.Slice(spanIdStart, SpanId.HexLength), out spanId))
        {
            traceId = default;
            spanId = default;
            return false;
        }

        // What may follow: nothing, "-{sampling}", or "-{sampling}-{parent-span-id}".
        var rest = value[(spanIdStart + SpanId.HexLength)..];
        var valid = rest.Length switch
        {
            0 => true,
            2 => rest[0] == '-' && TryParseSamplingChar(rest[1], out sampling),
            3 + SpanId.HexLength => rest[0] == '-' && TryParseSamplingChar(rest[1], out sampling) && rest[2] == '-' && TryParseSpanId(rest[3..], out _),
            _ => false,
        };
        if (!valid)
        {
            traceId = default;
            spanId = default;
            sampling = B3Sampling.Deferred;
        }

        return valid;
    }

    /// <summary>Parses a trace id of 16 or 32 lowercase hex characters, not all zero; 16 are left-padded with zeros.</summary>
    public static bool TryParseTraceId(ReadOnlySpan<char> hex, out TraceId traceId)
    {
        ulong high = 0, low;
        var parsed = hex.Length == TraceId.HexLength
            ? HexConverter.TryParseLower128(hex, out high, out low)
            : HexConverter.TryParseLower64(hex, out low);
        traceId = parsed && (high | low) != 0 ? TraceId.FromHalves(high, low) : default;
        return traceId != default;
    }

    /// <summary>Parses a span id of 16 lowercase hex characters, not all zero.</summary>
    public static bool TryParseSpanId(ReadOnlySpan<char> hex, out SpanId spanId)
    {
        spanId = HexConverter.TryParseLower64(hex, out var value) && value != 0 ? SpanId.FromUInt64(value) : default;
        return spanId != default;
    }

    /// <summary>Parses <c>X-B3-Sampled</c>: <c>1</c> or <c>0</c>, and the legacy <c>true</c> or <c>false</c>.</summary>
    public static bool TryParseSampled(ReadOnlySpan<char> value, out B3Sampling sampling)
    {
        value = TraceParentFormat.TrimOws(value);
        sampling = value switch
        {
            "1" or "true" => B3Sampling.Accept,
            "0" or "false" => B3Sampling.Deny,
            _ => B3Sampling.Deferred,
        };
        return sampling != B3Sampling.Deferred;
    }

    /// <summary>Whether <c>X-B3-Flags</c> says debug (<c>1</c>).</summary>
    public static bool IsDebugFlag(ReadOnlySpan<char> value) => TraceParentFormat.TrimOws(value) is "1";

    /// <summary>The trace flags a sampling state gives: sampled for accept and debug, none for deny and deferred.</summary>
    public static TraceFlags ToTraceFlags(B3Sampling sampling) =>
        sampling is B3Sampling.Accept or B3Sampling.Debug ? TraceFlags.Sampled : TraceFlags.None;

    /// <summary>Writes <c>{trace-id}-{span-id}-{1|0}</c>: 51 lowercase characters, no parent span id.</summary>
    public static string FormatSingle(in SpanContext context) =>
        // Perf: one string.Create with a static callback: the header string is the only allocation.
        string.Create(SingleLength, (context.TraceId, context.SpanId, Sampled: context.TraceFlags.HasFlag(TraceFlags.Sampled)), static (chars, state) =>
        {
            state.TraceId.TryFormat(chars, out _);
            chars[TraceId.HexLength] = '-';
            state.SpanId.TryFormat(chars[(TraceId.HexLength + 1)..], out _);
            chars[^2] = '-';
            chars[^1] = state.Sampled ? '1' : '0';
        });

    private static bool TryParseSamplingChar(char c, out B3Sampling sampling)
    {
        sampling = c switch
        {
            '1' => B3Sampling.Accept,
            '0' => B3Sampling.Deny,
            'd' => B3Sampling.Debug,
            _ => B3Sampling.Deferred,
        };
        return sampling != B3Sampling.Deferred;
    }
}
