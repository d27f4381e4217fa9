using CsCheck;

namespace Traceline.Tests;

public sealed class TraceIdTests
{
    [Fact]
    public void CreateRandom_ManyTimes_NeverZeroAndUnique()
    {
        var seen = new HashSet<TraceId>();
        for (var i = 0; i < 100_000; i++)
        {
            var id = TraceId.CreateRandom();
            Assert.True(id.IsValid);
            Assert.True(seen.Add(id));
        }
    }

    [Fact]
    public async Task CreateRandom_FromManyThreads_Unique()
    {
        var sets = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            var local = new List<TraceId>();
            for (var i = 0; i < 10_000; i++)
            {
                local.Add(TraceId.CreateRandom());
            }

            return local;
        })));
        var all = sets.SelectMany(s => s).ToList();
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Default_IsInvalid() => Assert.False(default(TraceId).IsValid);

    [Theory]
    [InlineData("4bf92f3577b34da6a3ce929d0e0e4736")] // W3C Trace Context example
    [InlineData("00000000000000000000000000000001")]
    [InlineData("ffffffffffffffffffffffffffffffff")]
    public void TryParse_LowercaseHex_RoundTrips(string hex)
    {
        Assert.True(TraceId.TryParse(hex, out var id));
        Assert.Equal(hex, id.ToString());
    }

    [Theory]
    [InlineData("00000000000000000000000000000000")] // all zero is invalid
    [InlineData("4BF92F3577B34DA6A3CE929D0E0E4736")] // uppercase is invalid on the wire
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473")] // 31 chars
    [InlineData("4bf92f3577b34da6a3ce929d0e0e47360")] // 33 chars
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473g")] // not hex
    [InlineData("4bf92f3577b34da6a3ce929d0e0e473 ")] // space
    [InlineData("")]
    public void TryParse_Invalid_ReturnsFalseAndDefault(string hex)
    {
        Assert.False(TraceId.TryParse(hex, out var id));
        Assert.Equal(default, id);
    }

    [Fact]
    public void Parse_Invalid_ThrowsFormatException() => Assert.Throws<FormatException>(() => TraceId.Parse("xyz"));

    [Fact]
    public void TryFormat_BufferTooSmall_ReturnsFalse()
    {
        Span<char> buffer = stackalloc char[31];
        Assert.False(TraceId.CreateRandom().TryFormat(buffer, out var written));
        Assert.Equal(0, written);
    }

    [Fact]
    public void TryFormat_IntoCallersBuffer_DoesNotAllocate()
    {
        var id = TraceId.CreateRandom();
        Span<char> chars = stackalloc char[32];
        Span<byte> utf8 = stackalloc byte[32];
        id.TryFormat(chars, out _);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            id.TryFormat(chars, out _);
            id.TryFormat(utf8, out _);
            TraceId.TryParse(chars, out _);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(id.ToString(), System.Text.Encoding.ASCII.GetString(utf8));
    }

    [Fact]
    public void Bytes_RoundTripInWireOrder()
    {
        var id = TraceId.Parse("4bf92f3577b34da6a3ce929d0e0e4736");
        Span<byte> bytes = stackalloc byte[16];
        id.CopyTo(bytes);
        Assert.Equal(0x4b, bytes[0]);
        Assert.Equal(0x36, bytes[15]);
        Assert.Equal(id, TraceId.FromBytes(bytes));
        Assert.Throws<ArgumentException>(() => TraceId.FromBytes(new byte[15]));
    }

    [Fact]
    public void FormatThenParse_AnyNonZeroBytes_RoundTrips() =>
        Gen.Byte.Array[16].Where(b => b.Any(x => x != 0)).Sample(bytes =>
        {
            var id = TraceId.FromBytes(bytes);
            var text = id.ToString();
            Assert.Equal(Convert.ToHexStringLower(bytes), text);
            Assert.True(TraceId.TryParse(text, out var parsed));
            Assert.Equal(id, parsed);
        }, iter: 10_000);

    [Fact]
    public void TryParse_AnyString_NeverThrowsAndOnlyAcceptsCanonicalForm() =>
        Gen.String.Sample(text =>
        {
            if (TraceId.TryParse(text, out var id))
            {
                Assert.Equal(text, id.ToString());
            }
        }, iter: 10_000);
}
