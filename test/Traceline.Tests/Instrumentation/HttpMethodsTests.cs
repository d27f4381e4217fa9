using CsCheck;

namespace Traceline.Tests.Instrumentation;

/// <summary>The one HTTP method table of server and client spans (moved from the middleware's tests, assertions unchanged).</summary>
public sealed class HttpMethodsTests
{
    private static readonly Gen<string> KnownMethod = Gen.Int[0, HttpMethods.Known.Length - 1].Select(i => HttpMethods.Known[i]);

    [Theory]
    [InlineData("GET", "GET", "a known method keeps its name")]
    [InlineData("PATCH", "PATCH", "PATCH is in the known set")]
    [InlineData("CONNECT", "CONNECT", "CONNECT is in the known set")]
    [InlineData("get", "HTTP", "methods are case-sensitive: lowercase is unknown")]
    [InlineData("FOO", "HTTP", "an unknown method becomes HTTP in the name")]
    [InlineData("", "HTTP", "an empty method is unknown")]
    public void GetMethodIndex_Method_SpanNameByConvention(string method, string expectedName, string rule) =>
        Assert.True(expectedName == HttpMethods.SpanNames[HttpMethods.IndexOf(method, ignoreCase: false)], rule);

    [Fact]
    public void GetMethodIndex_AnyString_KnownOnlyWhenExactlyKnown() =>
        Gen.OneOf(Gen.String, KnownMethod).Sample(method =>
        {
            var index = HttpMethods.IndexOf(method, ignoreCase: false);
            var known = Array.IndexOf(HttpMethods.Known, method) >= 0;
            return known ? HttpMethods.Known[index] == method : index == HttpMethods.OtherIndex;
        });

    [Fact]
    public void GetMethodIndex_CopyOfKnownMethod_StillKnown() =>
        KnownMethod.Sample(method =>
            HttpMethods.IndexOf(new string(method.AsSpan()), ignoreCase: false) == Array.IndexOf(HttpMethods.Known, method));

    [Theory]
    [InlineData("QUERY", false, "QUERY", null)]
    [InlineData("get", false, "_OTHER", "get")] // ASP.NET Core: methods are case-sensitive
    [InlineData("get", true, "GET", "get")] // HttpClient treats them as case-insensitive: the canonical name, the original beside it
    [InlineData("query", true, "QUERY", "query")]
    [InlineData("PURGE", true, "_OTHER", "PURGE")]
    [InlineData("_OTHER", false, "_OTHER", "_OTHER")]
    public void WriteAttributes_Method_MethodAndOriginalByConvention(string method, bool ignoreCase, string expected, string? original)
    {
        Span<SpanAttribute> attributes = new SpanAttribute[2];
        var count = 0;
        HttpMethods.WriteAttributes(method, ignoreCase, attributes, ref count);

        Assert.Equal(("http.request.method", expected), (attributes[0].Key, attributes[0].Value.StringValue));
        Assert.Equal(original is null ? 1 : 2, count);
        if (original is not null)
        {
            Assert.Equal(("http.request.method_original", original), (attributes[1].Key, attributes[1].Value.StringValue));
        }
    }
}
