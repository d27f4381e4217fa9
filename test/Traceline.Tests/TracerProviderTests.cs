using Traceline.Export;

namespace Traceline.Tests;

public sealed class TracerProviderTests
{
    [Fact]
    public void GetTracer_SameNameAndVersion_SameInstance()
    {
        using var provider = TestProviders.Create();
        Assert.Same(provider.GetTracer("a", "1"), provider.GetTracer("a", "1"));
        Assert.NotSame(provider.GetTracer("a", "1"), provider.GetTracer("a", "2"));
    }

    [Fact]
    public void Shutdown_IsIdempotent_AndLaterSpansAreNonRecordingButPropagate()
    {
        var exporter = new ControllableExporter();
        var provider = TestProviders.Create(b => b.AddExporter(exporter));
        var tracer = provider.GetTracer("t");
        tracer.StartSpan("before").End();
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(5)));
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(5)));
        using var after = tracer.StartSpan("after");
        Assert.False(after.IsRecording);
        Assert.True(after.Context.IsValid);
        Assert.Equal(["before"], exporter.Spans.Select(s => s.Name));
        Assert.Equal(1, exporter.ShutdownCalls);
        provider.Dispose();
    }

    [Fact]
    public void ForceFlush_ExportsEverythingEndedSoFar()
    {
        var exporter = new ControllableExporter();
        using var provider = TestProviders.Create(b => b.AddExporter(exporter).WithBatchOptions(o => o.ScheduledDelay = TimeSpan.FromHours(1)));
        var tracer = provider.GetTracer("t");
        for (var i = 0; i < 10; i++)
        {
            tracer.StartSpan("s" + i).End();
        }

        Assert.True(provider.ForceFlush(TimeSpan.FromSeconds(10)));
        Assert.Equal(10, exporter.Spans.Count);
    }

    [Fact]
    public void Disabled_FromEnvironment_NothingRecordedButContextPropagates()
    {
        var exporter = new InMemorySpanExporter();
        using var provider = TestProviders.Create(b => b.UseInMemoryExporter(exporter), new Dictionary<string, string> { ["OTEL_SDK_DISABLED"] = "true" });
        Assert.False(provider.IsEnabled);
        using var span = provider.GetTracer("t").StartSpan("x");
        Assert.False(span.IsRecording);
        Assert.True(span.Context.IsValid);
        Assert.Empty(provider.Processors);
    }

    [Fact]
    public void NoExporterNamed_DefaultsToStdout()
    {
        using var provider = TestProviders.Create();
        var processor = Assert.IsType<BatchSpanProcessor>(Assert.Single(provider.Processors));
        Assert.IsType<StdoutSpanExporter>(processor.Exporter);
    }

    [Fact]
    public void ExporterNone_FromEnvironment_NoProcessors()
    {
        using var provider = TestProviders.Create(environment: new Dictionary<string, string> { ["OTEL_TRACES_EXPORTER"] = "none" });
        Assert.Empty(provider.Processors);
    }

    [Fact]
    public void ExporterNamedInCode_WinsOverEnvironment()
    {
        var exporter = new InMemorySpanExporter();
        using var provider = TestProviders.Create(b => b.UseInMemoryExporter(exporter), new Dictionary<string, string> { ["OTEL_TRACES_EXPORTER"] = "none" });
        provider.GetTracer("t").StartSpan("x").End();
        Assert.Single(exporter.Spans);
    }

    [Fact]
    public void InvalidEnvironmentValues_ReportedNamingKeyAndValue_DefaultsUsed()
    {
        var logs = new CapturingLoggerProvider();
        var env = new Dictionary<string, string>
        {
            ["OTEL_BSP_MAX_QUEUE_SIZE"] = "lots",
            ["OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT"] = "-5",
            ["OTEL_TRACES_EXPORTER"] = "carrier-pigeon",
        };
        using var provider = TestProviders.Create(environment: env, loggerFactory: logs);
        var processor = Assert.IsType<BatchSpanProcessor>(Assert.Single(provider.Processors));
        Assert.IsType<StdoutSpanExporter>(processor.Exporter);
        var messages = logs.Lines.Where(l => l.EventId.Name == "InvalidConfiguration").Select(l => l.Message).ToList();
        Assert.Contains(messages, m => m.Contains("OTEL_BSP_MAX_QUEUE_SIZE", StringComparison.Ordinal) && m.Contains("'lots'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", StringComparison.Ordinal) && m.Contains("'-5'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("OTEL_TRACES_EXPORTER", StringComparison.Ordinal) && m.Contains("carrier-pigeon", StringComparison.Ordinal));
        using var span = provider.GetTracer("t").StartSpan("x");
        span.SetAttribute("a", 1);
        Assert.Equal(1, span.Attributes.Length); // -5 is ignored (never clamped): the default limit of 128 holds
    }

    [Fact]
    public void Configuration_WinsOverEnvironment_CodeWinsOverBoth()
    {
        var env = new Dictionary<string, string> { ["OTEL_SERVICE_NAME"] = "from-env", ["OTEL_SPAN_EVENT_COUNT_LIMIT"] = "1" };
        var config = new Dictionary<string, string> { ["ServiceName"] = "from-config", ["SpanLimits:EventCountLimit"] = "2" };
        using (var provider = TestProviders.Create(environment: env, configuration: config))
        {
            Assert.Equal("from-config", provider.Resource.ServiceName);
            Assert.Equal(2, provider.Limits.EventCount);
        }

        using (var provider = TestProviders.Create(b => b.WithServiceName("from-code").WithSpanLimits(l => l.EventCountLimit = 3), env, config))
        {
            Assert.Equal("from-code", provider.Resource.ServiceName);
            Assert.Equal(3, provider.Limits.EventCount);
        }
    }
}
