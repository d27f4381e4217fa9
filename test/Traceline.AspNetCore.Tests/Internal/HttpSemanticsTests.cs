using CsCheck;

namespace Traceline.AspNetCore.Tests.Internal;

/// <summary>The HTTP semantic-convention facts the middleware relies on.</summary>
public sealed class HttpSemanticsTests
{
    [Theory]
    [InlineData("HTTP/1.1", "1.1")]
    [InlineData("HTTP/2", "2")]
    [InlineData("HTTP/3", "3")]
    [InlineData("HTTP/1.0", "1.0")]
    [InlineData("HTTP/4", "4")]
    [InlineData("SPDY", null)]
    [InlineData("HTTP/", null)]
    public void GetProtocolVersion_Protocol_VersionWithoutPrefix(string protocol, string? expected) =>
        Assert.Equal(expected, HttpSemantics.GetProtocolVersion(protocol));

    [Fact]
    public void GetStatusCodeText_AnyCode_InvariantDigitsAndCached() =>
        Gen.Int[-10, 1000].Sample(code =>
            SemanticConventions.StatusCodeText(code) == code.ToString(System.Globalization.CultureInfo.InvariantCulture)
            && (code is < 0 or >= 600 || ReferenceEquals(SemanticConventions.StatusCodeText(code), SemanticConventions.StatusCodeText(code))));
}
