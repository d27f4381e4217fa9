using CsCheck;
using Traceline.Export;

namespace Traceline.Tests.Otlp;

public sealed class ProtobufWriterTests
{
    public static TheoryData<int> Lengths()
    {
        // Every length through several 16-char blocks: each of the 4-, 8- and 16-char paths and their overlaps.
        var lengths = new TheoryData<int>();
        for (var length = 0; length <= 70; length++)
        {
            lengths.Add(length);
        }

        return lengths;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void TryNarrowAscii_AsciiOfAnyLength_CopiesEveryCharAndNothingAfter(int length)
    {
        var text = new string([.. Enumerable.Range(0, length).Select(i => (char)(0x20 + (i * 7 % 0x60)))]);
        var destination = Enumerable.Repeat((byte)0xEE, length + 8).ToArray();

        Assert.True(ProtobufWriter.TryNarrowAscii(text, destination));

        Assert.Equal(System.Text.Encoding.ASCII.GetBytes(text), destination[..length]);
        Assert.All(destination[length..], b => Assert.Equal(0xEE, b));
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void TryNarrowAscii_OneNonAsciiCharAnywhere_ReturnsFalse(int length)
    {
        // 0x80 and 0xFF fit in a byte, so a check that only looks at the high byte would let them through.
        foreach (var bad in new[] { '\u0080', '\u00E9', '\u00FF', '\u0100', '\uD83D', '\uFFFF' })
        {
            for (var position = 0; position < length; position++)
            {
                var chars = Enumerable.Repeat('a', length).ToArray();
                chars[position] = bad;

                Assert.False(ProtobufWriter.TryNarrowAscii(new string(chars), new byte[length]), $"U+{(int)bad:X4} at {position} of {length}");
            }
        }
    }

    [Fact]
    public void VarintSize_AnyValue_IsTheBytesWriteVarintWrites()
    {
        var edges = Enumerable.Range(0, 64).SelectMany(bit => new[] { (1UL << bit) - 1, 1UL << bit }).Append(ulong.MaxValue);
        foreach (var value in edges)
        {
            AssertSize(value);
        }

        Gen.ULong.Sample(AssertSize);

        static void AssertSize(ulong value)
        {
            var buffer = new byte[10];
            var written = ProtobufWriter.WriteVarint(buffer, 0, value);
            Assert.Equal(written, ProtobufWriter.VarintSize(value));
            if (value <= uint.MaxValue)
            {
                Assert.Equal(written, ProtobufWriter.VarintSize((uint)value));
                Assert.Equal(written, ProtobufWriter.WriteVarint(buffer, 0, (uint)value));
            }

            var reader = new ProtobufReader(buffer.AsSpan(0, written));
            Assert.True(reader.TryReadVarint(out var read));
            Assert.Equal(value, read);
        }
    }

    [Theory]
    [InlineData(0, 1)] // empty, the common one-byte length
    [InlineData(127, 2)] // the largest one-byte length, with a two-byte reservation: content moves back
    [InlineData(128, 1)] // the smallest two-byte length, with a one-byte reservation: content moves on
    [InlineData(20000, 2)] // a three-byte length, with a two-byte reservation
    public void EndMessage_LengthNeedsOtherThanReserved_WritesMinimalLengthBeforeContent(int contentLength, int reserve)
    {
        using var output = new PooledByteBuffer(16);
        var content = Enumerable.Range(0, contentLength).Select(i => (byte)i).ToArray();
        var writer = new ProtobufWriter(output, 1);
        var start = writer.BeginMessage(1, reserve);
        writer.GetSpan(contentLength);
        content.CopyTo(output.Array, start);
        writer.Advance(contentLength);
        writer.EndMessage(start, reserve);
        var written = writer.Complete(0);

        var reader = new ProtobufReader(output.WrittenSpan);
        Assert.True(reader.TryReadTag(out var field, out var wire));
        Assert.Equal((1, ProtobufWriter.WireLength), (field, wire));
        Assert.True(reader.TryReadLengthDelimited(out var read));
        Assert.Equal(content, read.ToArray());
        Assert.Equal(1 + ProtobufWriter.VarintSize((uint)contentLength) + contentLength, written);
    }
}
