using Traceline.Export;

namespace Traceline.Tests.Otlp;

/// <summary>The OTLP part of <c>TracingSettings</c>: configuration keys and variables, read through dictionaries.</summary>
public sealed class TracingSettingsOtlpTests
{
    [Theory]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318", "http://c:4318/v1/traces")] // base + /v1/traces
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/", "http://c:4318/v1/traces")] // trailing slash
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4318/otel/", "http://c:4318/otel/v1/traces")] // base keeps its path
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/", "http://c:4318/")] // signal endpoint as is
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:4318/custom", "http://c:4318/custom")] // signal endpoint as is
    public void Endpoint_FromVariable_FollowsTheSignalRules(string variable, string value, string expected)
    {
        var options = Read(new() { [variable] = value });

        Assert.Equal(expected, options.ResolveEndpoint().ToString());
    }

    [Fact]
    public void Endpoint_BothVariables_SignalSpecificWins()
    {
        var options = Read(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://base:4318", ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://signal:4318/t" });

        Assert.Equal("http://signal:4318/t", options.ResolveEndpoint().ToString());
    }

    [Fact]
    public void Endpoint_ConfigurationAndVariable_ConfigurationWins()
    {
        var options = Read(new() { ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"] = "http://env:4318/t" }, new() { ["Otlp:Endpoint"] = "http://config:4318" });

        Assert.Equal("http://config:4318/v1/traces", options.ResolveEndpoint().ToString());
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://c/")]
    [InlineData("/v1/traces")]
    public void Endpoint_Invalid_ReportedAndDefaultUsed(string value)
    {
        var log = new CapturingLoggerFactory();

        var options = Read(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = value }, log: log);

        Assert.Equal("http://localhost:4318/v1/traces", options.ResolveEndpoint().ToString());
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", Assert.Single(log.Messages("InvalidConfiguration")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("grpc", OtlpExportProtocol.Grpc)]
    [InlineData("http/protobuf", OtlpExportProtocol.HttpProtobuf)]
    [InlineData("http/json", OtlpExportProtocol.HttpJson)]
    [InlineData("HTTP/JSON", OtlpExportProtocol.HttpJson)]
    public void Protocol_FromVariable_Parsed(string value, OtlpExportProtocol expected) =>
        Assert.Equal(expected, Read(new() { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = value }).Protocol);

    [Fact]
    public void Protocol_SignalVariable_WinsOverGeneral() =>
        Assert.Equal(OtlpExportProtocol.Grpc, Read(new() { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/json", ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"] = "grpc" }).Protocol);

    [Fact]
    public void Protocol_Grpc_DefaultEndpointIs4317() =>
        Assert.Equal(4317, Read(new() { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc" }).ResolveEndpoint().Port);

    [Fact]
    public void Protocol_Invalid_ReportedAndHttpProtobufUsed()
    {
        var log = new CapturingLoggerFactory();

        Assert.Equal(OtlpExportProtocol.HttpProtobuf, Read(new() { ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "carrier-pigeon" }, log: log).Protocol);
        Assert.Contains("carrier-pigeon", Assert.Single(log.Messages("InvalidConfiguration")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("5000", 5000, 0)] // milliseconds
    [InlineData(" 250 ", 250, 0)] // spaces around the number
    [InlineData("abc", 10000, 1)] // not a number: reported, default
    [InlineData("0", 10000, 1)] // not positive: reported, default (never clamped to 1 ms, which would stop export)
    [InlineData("-3", 10000, 1)] // negative: reported, default
    [InlineData("-1", 10000, 1)]
    [InlineData("99999999999", 10000, 1)] // past int: reported, default
    [InlineData("\u0665\u0660", 10000, 1)] // Arabic-Indic digits: reported, default
    [InlineData("1 000", 10000, 1)] // inner space
    [InlineData("+5", 10000, 1)] // a sign
    [InlineData("2147483647", 2147483647, 0)] // the spec's largest value
    public void Timeout_FromVariable_ParsedAsMilliseconds(string value, int expectedMilliseconds, int reports)
    {
        var log = new CapturingLoggerFactory();

        var options = Read(new() { ["OTEL_EXPORTER_OTLP_TIMEOUT"] = value }, log: log);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMilliseconds), options.Timeout);
        Assert.Equal(reports, log.Messages("InvalidConfiguration").Count());
    }

    [Fact]
    public void Timeout_SignalVariable_WinsOverGeneral() =>
        Assert.Equal(TimeSpan.FromSeconds(2), Read(new() { ["OTEL_EXPORTER_OTLP_TIMEOUT"] = "9000", ["OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"] = "2000" }).Timeout);

    [Theory]
    [InlineData("gzip", OtlpCompression.Gzip, 0)]
    [InlineData("GZIP", OtlpCompression.Gzip, 0)]
    [InlineData("none", OtlpCompression.None, 0)]
    [InlineData("brotli", OtlpCompression.None, 1)]
    public void Compression_FromVariable_Parsed(string value, OtlpCompression expected, int reports)
    {
        var log = new CapturingLoggerFactory();

        Assert.Equal(expected, Read(new() { ["OTEL_EXPORTER_OTLP_COMPRESSION"] = value }, log: log).Compression);
        Assert.Equal(reports, log.Messages("InvalidConfiguration").Count());
    }

    [Fact]
    public void Headers_FromVariable_DecodedAndBadEntriesReportedWithoutValues()
    {
        var log = new CapturingLoggerFactory();

        var options = Read(new() { ["OTEL_EXPORTER_OTLP_HEADERS"] = "api-key=top%20secret,broken,x=ev%0Ail-secret" }, log: log);

        Assert.Equal("top secret", Assert.Single(options.Headers).Value);
        Assert.Single(log.Messages("InvalidConfiguration")); // one report for the variable, naming both entries
        Assert.Contains("entry 2", log.AllText, StringComparison.Ordinal);
        Assert.Contains("entry 3", log.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", log.AllText.Replace("header values are secret", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("=,=")]
    [InlineData("OTEL_EXPORTER_OTLP_TRACES_HEADERS")]
    public void Headers_SeveralMalformedEntries_ReportedOnce(string raw)
    {
        var log = new CapturingLoggerFactory();

        var options = Read(new() { ["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] = raw == "=,=" ? raw : "=,=,a,b,c" }, log: log);

        Assert.Empty(options.Headers);
        Assert.Contains("OTEL_EXPORTER_OTLP_TRACES_HEADERS", Assert.Single(log.Messages("InvalidConfiguration")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8000, true)] // a long token (a JWT) is sent
    [InlineData(100_000, false)] // longer than proxies accept: skipped and reported, never shown
    public void Headers_LongValue_SentUpToTheLimitReportedBeyond(int length, bool sent)
    {
        var log = new CapturingLoggerFactory();
        var secret = new string('s', length);

        var options = Read(new() { ["OTEL_EXPORTER_OTLP_HEADERS"] = "authorization=" + secret + ",tenant=t1" }, log: log);

        Assert.Equal(sent, options.Headers.ContainsKey("authorization"));
        Assert.Equal("t1", options.Headers["tenant"]);
        Assert.Equal(sent ? 0 : 1, log.Messages("InvalidConfiguration").Count());
        Assert.DoesNotContain("sssssssss", log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Headers_SignalVariable_WinsOverGeneral()
    {
        var options = Read(new() { ["OTEL_EXPORTER_OTLP_HEADERS"] = "a=1", ["OTEL_EXPORTER_OTLP_TRACES_HEADERS"] = "b=2" });

        Assert.Equal("b", Assert.Single(options.Headers).Key);
    }

    [Fact]
    public void Configuration_AllKeys_Read()
    {
        var options = Read([], new()
        {
            ["Otlp:Endpoint"] = "https://collector.example/ingest",
            ["Otlp:Protocol"] = "http/json",
            ["Otlp:Headers"] = "tenant=t1",
            ["Otlp:Timeout"] = "1500",
            ["Otlp:Compression"] = "gzip",
        });

        Assert.Equal("https://collector.example/ingest", options.ResolveEndpoint().ToString());
        Assert.Equal(OtlpExportProtocol.HttpJson, options.Protocol);
        Assert.Equal("t1", options.Headers["tenant"]);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.Timeout);
        Assert.Equal(OtlpCompression.Gzip, options.Compression);
    }

    [Theory]
    [InlineData("1", 1, 0)]
    [InlineData(" 16 ", 16, 0)]
    [InlineData("0", 2, 1)]
    [InlineData("17", 2, 1)]
    [InlineData("-2", 2, 1)]
    [InlineData("two", 2, 1)]
    public void MaxConcurrentExports_FromConfiguration_InRangeOrTheDefaultWithOneReport(string value, int expected, int reported)
    {
        var log = new CapturingLoggerFactory();
        var options = Read([], new() { ["Otlp:MaxConcurrentExports"] = value }, log);

        Assert.Equal(expected, options.MaxConcurrentExports);
        var reports = log.Messages("InvalidConfiguration").ToList();
        Assert.Equal(reported, reports.Count);
        Assert.All(reports, r => Assert.Contains("Tracing:Otlp:MaxConcurrentExports", r, StringComparison.Ordinal));
    }

    private static OtlpExporterOptions Read(Dictionary<string, string> environment, Dictionary<string, string>? configuration = null, CapturingLoggerFactory? log = null)
    {
        var source = new SettingsSource(configuration is null ? null : configuration.GetValueOrDefault, environment.GetValueOrDefault, new TracelineDiagnostics(log));
        var settings = TracingSettings.Read(source);
        var options = new OtlpExporterOptions();
        settings.ApplyTo(options);
        return options;
    }
}
