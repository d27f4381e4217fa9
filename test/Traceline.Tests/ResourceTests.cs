namespace Traceline.Tests;

public sealed class ResourceTests
{
    [Fact]
    public void Defaults_HaveServiceSdkHostAndProcess()
    {
        using var provider = TestProviders.Create();
        var resource = provider.Resource;
        Assert.False(string.IsNullOrEmpty(resource.ServiceName));
        Assert.Equal("traceline", resource.GetValue("telemetry.sdk.name").StringValue);
        Assert.Equal("dotnet", resource.GetValue("telemetry.sdk.language").StringValue);
        Assert.False(string.IsNullOrEmpty(resource.GetValue("telemetry.sdk.version").StringValue));
        Assert.Equal(Environment.MachineName, resource.GetValue("host.name").StringValue);
        Assert.Equal(Environment.ProcessId, resource.GetValue("process.pid").LongValue);
        Assert.True(Guid.TryParse(resource.GetValue("service.instance.id").StringValue, out _));
    }

    [Fact]
    public void ServiceName_Precedence_CodeThenVariableThenResourceAttributes()
    {
        var env = new Dictionary<string, string>
        {
            ["OTEL_SERVICE_NAME"] = "from-variable",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "service.name=from-attributes,deployment.environment.name=prod",
        };
        using (var provider = TestProviders.Create(b => b.WithServiceName("from-code"), env))
        {
            Assert.Equal("from-code", provider.Resource.ServiceName);
        }

        using (var provider = TestProviders.Create(environment: env))
        {
            Assert.Equal("from-variable", provider.Resource.ServiceName);
            Assert.Equal("prod", provider.Resource.GetValue("deployment.environment.name").StringValue);
        }

        env.Remove("OTEL_SERVICE_NAME");
        using (var provider = TestProviders.Create(environment: env))
        {
            Assert.Equal("from-attributes", provider.Resource.ServiceName);
        }

        using (var provider = TestProviders.Create())
        {
            Assert.Equal(System.Reflection.Assembly.GetEntryAssembly()!.GetName().Name, provider.Resource.ServiceName);
        }
    }

    [Fact]
    public void ResourceAttributes_PercentDecoded_MalformedPairsSkippedAndReported()
    {
        var logs = new CapturingLoggerProvider();
        var env = new Dictionary<string, string>
        {
            ["OTEL_RESOURCE_ATTRIBUTES"] = "team=payments%20core, =nokey,novalue,bad=%zz,region=eu%2Dwest",
        };
        using var provider = TestProviders.Create(environment: env, loggerFactory: logs);
        Assert.Equal("payments core", provider.Resource.GetValue("team").StringValue);
        Assert.Equal("eu-west", provider.Resource.GetValue("region").StringValue);
        Assert.True(provider.Resource.GetValue("bad").IsEmpty);
        var reports = logs.Lines.Where(l => l.EventId.Name == "InvalidConfiguration").ToList();
        var report = Assert.Single(reports); // one report for the variable, naming the three malformed pairs
        Assert.Contains("OTEL_RESOURCE_ATTRIBUTES", report.Message, StringComparison.Ordinal);
        Assert.Contains("novalue", report.Message, StringComparison.Ordinal);
        Assert.Contains("bad=%zz", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResourceAttributes_EqualsOnly_ReportedOnce()
    {
        var logs = new CapturingLoggerProvider();
        using var provider = TestProviders.Create(environment: new Dictionary<string, string> { ["OTEL_RESOURCE_ATTRIBUTES"] = "=,=" }, loggerFactory: logs);
        Assert.Single(logs.Lines, l => l.EventId.Name == "InvalidConfiguration");
    }

    [Fact]
    public void CodeAttributes_WinOverVariable()
    {
        using var provider = TestProviders.Create(b => b.WithResourceAttribute("team", "code"), new Dictionary<string, string> { ["OTEL_RESOURCE_ATTRIBUTES"] = "team=env" });
        Assert.Equal("code", provider.Resource.GetValue("team").StringValue);
    }
}
