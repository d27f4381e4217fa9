using System.Diagnostics;
using CsCheck;

namespace Traceline.Tests.Activities;

public sealed class ActivityIdsTests
{
    [Fact]
    public void ToTraceIdAndToSpanId_AnyActivityIds_SameBytesAndBack() =>
        Gen.Select(Gen.Byte.Array[16], Gen.Byte.Array[8]).Sample((traceBytes, spanBytes) =>
        {
            var traceId = ActivityTraceId.CreateFromBytes(traceBytes);
            var spanId = ActivitySpanId.CreateFromBytes(spanBytes);
            var actual = new byte[24];
            ActivityIds.ToTraceId(traceId).CopyTo(actual);
            ActivityIds.ToSpanId(spanId).CopyTo(actual.AsSpan(16));
            Assert.Equal([.. traceBytes, .. spanBytes], actual);
            Assert.Equal(traceId, ActivityIds.ToActivity(ActivityIds.ToTraceId(traceId)));
            Assert.Equal(spanId, ActivityIds.ToActivity(ActivityIds.ToSpanId(spanId)));
        });

    [Fact]
    public void ToTraceId_W3cExample_ParsesAsTraceIdParse()
    {
        const string Hex = "4bf92f3577b34da6a3ce929d0e0e4736"; // W3C Trace Context example
        Assert.Equal(TraceId.Parse(Hex), ActivityIds.ToTraceId(ActivityTraceId.CreateFromString(Hex)));
        Assert.Equal(SpanId.Parse("00f067aa0ba902b7"), ActivityIds.ToSpanId(ActivitySpanId.CreateFromString("00f067aa0ba902b7")));
    }

    [Fact]
    public void DefaultIds_GiveInvalidIds()
    {
        Assert.False(ActivityIds.ToTraceId(default).IsValid);
        Assert.False(ActivityIds.ToSpanId(default).IsValid);
    }
}
