namespace Traceline.Http.Tests.Support;

/// <summary>A version-00 traceparent, parsed strictly, for assertions.</summary>
internal readonly record struct Traceparent(TraceId TraceId, SpanId ParentId, TraceFlags Flags)
{
    public static bool TryParse(string? value, out Traceparent result)
    {
        result = default;
        if (value is null || value.Length != 55 || !value.StartsWith("00-", StringComparison.Ordinal) || value[35] != '-' || value[52] != '-')
        {
            return false;
        }

        if (!TraceId.TryParse(value.AsSpan(3, 32), out var traceId) || !SpanId.TryParse(value.AsSpan(36, 16), out var spanId)
            || !byte.TryParse(value.AsSpan(53, 2), System.Globalization.NumberStyles.HexNumber, null, out var flags))
        {
            return false;
        }

        result = new Traceparent(traceId, spanId, (TraceFlags)flags);
        return true;
    }

    public static Traceparent Parse(string? value) =>
        TryParse(value, out var result) ? result : throw new FormatException($"Not a traceparent: '{value}'");
}
