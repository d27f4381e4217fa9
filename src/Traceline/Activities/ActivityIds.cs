using System.Diagnostics;

namespace Traceline;

/// <summary>Converts ids between <see cref="Activity"/>'s types and Traceline's, without allocating where it can.</summary>
internal static class ActivityIds
{
    // Perf: an Activity id is its lowercase hex string already, and Traceline's vector parser reads it in a few
    // instructions; the runtime's CopyTo decodes it a branchy character at a time, which measured about a quarter of a
    // captured Activity's time (docs/benchmarks-2026-12-07-activity-capture.md). The default id reads as all zeros.
    public static TraceId ToTraceId(ActivityTraceId id) =>
        HexConverter.TryParseLower128(id.ToHexString(), out var high, out var low) ? TraceId.FromHalves(high, low) : default;

    public static SpanId ToSpanId(ActivitySpanId id) =>
        HexConverter.TryParseLower64(id.ToHexString(), out var value) ? SpanId.FromUInt64(value) : default;

    /// <summary>Allocates the id's hex string: an <see cref="ActivityTraceId"/> is one.</summary>
    public static ActivityTraceId ToActivity(TraceId id)
    {
        Span<byte> bytes = stackalloc byte[TraceId.ByteLength];
        id.CopyTo(bytes);
        return ActivityTraceId.CreateFromBytes(bytes);
    }

    /// <summary>Allocates the id's hex string: an <see cref="ActivitySpanId"/> is one.</summary>
    public static ActivitySpanId ToActivity(SpanId id)
    {
        Span<byte> bytes = stackalloc byte[SpanId.ByteLength];
        id.CopyTo(bytes);
        return ActivitySpanId.CreateFromBytes(bytes);
    }

    /// <summary>
    /// Reads an <see cref="ActivityContext"/> as a parent. False for one that W3C Trace Context calls invalid (an
    /// all-zero id): a span cannot agree with an Activity under such a parent.
    /// </summary>
    public static bool TryToSpanContext(in ActivityContext context, out SpanContext spanContext)
    {
        var traceId = ToTraceId(context.TraceId);
        var spanId = ToSpanId(context.SpanId);
        if (!traceId.IsValid || !spanId.IsValid)
        {
            spanContext = default;
            return false;
        }

        spanContext = new SpanContext(traceId, spanId, (TraceFlags)(byte)context.TraceFlags, context.TraceState, context.IsRemote);
        return true;
    }

    /// <summary>Nanoseconds since the Unix epoch of a UTC <see cref="DateTime"/>.</summary>
    public static long ToUnixNanos(DateTime utc) => (utc.Ticks - DateTime.UnixEpoch.Ticks) * 100;
}
