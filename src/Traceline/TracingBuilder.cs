using System.Reflection;
using Microsoft.Extensions.Logging;
using Traceline.Export;
using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline;

/// <summary>
/// Composes a <see cref="TracerProvider"/>: the service, the sampler, span limits, the propagator, processors and
/// exporters. Used by <c>TracerProvider.Create(t =&gt; ...)</c> and by <c>services.AddTracing(t =&gt; ...)</c>.
/// </summary>
/// <remarks>
/// <para>
/// What is set here wins over the <c>Tracing</c> configuration section, which wins over the <c>OTEL_*</c> environment
/// variables. Exporters and processors named here replace the configured exporter (<c>OTEL_TRACES_EXPORTER</c>);
/// with none named anywhere, spans go to stdout.
/// </para>
/// <para>Every method returns the builder, for chaining. The builder is read once, when the provider is built.</para>
/// </remarks>
public sealed partial class TracingBuilder
{
    private readonly List<SpanAttribute> _resourceAttributes = [];
    private readonly List<Func<BuildContext, SpanProcessor>> _pipeline = [];
    private readonly List<Action<SpanLimits>> _limits = [];
    private readonly List<Action<BatchSpanProcessorOptions>> _batch = [];
    private string? _serviceName;
    private string? _serviceVersion;
    private Sampler? _sampler;
    private TextMapPropagator? _propagator;
    private TimeProvider? _timeProvider;
    private ILoggerFactory? _loggerFactory;
    private bool? _enabled;

