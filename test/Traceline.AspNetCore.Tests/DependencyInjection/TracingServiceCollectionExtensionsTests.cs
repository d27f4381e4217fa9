using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Traceline.AspNetCore.Tests.Fakes;
using Traceline.Export;
using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline.AspNetCore.Tests.DependencyInjection;

/// <summary>AddTracing: what it registers, how configuration and environment bind, and the host lifecycle.</summary>
public sealed class TracingServiceCollectionExtensionsTests
{
    private const string ApplicationName = "host-app";

    [Fact]
    public void AddTracing_Called_RegistersProviderTracerPropagatorAsSingletons()
    {
        using var host = Build(configure: t => t.WithServiceName("svc"));

        var provider = host.Services.GetRequiredService<TracerProvider>();
        var tracer = host.Services.GetRequiredService<Tracer>();
        Assert.Same(provider, host.Services.GetRequiredService<TracerProvider>());
        Assert.Same(tracer, host.Services.GetRequiredService<Tracer>());
        Assert.Same(provider.Propagator, host.Services.GetRequiredService<TextMapPropagator>());
        Assert.Equal("svc", tracer.Name);
        Assert.Same(provider.GetTracer("svc"), tracer);
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s is TracingLifetimeService);
    }

    [Fact]
    public void AddTracing_CalledTwice_OneProviderWithBothCallbacks()
    {
        var builder = NewBuilder([]);
        var exporter = new InMemorySpanExporter();
        builder.Services.AddTracing(t => t.WithServiceName("first"), TestDefaults.NoEnvironment);
        builder.Services.AddTracing(t => t.UseInMemoryExporter(exporter));
        using var host = builder.Build();

        var provider = host.Services.GetRequiredService<TracerProvider>();
        Assert.Equal("first", provider.Resource.ServiceName);
        Assert.IsType<SimpleSpanProcessor>(Assert.Single(provider.Processors));
        Assert.Single(host.Services.GetServices<IHostedService>(), s => s is TracingLifetimeService);
    }

    [Fact]
    public void AddTracing_NothingConfigured_StdoutExporterAndHostNameAndParentBasedAlwaysOn()
    {
        using var host = Build();

        var provider = host.Services.GetRequiredService<TracerProvider>();
        var processor = Assert.IsType<BatchSpanProcessor>(Assert.Single(provider.Processors));
        Assert.IsType<StdoutSpanExporter>(processor.Exporter);
        Assert.Equal(ApplicationName, provider.Resource.ServiceName);
        Assert.Equal(ApplicationName, host.Services.GetRequiredService<Tracer>().Name);
        Assert.Equal(Sampler.ParentBased(Sampler.AlwaysOn).Description, provider.Sampler.Description);
    }

    [Fact]
    public void AddTracing_TracingSection_BindsServiceSamplerExporterAndLimits()
    {
        using var host = Build(new()
        {
            ["Tracing:ServiceName"] = "from-config",
            ["Tracing:Sampler"] = "always_off",
            ["Tracing:Exporter"] = "none",
            ["Tracing:SpanLimits:AttributeCountLimit"] = "3",
        });

        var provider = host.Services.GetRequiredService<TracerProvider>();
        Assert.Equal("from-config", provider.Resource.ServiceName);
        Assert.Same(Sampler.AlwaysOff, provider.Sampler);
        Assert.Empty(provider.Processors);
        Assert.Equal(3, provider.Limits.AttributeCount);
    }

    [Fact]
    public void AddTracing_EnvironmentVariables_Bind()
    {
        using var host = Build(environment: new()
        {
            ["OTEL_SERVICE_NAME"] = "from-env",
            ["OTEL_TRACES_SAMPLER"] = "always_off",
            ["OTEL_TRACES_EXPORTER"] = "none",
            ["OTEL_PROPAGATORS"] = "none",
        });

        var provider = host.Services.GetRequiredService<TracerProvider>();
        Assert.Equal("from-env", provider.Resource.ServiceName);
        Assert.Same(Sampler.AlwaysOff, provider.Sampler);
        Assert.Empty(provider.Processors);
        Assert.Same(Propagators.None, provider.Propagator);
    }

    [Fact]
    public void AddTracing_SdkDisabledInEnvironment_ProviderOff()
    {
        using var host = Build(environment: new() { ["OTEL_SDK_DISABLED"] = "true" });

        Assert.False(host.Services.GetRequiredService<TracerProvider>().IsEnabled);
    }

    [Fact]
    public void AddTracing_ServiceInResourceAttributesVariable_WinsOverHostName()
    {
        using var host = Build(environment: new() { ["OTEL_RESOURCE_ATTRIBUTES"] = "service.name=from-resource,team=core" });

        Assert.Equal("from-resource", host.Services.GetRequiredService<TracerProvider>().Resource.ServiceName);
    }

    [Theory]
    [InlineData(true, true, true, "code")]
    [InlineData(false, true, true, "config")]
    [InlineData(false, false, true, "env")]
    [InlineData(false, false, false, ApplicationName)]
    public void AddTracing_ServiceNamedInSeveralPlaces_CodeOverConfigurationOverEnvironment(bool inCode, bool inConfig, bool inEnvironment, string expected)
    {
        using var host = Build(
            inConfig ? new() { ["Tracing:ServiceName"] = "config" } : [],
            inEnvironment ? new() { ["OTEL_SERVICE_NAME"] = "env" } : [],
            inCode ? t => t.WithServiceName("code") : null);

        Assert.Equal(expected, host.Services.GetRequiredService<TracerProvider>().Resource.ServiceName);
    }

    [Fact]
    public void AddTracing_SamplerInConfigurationAndEnvironment_ConfigurationWins()
    {
        using var host = Build(new() { ["Tracing:Sampler"] = "always_on" }, new() { ["OTEL_TRACES_SAMPLER"] = "always_off" });

        Assert.Same(Sampler.AlwaysOn, host.Services.GetRequiredService<TracerProvider>().Sampler);
    }

    [Fact]
    public async Task AddTracing_BadConfigurationValue_ReportedAtStartupAndDefaultUsed()
    {
        var logs = new CapturingLoggerProvider();
        using var host = Build(new() { ["Tracing:Sampler"] = "sometimes" }, logs: logs);

        await host.StartAsync(); // the provider is built when the host starts, before any request
        var line = Assert.Single(logs.Records, r => r.Category == "Traceline" && r.EventId.Name == "InvalidConfiguration");
        Assert.Contains("Tracing:Sampler", line.Message, StringComparison.Ordinal);
        Assert.Contains("sometimes", line.Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Equal(Sampler.ParentBased(Sampler.AlwaysOn).Description, host.Services.GetRequiredService<TracerProvider>().Sampler.Description);
        await host.StopAsync();
    }

    [Fact]
    public void AddTracing_BadEnvironmentValue_ReportedAndDefaultUsed()
    {
        var logs = new CapturingLoggerProvider();
        using var host = Build(environment: new() { ["OTEL_TRACES_EXPORTER"] = "carrier-pigeon" }, logs: logs);

        var provider = host.Services.GetRequiredService<TracerProvider>();
        var line = Assert.Single(logs.Records, r => r.EventId.Name == "InvalidConfiguration");
        Assert.Contains("OTEL_TRACES_EXPORTER", line.Message, StringComparison.Ordinal);
        Assert.Contains("carrier-pigeon", line.Message, StringComparison.Ordinal);
        Assert.IsType<StdoutSpanExporter>(Assert.IsType<BatchSpanProcessor>(Assert.Single(provider.Processors)).Exporter);
    }

    [Theory]
    [InlineData(null, 5000, "default 5 seconds")]
    [InlineData("250", 250, "a whole number is milliseconds")]
    [InlineData("00:00:02", 2000, "a time span")]
    [InlineData("soon", 5000, "invalid: reported, default used")]
    [InlineData("-5", 5000, "negative: reported, default used")]
    public void AddTracing_ShutdownTimeoutConfigured_Read(string? configured, int expectedMilliseconds, string rule)
    {
        var logs = new CapturingLoggerProvider();
        using var host = Build(configured is null ? [] : new() { ["Tracing:ShutdownTimeout"] = configured }, logs: logs);

        var service = Assert.IsType<TracingLifetimeService>(Assert.Single(host.Services.GetServices<IHostedService>(), s => s is TracingLifetimeService));
        Assert.True(TimeSpan.FromMilliseconds(expectedMilliseconds) == service.ShutdownTimeout, rule);
        Assert.Equal(rule.StartsWith("invalid", StringComparison.Ordinal) || rule.StartsWith("negative", StringComparison.Ordinal), logs.Records.Any(r => r.EventId.Name == "InvalidConfiguration"));
    }

    [Fact]
    public void AddTracing_ShutdownTimeoutInCodeAndConfiguration_CodeWins()
    {
        var builder = NewBuilder(new() { ["Tracing:ShutdownTimeout"] = "250" });
        builder.Services.AddTracing(null, TestDefaults.NoEnvironment);
        builder.Services.Configure<TracingHostingOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(1));
        using var host = builder.Build();

        var service = Assert.IsType<TracingLifetimeService>(Assert.Single(host.Services.GetServices<IHostedService>(), s => s is TracingLifetimeService));
        Assert.Equal(TimeSpan.FromSeconds(1), service.ShutdownTimeout);
    }

    [Fact]
    public async Task Host_Stops_ProviderFlushedShutDownAndDisposed()
    {
        var exporter = new InMemorySpanExporter();
        var host = Build(configure: t => t.AddExporter(exporter).WithBatchOptions(b => b.ScheduledDelay = TimeSpan.FromHours(1)));
        await host.StartAsync();
        var tracer = host.Services.GetRequiredService<Tracer>();
        tracer.StartRootSpan("ended-before-stop").End();
        var provider = host.Services.GetRequiredService<TracerProvider>();

        await host.StopAsync();

        Assert.Single(exporter.Spans, s => s.Name == "ended-before-stop");
        Assert.True(provider.IsShutdown);
        host.Dispose();
        tracer.StartRootSpan("after-dispose").End();
        Assert.DoesNotContain(exporter.Spans, s => s.Name == "after-dispose");
    }

    [Fact]
    public void AddTracing_NullServices_Throws() =>
        Assert.Throws<ArgumentNullException>(() => TracingServiceCollectionExtensions.AddTracing(null!));

    private static IHost Build(
        Dictionary<string, string?>? configuration = null,
        Dictionary<string, string?>? environment = null,
        Action<TracingBuilder>? configure = null,
        CapturingLoggerProvider? logs = null)
    {
        var builder = NewBuilder(configuration ?? [], logs);
        var variables = environment ?? [];
        builder.Services.AddTracing(configure, name => variables.GetValueOrDefault(name));
        return builder.Build();
    }

    private static HostApplicationBuilder NewBuilder(Dictionary<string, string?> configuration, CapturingLoggerProvider? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = ApplicationName });
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.Services.AddLogging(l => l.AddProvider(logs ?? new CapturingLoggerProvider()));
        return builder;
    }
}
