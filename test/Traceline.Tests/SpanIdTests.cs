using CsCheck;

namespace Traceline.Tests;

public sealed class SpanIdTests
{
    [Fact]
    public void CreateRandom_ManyTimes_NeverZeroAndUnique()
    {
        var seen = new HashSet<SpanId>();
        for (var i = 0; i < 100_000; i++)
        {
            var id = SpanId.CreateRandom();
            Assert.True(id.IsValid);
            Assert.True(seen.Add(id));
        }
    }

    [Theory]
    [InlineData("00f067aa0ba902b7")] // W3C Trace Context example
    [InlineData("0000000000000001")]
    [InlineData("ffffffffffffffff")]
    public void TryParse_LowercaseHex_RoundTrips(string hex)
    {
        Assert.True(SpanId.TryParse(hex, out var id));
        Assert.Equal(hex, id.ToString());
    }

    [Theory]
    [InlineData("0000000000000000")] // all zero is invalid
    [InlineData("00F067AA0BA902B7")] // uppercase
    [InlineData("00f067aa0ba902b")] // 15 chars
    [InlineData("00f067aa0ba902b70")] // 17 chars
    [InlineData("00f067aa0ba902bz")]
    [InlineData("")]
    public void TryParse_Invalid_ReturnsFalse(string hex) => Assert.False(SpanId.TryParse(hex, out _));

    [Fact]
    public void Default_IsInvalid() => Assert.False(default(SpanId).IsValid);

    [Fact]
    public void FormatThenParse_AnyNonZeroBytes_RoundTrips() =>
        Gen.Byte.Array[8].Where(b => b.Any(x => x != 0)).Sample(bytes =>
        {
            var id = SpanId.FromBytes(bytes);
            Assert.Equal(Convert.ToHexStringLower(bytes), id.ToString());
            Assert.True(SpanId.TryParse(id.ToString(), out var parsed));
            Assert.Equal(id, parsed);
            Span<byte> copy = stackalloc byte[8];
            id.CopyTo(copy);
            Assert.True(copy.SequenceEqual(bytes));
        }, iter: 10_000);

    [Fact]
    public void TryFormat_TooSmall_ReturnsFalse()
    {
        Span<char> buffer = stackalloc char[15];
        Assert.False(SpanId.CreateRandom().TryFormat(buffer, out _));
    }
}
