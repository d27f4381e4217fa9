using CsCheck;

namespace Traceline.AspNetCore.Tests.Internal;

/// <summary>The HTTP semantic-convention facts the middleware relies on.</summary>
public sealed class HttpSemanticsTests
{
    private static readonly Gen<string> KnownMethod = Gen.Int[0, HttpSemantics.KnownMethods.Length - 1].Select(i => HttpSemantics.KnownMethods[i]);

    [Theory]
    [InlineData("GET", "GET", "a known method keeps its name")]
    [InlineData("PATCH", "PATCH", "PATCH is in the known set")]
    [InlineData("CONNECT", "CONNECT", "CONNECT is in the known set")]
    [InlineData("get", "HTTP", "methods are case-sensitive: lowercase is unknown")]
    [InlineData("FOO", "HTTP", "an unknown method becomes HTTP in the name")]
    [InlineData("", "HTTP", "an empty method is unknown")]
    public void GetMethodIndex_Method_SpanNameByConvention(string method, string expectedName, string rule) =>
        Assert.True(expectedName == HttpSemantics.MethodSpanNames[HttpSemantics.GetMethodIndex(method)], rule);

    [Fact]
    public void GetMethodIndex_AnyString_KnownOnlyWhenExactlyKnown() =>
        Gen.OneOf(Gen.String, KnownMethod).Sample(method =>
        {
            var index = HttpSemantics.GetMethodIndex(method);
            var known = Array.IndexOf(HttpSemantics.KnownMethods, method) >= 0;
            return known ? HttpSemantics.KnownMethods[index] == method : index == HttpSemantics.OtherMethodIndex;
        });

    [Fact]
    public void GetMethodIndex_CopyOfKnownMethod_StillKnown() =>
        KnownMethod.Sample(method =>
            HttpSemantics.GetMethodIndex(new string(method.AsSpan())) == Array.IndexOf(HttpSemantics.KnownMethods, method));

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
