using CsCheck;
using Google.Protobuf;
using Traceline.Benchmarks.Bursts;
using Traceline.Tests.Otlp.Proto.Collector;
using Traceline.Tests.Otlp.Proto.Common;
using Traceline.Tests.Otlp.Proto.Trace;
using ProtoResource = Traceline.Tests.Otlp.Proto.Resource.Resource;
using ProtoScope = Traceline.Tests.Otlp.Proto.Common.InstrumentationScope;
using ProtoSpan = Traceline.Tests.Otlp.Proto.Trace.Span;
using ProtoStatus = Traceline.Tests.Otlp.Proto.Trace.Status;

namespace Traceline.Tests.Benchmarks;

/// <summary>
/// The bursts harness's receiver counts spans with its own protobuf walker (test/Benchmarks/Bursts/OtlpSpanCounter.cs,
/// compiled in here); these check it against requests made by Google.Protobuf from the OTLP .proto files.
/// </summary>
public sealed class OtlpSpanCounterTests
{
    [Fact]
    public void TryCount_RequestWithEveryField_CountsSpansOfEveryScope()
    {
        var request = Request([3, 0], [5]);
        request.ResourceSpans[0].Resource = new ProtoResource { Attributes = { new KeyValue { Key = "service.name", Value = new AnyValue { StringValue = "s" } } } };
        request.ResourceSpans[0].SchemaUrl = "https://opentelemetry.io/schemas/1.21.0";
        request.ResourceSpans[0].ScopeSpans[0].Scope = new ProtoScope { Name = "scope", Version = "1" };
        var span = request.ResourceSpans[1].ScopeSpans[0].Spans[0];
        span.Attributes.Add(new KeyValue { Key = "k", Value = new AnyValue { IntValue = -1 } });
        span.Events.Add(new ProtoSpan.Types.Event { Name = "e", TimeUnixNano = ulong.MaxValue });
        span.Status = new ProtoStatus { Code = ProtoStatus.Types.StatusCode.Error, Message = "m" };
        span.Flags = 0x301;

        Assert.True(OtlpSpanCounter.TryCount(request.ToByteArray(), out var spans));
        Assert.Equal(8, spans);
    }

    [Fact]
    public void TryCount_RandomShapes_CountsWhatWasEncoded()
    {
        Gen.Int[0, 20].Array[0, 4].Array[0, 4].Sample(shape =>
        {
            var request = Request(shape);
            var expected = 0;
            foreach (var resource in shape)
            {
                foreach (var scope in resource)
                {
                    expected += scope;
                }
            }

            return OtlpSpanCounter.TryCount(request.ToByteArray(), out var spans) && spans == expected;
        });
    }

    [Fact]
    public void TryCount_EmptyRequest_IsZeroSpans()
    {
        Assert.True(OtlpSpanCounter.TryCount([], out var spans));
        Assert.Equal(0, spans);
    }

    [Fact]
    public void TryCount_UnknownFields_AreSkipped()
    {
        // field 9 varint, field 10 fixed64, field 11 fixed32, field 12 bytes, then one resource_spans with one span.
        byte[] unknown = [0x48, 0x96, 0x01, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5D, 1, 2, 3, 4, 0x62, 0x01, 0xFF];
        var body = unknown.Concat(Request([1]).ToByteArray()).ToArray();

        Assert.True(OtlpSpanCounter.TryCount(body, out var spans));
        Assert.Equal(1, spans);
    }

    [Fact]
    public void TryCount_EveryTruncation_IsRefusedOrCountsFewer()
    {
        var body = Request([2, 1], [3]).ToByteArray();
        for (var length = 1; length < body.Length; length++)
        {
            // A cut inside a message is refused; a cut between whole top-level messages is a shorter, valid request.
            Assert.False(OtlpSpanCounter.TryCount(body.AsSpan(0, length), out var spans) && spans >= 6);
        }
    }

    public static TheoryData<string, byte[]> Malformed() => new()
    {
        { "group start (wire type 3)", [0x0B] },
        { "group end (wire type 4)", [0x0C] },
        { "wire types 6 and 7", [0x0E] },
        { "field number 0", [0x02, 0x00] },
        { "varint of 11 bytes", [0x48, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01] },
        { "varint over 64 bits", [0x48, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02] },
        { "length past the end", [0x0A, 0x05, 0x12, 0x00] },
        { "resource_spans as a varint", [0x08, 0x01] },
        { "scope_spans as a varint", [0x0A, 0x02, 0x10, 0x01] },
        { "span as a fixed32", [0x0A, 0x07, 0x12, 0x05, 0x15, 1, 2, 3, 4] },
        { "fixed64 cut short", [0x49, 1, 2, 3] },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryCount_MalformedWire_IsRefused(string why, byte[] body) =>
        Assert.False(OtlpSpanCounter.TryCount(body, out _), why);

    [Theory]
    [InlineData(15, 8)]
    [InlineData(17, 8)]
    [InlineData(16, 7)]
    [InlineData(16, 0)]
    public void TryCount_IdOfWrongLength_IsRefused(int traceIdLength, int spanIdLength)
    {
        var request = Request([1]);
        var span = request.ResourceSpans[0].ScopeSpans[0].Spans[0];
        span.TraceId = ByteString.CopyFrom(new byte[traceIdLength]);
        span.SpanId = ByteString.CopyFrom(new byte[spanIdLength]);

        Assert.False(OtlpSpanCounter.TryCount(request.ToByteArray(), out _));
    }

    [Fact]
    public void TryCount_SpanWithoutIds_IsRefused()
    {
        var request = new ExportTraceServiceRequest { ResourceSpans = { new ResourceSpans { ScopeSpans = { new ScopeSpans { Spans = { new ProtoSpan { Name = "no ids" } } } } } } };

        Assert.False(OtlpSpanCounter.TryCount(request.ToByteArray(), out _));
    }

    /// <summary>One ResourceSpans per element, one ScopeSpans per inner element with that many spans.</summary>
    private static ExportTraceServiceRequest Request(params int[][] shape)
    {
        var request = new ExportTraceServiceRequest();
        var id = 0;
        foreach (var resource in shape)
        {
            var resourceSpans = new ResourceSpans();
            foreach (var count in resource)
            {
                var scope = new ScopeSpans();
                for (var i = 0; i < count; i++)
                {
                    id++;
                    var traceId = new byte[16];
                    var spanId = new byte[8];
                    traceId[15] = (byte)id;
                    spanId[7] = (byte)id;
                    scope.Spans.Add(new ProtoSpan { TraceId = ByteString.CopyFrom(traceId), SpanId = ByteString.CopyFrom(spanId), Name = "span " + id, StartTimeUnixNano = 1, EndTimeUnixNano = 2 });
                }

                resourceSpans.ScopeSpans.Add(scope);
            }

            request.ResourceSpans.Add(resourceSpans);
        }

        return request;
    }
}
