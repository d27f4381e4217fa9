using System.Diagnostics;
using CsCheck;

namespace Traceline.Tests.Activities;

public sealed class ActivityIdsTests
{
    [Fact]
    public void ToTraceId_AnyActivityTraceId_SameBytes() =>
        Gen.Byte.Array[16].Sample(bytes =>
        {
            var id = ActivityTraceId.CreateFromBytes(bytes);
            var actual = new byte[16];
            ActivityIds.ToTraceId(id).CopyTo(actual);
            Assert.Equal(bytes, actual);
            Assert.Equal(id, ActivityIds.ToActivity(ActivityIds.ToTraceId(id)));
        });

    [Fact]
    public void ToSpanId_AnyActivitySpanId_SameBytes() =>
        Gen.Byte.Array[8].Sample(bytes =>
        {
            var id = ActivitySpanId.CreateFromBytes(bytes);
            var actual = new byte[8];
            ActivityIds.ToSpanId(id).CopyTo(actual);
            Assert.Equal(bytes, actual);
            Assert.Equal(id, ActivityIds.ToActivity(ActivityIds.ToSpanId(id)));
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
