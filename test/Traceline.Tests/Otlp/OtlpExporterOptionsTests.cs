using Traceline.Export;

namespace Traceline.Tests.Otlp;

public sealed class OtlpExporterOptionsTests
{
    private const string GrpcPath = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

    [Theory]
    [InlineData(null, OtlpEndpointRule.FromCode, OtlpExportProtocol.HttpProtobuf, "http://localhost:4318/v1/traces")] // spec default, HTTP
    [InlineData(null, OtlpEndpointRule.FromCode, OtlpExportProtocol.HttpJson, "http://localhost:4318/v1/traces")] // spec default, HTTP
    [InlineData(null, OtlpEndpointRule.FromCode, OtlpExportProtocol.Grpc, "http://localhost:4317" + GrpcPath)] // spec default, gRPC
    [InlineData("http://c:4318", OtlpEndpointRule.FromCode, OtlpExportProtocol.HttpProtobuf, "http://c:4318/v1/traces")] // code: no path gets the signal path
    [InlineData("http://c:4318/", OtlpEndpointRule.FromCode, OtlpExportProtocol.HttpProtobuf, "http://c:4318/v1/traces")] // code: "/" counts as no path
    [InlineData("http://c:4318/custom/traces", OtlpEndpointRule.FromCode, OtlpExportProtocol.HttpProtobuf, "http://c:4318/custom/traces")] // code: a path is used as is
    [InlineData("http://c:4318", OtlpEndpointRule.AppendSignalPath, OtlpExportProtocol.HttpProtobuf, "http://c:4318/v1/traces")] // base variable: + /v1/traces
    [InlineData("http://c:4318/prefix", OtlpEndpointRule.AppendSignalPath, OtlpExportProtocol.HttpJson, "http://c:4318/prefix/v1/traces")] // base variable keeps its path
    [InlineData("http://c:4318/prefix/", OtlpEndpointRule.AppendSignalPath, OtlpExportProtocol.HttpProtobuf, "http://c:4318/prefix/v1/traces")] // trailing slash: one slash only
    [InlineData("http://c:4318//", OtlpEndpointRule.AppendSignalPath, OtlpExportProtocol.HttpProtobuf, "http://c:4318/v1/traces")] // several trailing slashes
    [InlineData("http://c:4318/", OtlpEndpointRule.AsIs, OtlpExportProtocol.HttpProtobuf, "http://c:4318/")] // signal variable: as is, even "/"
    [InlineData("https://c/v1/traces", OtlpEndpointRule.AsIs, OtlpExportProtocol.HttpProtobuf, "https://c/v1/traces")] // signal variable: as is
    [InlineData("http://c:4317", OtlpEndpointRule.AppendSignalPath, OtlpExportProtocol.Grpc, "http://c:4317" + GrpcPath)] // gRPC: no /v1/traces
    [InlineData("http://c:4317/", OtlpEndpointRule.AsIs, OtlpExportProtocol.Grpc, "http://c:4317" + GrpcPath)] // gRPC: the method path always
    public void ResolveEndpoint_SourceAndProtocol_FollowsTheEndpointRules(string? endpoint, object rule, OtlpExportProtocol protocol, string expected)
    {
        var options = new OtlpExporterOptions { Protocol = protocol };
        if (endpoint is not null)
        {
            options.SetEndpoint(new Uri(endpoint), (OtlpEndpointRule)rule);
        }

        Assert.Equal(expected, options.ResolveEndpoint().ToString());
    }

    [Fact]
    public void Defaults_AreTheSpecifications()
    {
        var options = new OtlpExporterOptions();

        Assert.Null(options.Endpoint);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, options.Protocol);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(OtlpCompression.None, options.Compression);
        Assert.Empty(options.Headers);
    }

    [Theory]
    [InlineData("/relative")]
    [InlineData("ftp://c/")]
    [InlineData("file:///tmp/x")]
    public void Endpoint_NotAnHttpUrl_Throws(string endpoint)
    {
        var options = new OtlpExporterOptions();

        var error = Assert.Throws<ArgumentException>(() => options.Endpoint = new Uri(endpoint, UriKind.RelativeOrAbsolute));
        Assert.Contains("http://", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void Timeout_NotPositive_Throws(int milliseconds) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OtlpExporterOptions { Timeout = TimeSpan.FromMilliseconds(milliseconds) });

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(17)]
    public void MaxConcurrentExports_OutOfRange_Throws(int value) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new OtlpExporterOptions { MaxConcurrentExports = value });

    [Fact]
    public void MaxConcurrentExports_DefaultsToTwo_AndReachesTheProcessor()
    {
        Assert.Equal(2, new OtlpExporterOptions().MaxConcurrentExports);
        using var provider = TestProviders.Create(b => b.UseOtlpExporter(o => (o.Endpoint, o.MaxConcurrentExports) = (new Uri("http://127.0.0.1:9"), 16)));
        Assert.Equal(16, provider.Processors.OfType<Traceline.Export.BatchSpanProcessor>().Single().ExportSlots);
    }

    [Fact]
    public void Headers_NamesAreCaseInsensitive()
    {
        var options = new OtlpExporterOptions();
        options.Headers["X-Api-Key"] = "a";
        options.Headers["x-api-key"] = "b";

        Assert.Equal("b", Assert.Single(options.Headers).Value);
    }
}
