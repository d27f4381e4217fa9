using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline.Tests.Sampling;

/// <summary>Sampler and propagator configuration (<c>OTEL_TRACES_SAMPLER</c>, <c>_ARG</c>, <c>OTEL_PROPAGATORS</c>).</summary>
public class TracingSettingsSamplingTests
{
    [Fact]
    public void Read_NothingSet_ParentBasedAlwaysOnAndTraceContextWithBaggage()
    {
        var (settings, log) = Read();

        var sampler = Assert.IsType<ParentBasedSampler>(settings.Sampler);
        Assert.Same(Sampler.AlwaysOn, sampler.Root);
        Assert.Same(Propagators.Default, settings.Propagator);
        Assert.Empty(log.Messages);
    }

    [Theory]
    [InlineData("always_on")]
    [InlineData("ALWAYS_ON")]
    public void Read_AlwaysOn_IsAlwaysOn(string name)
    {
        Assert.Same(Sampler.AlwaysOn, Read(("OTEL_TRACES_SAMPLER", name)).Settings.Sampler);
    }

    [Fact]
    public void Read_AlwaysOff_IsAlwaysOff()
    {
        Assert.Same(Sampler.AlwaysOff, Read(("OTEL_TRACES_SAMPLER", "always_off")).Settings.Sampler);
    }

    [Fact]
    public void Read_TraceIdRatioWithArg_UsesTheRatio()
    {
        var (settings, log) = Read(("OTEL_TRACES_SAMPLER", "traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", "0.25"));

        Assert.Equal(0.25, Assert.IsType<TraceIdRatioSampler>(settings.Sampler).Ratio);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public void Read_TraceIdRatioWithoutArg_RatioOne()
    {
        Assert.Equal(1.0, Assert.IsType<TraceIdRatioSampler>(Read(("OTEL_TRACES_SAMPLER", "traceidratio")).Settings.Sampler).Ratio);
    }

    [Theory]
    [InlineData("parentbased_always_on", "AlwaysOnSampler")]
    [InlineData("parentbased_always_off", "AlwaysOffSampler")]
    [InlineData("parentbased_traceidratio", "TraceIdRatioBased{0.1}")]
    public void Read_ParentBasedNames_WrapTheRootSampler(string name, string root)
    {
        var (settings, _) = Read(("OTEL_TRACES_SAMPLER", name), ("OTEL_TRACES_SAMPLER_ARG", "0.1"));

        Assert.Equal(root, Assert.IsType<ParentBasedSampler>(settings.Sampler).Root.Description);
    }

    [Fact]
    public void Read_UnknownSamplerName_ReportedAndReplacedByTheDefault()
    {
        var (settings, log) = Read(("OTEL_TRACES_SAMPLER", "sometimes"));

        Assert.Same(Sampler.AlwaysOn, Assert.IsType<ParentBasedSampler>(settings.Sampler).Root);
        var message = Assert.Single(log.Messages);
        Assert.Contains("OTEL_TRACES_SAMPLER", message, StringComparison.Ordinal);
        Assert.Contains("'sometimes'", message, StringComparison.Ordinal);
        Assert.Contains("parentbased_always_on", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("1.5")]
    [InlineData("-0.1")]
    [InlineData("NaN")]
    public void Read_BadSamplerArg_ReportedAndRatioOne(string arg)
    {
        var (settings, log) = Read(("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"), ("OTEL_TRACES_SAMPLER_ARG", arg));

        var root = Assert.IsType<TraceIdRatioSampler>(Assert.IsType<ParentBasedSampler>(settings.Sampler).Root);
        Assert.Equal(1.0, root.Ratio);
        var message = Assert.Single(log.Messages);
        Assert.Contains("OTEL_TRACES_SAMPLER_ARG", message, StringComparison.Ordinal);
        Assert.Contains($"'{arg}'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ConfigurationAndEnvironment_ConfigurationWins()
    {
        var log = new CapturingLoggerFactory();
        var configuration = new Dictionary<string, string> { ["Sampler"] = "always_off" };
        var environment = new Dictionary<string, string> { ["OTEL_TRACES_SAMPLER"] = "always_on" };
        var source = new SettingsSource(k => configuration.GetValueOrDefault(k), k => environment.GetValueOrDefault(k), new TracelineDiagnostics(log));

        Assert.Same(Sampler.AlwaysOff, TracingSettings.Read(source).Sampler);
    }

    [Theory]
    [InlineData("tracecontext", new[] { "traceparent", "tracestate" })]
    [InlineData("baggage", new[] { "baggage" })]
    [InlineData("baggage, tracecontext", new[] { "baggage", "traceparent", "tracestate" })]
    [InlineData("TraceContext,Baggage", new[] { "traceparent", "tracestate", "baggage" })]
    [InlineData("tracecontext,tracecontext", new[] { "traceparent", "tracestate" })]
    [InlineData("none", new string[0])]
    [InlineData("b3", new[] { "b3" })]
    [InlineData("B3Multi", new[] { "X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled", "X-B3-ParentSpanId", "X-B3-Flags" })]
    [InlineData("tracecontext,baggage,b3", new[] { "traceparent", "tracestate", "baggage", "b3" })]
    [InlineData("b3,b3multi", new[] { "b3", "X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled", "X-B3-ParentSpanId", "X-B3-Flags" })]
    public void Read_Propagators_SelectsThoseNamedInOrder(string value, string[] fields)
    {
        var (settings, log) = Read(("OTEL_PROPAGATORS", value));

        Assert.Equal(fields, settings.Propagator.Fields);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public void Read_PropagatorsConfigurationKey_B3MultiBeforeTheEnvironment()
    {
        var log = new CapturingLoggerFactory();
        var source = new SettingsSource(
            key => key == "Propagators" ? "tracecontext,b3multi" : null,
            name => name == "OTEL_PROPAGATORS" ? "b3" : null,
            new TracelineDiagnostics(log));

        var propagator = TracingSettings.Read(source).Propagator;

        Assert.Equal(["traceparent", "tracestate", "X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled", "X-B3-ParentSpanId", "X-B3-Flags"], propagator.Fields);
        Assert.Empty(log.Messages);
    }

    [Fact]
    public void Read_UnknownPropagatorOnly_ReportedAndReplacedByTheDefault()
    {
        var (settings, log) = Read(("OTEL_PROPAGATORS", "jaeger"));

        Assert.Same(Propagators.Default, settings.Propagator);
        Assert.Contains("'jaeger'", Assert.Single(log.Messages), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownPropagatorBesideKnownOnes_ReportedAndSkipped()
    {
        var (settings, log) = Read(("OTEL_PROPAGATORS", "tracecontext,xray"));

        Assert.Same(Propagators.TraceContext, settings.Propagator);
        Assert.Contains("OTEL_PROPAGATORS", Assert.Single(log.Messages), StringComparison.Ordinal);
    }

    private static (TracingSettings Settings, CapturingLoggerFactory Log) Read(params (string Name, string Value)[] environment)
    {
        var log = new CapturingLoggerFactory();
        var variables = environment.ToDictionary(e => e.Name, e => e.Value);
        var source = new SettingsSource(null, name => variables.GetValueOrDefault(name), new TracelineDiagnostics(log));
        return (TracingSettings.Read(source), log);
    }
}
