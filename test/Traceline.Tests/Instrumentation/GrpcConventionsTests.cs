namespace Traceline.Tests.Instrumentation;

/// <summary>gRPC over HTTP/2 as the protocol spec writes it (path, content type, grpc-status), read into the RPC conventions.</summary>
public sealed class GrpcConventionsTests
{
    [Theory]
    [InlineData("/greet.Greeter/SayHello", "greet.Greeter/SayHello", "greet.Greeter", "SayHello")]
    [InlineData("/Greeter/SayHello", "Greeter/SayHello", "Greeter", "SayHello")]
    [InlineData("/a/b", "a/b", "a", "b")]
    public void ParsePath_ServiceAndMethod_NamesByConvention(string path, string spanName, string service, string method)
    {
        var parsed = GrpcConventions.ParsePath(path)!;

        Assert.Equal(spanName, parsed.SpanName);
        Assert.Equal(service, parsed.Service);
        Assert.Equal(method, parsed.Method);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("//")]
    [InlineData("/Greeter")]
    [InlineData("/Greeter/")]
    [InlineData("//SayHello")]
    [InlineData("greet.Greeter/SayHello")]
    [InlineData("/greet/Greeter/SayHello")]
    public void ParsePath_NotServiceSlashMethod_None(string? path) => Assert.Null(GrpcConventions.ParsePath(path));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc+json", true)]
    [InlineData("Application/GRPC", true)]
    [InlineData("application/grpc; charset=utf-8", true)]
    [InlineData("application/grpc-web", false)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData("", false)]
    public void IsGrpcContentType_ByTheProtocolSpec(string contentType, bool expected) =>
        Assert.Equal(expected, GrpcConventions.IsGrpcContentType(contentType));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("5", 5)]
    [InlineData("16", 16)]
    [InlineData("-1", null)]
    [InlineData(" 1", null)]
    [InlineData("OK", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    [InlineData("99999999999", null)]
    public void TryParseStatus_DecimalOnly(string? value, int? expected)
    {
        var parsed = GrpcConventions.TryParseStatus(value, out var status);

        Assert.Equal(expected.HasValue, parsed);
        Assert.Equal(expected ?? 0, status);
    }

    [Fact]
    public void ParsePath_ManyDistinctPaths_CacheBounded()
    {
        for (var i = 0; i < 5000; i++)
        {
            Assert.NotNull(GrpcConventions.ParsePath("/s" + i + "/m"));
        }

        Assert.InRange(GrpcConventions.CachedPathCount, 0, GrpcConventions.MaxCachedPaths);
    }
}
