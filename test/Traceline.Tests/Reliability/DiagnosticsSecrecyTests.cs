namespace Traceline.Tests.Reliability;

/// <summary>Diagnostics name what is wrong without leaking credentials written into the configuration.</summary>
public class DiagnosticsSecrecyTests
{
    [Theory]
    [InlineData("ftp://alice:s3cr3t@collector:4318", "ftp://***@collector:4318")] // wrong scheme
    [InlineData("http://alice:s3cr3t@", "http://***@")] // no host
    [InlineData("alice:s3cr3t@collector:4318/v1/traces", "***@collector:4318/v1/traces")] // no scheme
    [InlineData("http://alice:s3cr3t@host name/x@y", "http://***@host name/x@y")] // '@' after the path is not user info
    public void InvalidOtlpEndpoint_WithUserInfo_ReportedWithoutTheCredentials(string endpoint, string shown)
    {
        var log = new CapturingLoggerProvider();
        using var provider = TestProviders.Create(b => b.UseOtlpExporter(), new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint }, loggerFactory: log);

        var line = Assert.Single(log.Lines, l => l.EventId.Name == "InvalidConfiguration");
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", line.Message, StringComparison.Ordinal);
        Assert.Contains("'" + shown + "'", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t", string.Join("\n", log.Lines.Select(l => l.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidOtlpEndpoint_WithUserInfoAndNoCollector_ExportFailuresNeverShowTheCredentials()
    {
        var log = new CapturingLoggerProvider();
        var endpoint = new Uri($"http://alice:s3cr3t@127.0.0.1:{ReliabilityHarness.ClosedPort()}");
        var provider = ReliabilityHarness.OtlpProvider(endpoint, TimeSpan.FromMilliseconds(300), log);

        ReliabilityHarness.Produce(provider, 200);
        provider.ForceFlush(TimeSpan.FromSeconds(5));
        Assert.True(await Wait.UntilAsync(() => log.Count("ExportFailed") > 0));
        provider.Dispose();

        Assert.DoesNotContain("s3cr3t", string.Join("\n", log.Lines.Select(l => l.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public void InvalidOtlpHeaders_Reported_ValuesNeverShown()
    {
        var log = new CapturingLoggerProvider();
        using var provider = TestProviders.Create(b => b.UseOtlpExporter(), new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_HEADERS"] = "api-key=s3cr3t%0D%0AX-Evil:1,bad key=s3cr3t" }, loggerFactory: log);

        Assert.Equal(1, log.Count("InvalidConfiguration")); // one report for the variable, both entries named in it
        Assert.DoesNotContain("s3cr3t", string.Join("\n", log.Lines.Select(l => l.Message)), StringComparison.Ordinal);
    }
}