    /// <summary>Names the service (<c>service.name</c>). Default: <c>OTEL_SERVICE_NAME</c>, else the entry assembly's name.</summary>
    /// <param name="serviceName">The service name, for example <c>checkout</c>.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithServiceName(string serviceName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceName);
        _serviceName = serviceName;
        return this;
    }

    /// <summary>Sets <c>service.version</c>. Default: the entry assembly's informational version.</summary>
    /// <param name="serviceVersion">The version.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithServiceVersion(string serviceVersion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serviceVersion);
        _serviceVersion = serviceVersion;
        return this;
    }

    /// <summary>Adds a resource attribute; it wins over the same key in <c>OTEL_RESOURCE_ATTRIBUTES</c>.</summary>
    /// <param name="key">The attribute name, for example <c>deployment.environment.name</c>.</param>
    /// <param name="value">The value.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithResourceAttribute(string key, AttributeValue value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        _resourceAttributes.Add(new SpanAttribute(key, value));
        return this;
    }

    /// <summary>Sets the sampler. Default: <c>OTEL_TRACES_SAMPLER</c>, else parent-based always-on.</summary>
    /// <param name="sampler">The sampler.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithSampler(Sampler sampler)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        _sampler = sampler;
        return this;
    }

    /// <summary>Changes the span limits. Defaults are OpenTelemetry's (see <see cref="SpanLimits"/>).</summary>
    /// <param name="configure">Changes applied after configuration and environment were read.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithSpanLimits(Action<SpanLimits> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _limits.Add(configure);
        return this;
    }

    /// <summary>Sets the propagator. Default: <c>OTEL_PROPAGATORS</c>, else W3C Trace Context and W3C Baggage.</summary>
    /// <param name="propagator">The propagator.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithPropagator(TextMapPropagator propagator)
    {
        ArgumentNullException.ThrowIfNull(propagator);
        _propagator = propagator;
        return this;
    }

    /// <summary>Sets the clock for span timestamps and the batch worker's delays. Default <see cref="TimeProvider.System"/>.</summary>
    /// <param name="timeProvider">The clock; tests pass a <c>FakeTimeProvider</c>.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithTimeProvider(TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(timeProvider);
        _timeProvider = timeProvider;
        return this;
    }

    /// <summary>Sends Traceline's own diagnostics (export failures, drops, bad configuration) to this logger factory, category <c>Traceline</c>.</summary>
    /// <param name="loggerFactory">The logger factory. <c>AddTracing</c> sets the app's.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithLoggerFactory(ILoggerFactory loggerFactory)
    {
        ArgumentNullException.ThrowIfNull(loggerFactory);
        _loggerFactory = loggerFactory;
        return this;
    }

    /// <summary>Turns tracing on or off. Off, every span is non-recording and nothing is exported, but context still propagates. Default: on, unless <c>OTEL_SDK_DISABLED=true</c>.</summary>
    /// <param name="enabled">Whether tracing records spans.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder Enable(bool enabled = true)
    {
        _enabled = enabled;
        return this;
    }

    /// <summary>Changes the batch settings used for exporters added by this builder (defaults from <c>OTEL_BSP_*</c>).</summary>
    /// <param name="configure">Changes applied after configuration and environment were read.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder WithBatchOptions(Action<BatchSpanProcessorOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _batch.Add(configure);
        return this;
    }

    /// <summary>Adds a processor. Processors run in the order added; any processor or exporter named in code replaces the configured exporter.</summary>
    /// <param name="processor">The processor; the provider owns it and shuts it down.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder AddProcessor(SpanProcessor processor)
    {
        ArgumentNullException.ThrowIfNull(processor);
        _pipeline.Add(_ => processor);
        return this;
    }

    /// <summary>Exports through <paramref name="exporter"/>, batched on a background worker.</summary>
    /// <param name="exporter">The exporter; the provider owns it.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder AddExporter(SpanExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        _pipeline.Add(context => new BatchSpanProcessor(exporter, context.BatchOptions, context.Time, context.Diagnostics));
        return this;
    }

    /// <summary>Writes spans as JSON to stdout (or another writer), batched. The default when no exporter is named.</summary>
    /// <param name="configure">Changes the layout or the writer.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder UseStdoutExporter(Action<StdoutExporterOptions>? configure = null)
    {
        _pipeline.Add(context =>
        {
            var options = new StdoutExporterOptions { Format = context.Settings.StdoutFormat };
            configure?.Invoke(options);
            return new BatchSpanProcessor(new StdoutSpanExporter(options, context.Time), context.BatchOptions, context.Time, context.Diagnostics);
        });
        return this;
    }

    /// <summary>Keeps spans in <paramref name="exporter"/>, each as soon as it ends (no batching): for tests.</summary>
    /// <param name="exporter">The in-memory exporter to read spans from.</param>
    /// <returns>This builder.</returns>
    public TracingBuilder UseInMemoryExporter(InMemorySpanExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        _pipeline.Add(_ => new SimpleSpanProcessor(exporter));
        return this;
    }

    /// <summary>Builds the provider from this builder over configuration and environment.</summary>
    internal TracerProvider Build(SettingsSource source)
    {
        var time = _timeProvider ?? TimeProvider.System;
        var diagnostics = new TracelineDiagnostics(_loggerFactory, time);
        source.Diagnostics = diagnostics;
        var settings = TracingSettings.Read(source);

        var limits = new SpanLimits
        {
            AttributeCountLimit = settings.AttributeCountLimit,
            AttributeValueLengthLimit = settings.AttributeValueLengthLimit,
            EventCountLimit = settings.EventCountLimit,
            LinkCountLimit = settings.LinkCountLimit,
            EventAttributeCountLimit = settings.EventAttributeCountLimit,
            LinkAttributeCountLimit = settings.LinkAttributeCountLimit,
        };
        foreach (var configure in _limits)
        {
            configure(limits);
        }

        var batch = new BatchSpanProcessorOptions
        {
            MaxQueueSize = settings.BatchMaxQueueSize,
            MaxExportBatchSize = settings.BatchMaxExportBatchSize,
            ScheduledDelay = TimeSpan.FromMilliseconds(settings.BatchScheduledDelayMilliseconds),
            ExportTimeout = TimeSpan.FromMilliseconds(settings.BatchExportTimeoutMilliseconds),
        };
        foreach (var configure in _batch)
        {
            configure(batch);
        }

        var enabled = _enabled ?? settings.Enabled;
        var resource = BuildResource(settings);
        var sampler = _sampler ?? settings.Sampler;
        sampler.BindTimeProvider(time);
        var propagator = _propagator ?? settings.Propagator;

        var context = new BuildContext(settings, batch, time, diagnostics);
        var processors = new List<SpanProcessor>();
        if (enabled)
        {
            if (_pipeline.Count > 0)
            {
                foreach (var factory in _pipeline)
                {
                    processors.Add(factory(context));
                }
            }
            else
            {
                foreach (var exporter in settings.Exporters)
                {
                    processors.Add(CreateConfiguredExporter(exporter, context));
                }
            }
        }

        foreach (var processor in processors)
        {
            processor.Diagnostics = diagnostics;
        }

        return new TracerProvider(resource, sampler, propagator, limits.Resolve(), processors.ToArray(), new SpanClock(time), diagnostics, enabled, BuildSources(settings), _allHttpClients ?? settings.AllHttpClients);
    }

    private static SpanProcessor CreateConfiguredExporter(string exporter, BuildContext context) => exporter switch
    {
        TracingSettings.ExporterOtlp => CreateOtlpProcessor(context),
        _ => new BatchSpanProcessor(new StdoutSpanExporter(new StdoutExporterOptions { Format = context.Settings.StdoutFormat }, context.Time), context.BatchOptions, context.Time, context.Diagnostics),
    };

    /// <summary>Creates the OTLP pipeline named by configuration; until the OTLP exporter is built in, stdout stands in.</summary>
    private static partial SpanProcessor CreateOtlpProcessor(BuildContext context);

    private Resource BuildResource(TracingSettings settings)
    {
        var bag = default(AttributeBag);
        const int Unlimited = int.MaxValue;
        var entry = Assembly.GetEntryAssembly();
        var serviceName = _serviceName ?? settings.ServiceName;
        string? fromResourceVariable = null;
        foreach (var pair in settings.ResourceAttributes)
        {
            if (pair.Key == SemanticConventions.ServiceName)
            {
                fromResourceVariable = pair.Value;
            }
        }

        serviceName ??= fromResourceVariable ?? entry?.GetName().Name ?? "unknown_service:dotnet";
        var version = _serviceVersion ?? settings.ServiceVersion
            ?? entry?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? entry?.GetName().Version?.ToString();

        // Order: detected values first, then the variable's pairs, then code: a later Set of a key overwrites in place.
        bag.Set(SemanticConventions.ServiceName, serviceName, Unlimited, -1);
        if (version is not null)
        {
            bag.Set(SemanticConventions.ServiceVersion, version, Unlimited, -1);
        }

        bag.Set(SemanticConventions.ServiceInstanceId, Guid.NewGuid().ToString(), Unlimited, -1);
        bag.Set(SemanticConventions.TelemetrySdkName, "traceline", Unlimited, -1);
        bag.Set(SemanticConventions.TelemetrySdkLanguage, "dotnet", Unlimited, -1);
        bag.Set(SemanticConventions.TelemetrySdkVersion, TelemetrySdkVersion, Unlimited, -1);
        bag.Set(SemanticConventions.HostName, Environment.MachineName, Unlimited, -1);
        bag.Set(SemanticConventions.ProcessPid, (long)Environment.ProcessId, Unlimited, -1);
        foreach (var pair in settings.ResourceAttributes)
        {
            bag.Set(pair.Key, pair.Value, Unlimited, -1);
        }

        foreach (var attribute in _resourceAttributes)
        {
            bag.Set(attribute.Key, attribute.Value, Unlimited, -1);
        }

        // service.name from code or OTEL_SERVICE_NAME wins over OTEL_RESOURCE_ATTRIBUTES.
        bag.Set(SemanticConventions.ServiceName, serviceName, Unlimited, -1);
        return new Resource(bag.Items.ToArray());
    }

    private static string TelemetrySdkVersion { get; } =
        typeof(TracingBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0";

    /// <summary>What exporter factories need when the provider is built.</summary>
    internal sealed record BuildContext(TracingSettings Settings, BatchSpanProcessorOptions BatchOptions, TimeProvider Time, TracelineDiagnostics Diagnostics);
}
