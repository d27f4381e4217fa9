using CsCheck;
using Traceline.Export;
using Traceline.Tests.Otlp.Proto.Collector;

namespace Traceline.Tests.Otlp;

public sealed class OtlpProtobufEncoderTests
{
    private static readonly Gen<AttributeValue> ValueGen = Gen.OneOf(
        Gen.String.Select(s => (AttributeValue)s),
        Gen.Bool.Select(b => (AttributeValue)b),
        Gen.Long.Select(l => (AttributeValue)l),
        Gen.Double.Select(d => (AttributeValue)d),
        Gen.String.Array[0, 5].Select(a => (AttributeValue)a),
        Gen.Bool.Array[0, 5].Select(a => (AttributeValue)a),
        Gen.Long.Array[0, 5].Select(a => (AttributeValue)a),
        Gen.Double.Array[0, 5].Select(a => (AttributeValue)a));

    [Fact]
    public void Encode_AnyAttributesAndNames_DecodesToTheSameSpans()
    {
        using var provider = TestProviders.Create(b => b.UseInMemoryExporter(new InMemorySpanExporter()));
        var tracers = new[] { provider.GetTracer("a"), provider.GetTracer("b", "2"), provider.GetTracer("c", string.Empty) };
        // CsCheck samples on several threads: each sample gets its own encoder (one encoder serves one exporter).
        Gen.Select(Gen.String, Gen.Int[0, 2], Gen.Select(Gen.String[1, 10], ValueGen).Array[0, 12]).Array[1, 6].Sample(specs =>
        {
            var spans = new List<Span>();
            foreach (var (name, tracerIndex, attributes) in specs)
            {
                var span = tracers[tracerIndex].StartRootSpan(name);
                foreach (var (key, value) in attributes)
                {
                    span.SetAttribute(key, value);
                }

                span.AddEvent(name, new SpanAttribute("k", name));
                span.End();
                spans.Add(span);
            }

            var encoder = new OtlpProtobufEncoder();
            using var buffer = new PooledByteBuffer(16);
            var length = encoder.Encode(spans.ToArray(), buffer);

            Assert.Equal(length, (int)buffer.Length);
            RichSpans.AssertMatches(spans, ExportTraceServiceRequest.Parser.ParseFrom(buffer.WrittenSpan.ToArray()));
        });
    }

    [Fact]
    public void Encode_SecondBatchOf512Spans_AllocatesNothing()
    {
        using var provider = TestProviders.Create(b => b.UseInMemoryExporter(new InMemorySpanExporter()));
        var tracer = provider.GetTracer("alloc");
        var spans = new Span[512];
        for (var i = 0; i < spans.Length; i++)
        {
            var span = tracer.StartRootSpan("span " + i, SpanKind.Server);
            for (var a = 0; a < 10; a++)
            {
                span.SetAttribute("attribute." + a, a % 2 == 0 ? (AttributeValue)("value " + a) : a);
            }

            span.End();
            spans[i] = span;
        }

        var encoder = new OtlpProtobufEncoder();
        using var buffer = new PooledByteBuffer();
        encoder.Encode(spans, buffer); // grows the reused arrays once
        buffer.Reset();

        var before = GC.GetAllocatedBytesForCurrentThread();
        encoder.Encode(spans, buffer);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(512, ExportTraceServiceRequest.Parser.ParseFrom(buffer.WrittenSpan.ToArray()).ResourceSpans[0].ScopeSpans[0].Spans.Count);
    }

    [Fact]
    public void Encode_OutputThatGrowsAtAnyPoint_WritesTheSameBytes()
    {
        // Rich spans, plus sizes that cross every length reservation: an attribute over 128 bytes (ASCII and not), a
        // key over 128 chars, and a span over 16 KiB; the reserved lengths are guessed too small or too large.
        var (provider, rich) = RichSpans.Create();
        using var _ = provider;
        var tracer = provider.GetTracer("sizes");
        var big = tracer.StartRootSpan("big");
        big.SetAttribute("long.ascii", new string('a', 200));
        big.SetAttribute("long.utf8", new string('é', 100));
        big.SetAttribute(new string('k', 130), 1L);
        big.SetAttribute("huge", new string('h', 20_000));
        big.End();
        var small = tracer.StartRootSpan(new string('n', 60));
        small.SetAttribute("a", "b");
        small.End();
        Span[] spans = [.. rich, big, small];

        var encoder = new OtlpProtobufEncoder();
        using var reference = new PooledByteBuffer(1 << 20);
        var length = encoder.Encode(spans, reference);
        var expected = reference.WrittenSpan.ToArray();
        RichSpans.AssertMatches(spans, ExportTraceServiceRequest.Parser.ParseFrom(expected));

        // Bytes already in the buffer move where its capacity runs out relative to the encoding: every step of the
        // walk gets its turn to grow the buffer.
        for (var prefix = 0; prefix < 300; prefix += 7)
        {
            using var output = new PooledByteBuffer(16);
            output.Write(new byte[prefix]);

            Assert.Equal(length, encoder.Encode(spans, output));
            Assert.Equal(expected, output.WrittenSpan[prefix..].ToArray());
        }
    }

    [Fact]
    public void OtlpResponse_AnyBytes_NeverThrows() =>
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            _ = OtlpResponse.TryReadPartialSuccess(bytes, out _, out _);
            _ = OtlpResponse.TryReadStatus(bytes, out _, out _);
            _ = OtlpResponse.TryReadJsonPartialSuccess(bytes, out _, out _);
        });
}
