using Traceline.Export;
using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline;

/// <summary>
/// Every setting Traceline reads from configuration (<c>Tracing:*</c>) and the environment (<c>OTEL_*</c>), resolved
/// once when the provider is built. The keys here are the ones README's configuration table lists.
/// </summary>
internal sealed partial class TracingSettings
{
    public const string ExporterConsole = "console";
    public const string ExporterOtlp = "otlp";
    public const string ExporterNone = "none";

    public string? ServiceName { get; private set; }

    public string? ServiceVersion { get; private set; }

    public IReadOnlyList<KeyValuePair<string, string>> ResourceAttributes { get; private set; } = [];

    public bool Enabled { get; private set; } = true;

    public Sampler Sampler { get; private set; } = DefaultSampler;

    public TextMapPropagator Propagator { get; private set; } = Propagators.Default;

    public IReadOnlyList<string> Exporters { get; private set; } = [ExporterConsole];

    public StdoutFormat StdoutFormat { get; private set; }

    public int AttributeCountLimit { get; private set; } = SpanLimits.DefaultCount;

    public int? AttributeValueLengthLimit { get; private set; }

    public int EventCountLimit { get; private set; } = SpanLimits.DefaultCount;

    public int LinkCountLimit { get; private set; } = SpanLimits.DefaultCount;

    public int EventAttributeCountLimit { get; private set; } = SpanLimits.DefaultCount;

    public int LinkAttributeCountLimit { get; private set; } = SpanLimits.DefaultCount;

    public int BatchMaxQueueSize { get; private set; } = BatchSpanProcessorOptions.DefaultMaxQueueSize;

    public int BatchMaxExportBatchSize { get; private set; } = BatchSpanProcessorOptions.DefaultMaxExportBatchSize;

    public int BatchScheduledDelayMilliseconds { get; private set; } = BatchSpanProcessorOptions.DefaultScheduledDelayMilliseconds;

    public int BatchExportTimeoutMilliseconds { get; private set; } = BatchSpanProcessorOptions.DefaultExportTimeoutMilliseconds;

    public SettingsSource Source { get; private set; } = null!;

    public static TracingSettings Read(SettingsSource source)
    {
        var settings = new TracingSettings { Source = source };
        settings.ServiceName = source.GetString("ServiceName", "OTEL_SERVICE_NAME");
        settings.ServiceVersion = source.GetString("ServiceVersion", null);
        settings.Enabled = !source.GetBool("Disabled", "OTEL_SDK_DISABLED", fallback: false);

        if (source.Get("ResourceAttributes", "OTEL_RESOURCE_ATTRIBUTES", out var resourceKey) is { } resource)
        {
            // One report for the whole value, however many pairs are wrong in it.
            var malformed = new List<string>();
            settings.ResourceAttributes = ResourceAttributesParser.Parse(resource, malformed.Add);
            if (malformed.Count > 0)
            {
                source.Diagnostics.InvalidConfiguration(resourceKey, Summarize(malformed), "the malformed pairs skipped", "Expected comma-separated key=value pairs, percent-encoded.");
            }
        }

        settings.Sampler = ReadSampler(source);
        settings.Propagator = ReadPropagator(source);
        settings.Exporters = ReadExporters(source);
        settings.Sources = ReadSources(source);
        settings.AllHttpClients = ReadAllHttpClients(source);

        if (source.GetString("Stdout:Format", null) is { } format)
        {
            if (string.Equals(format, "compact", StringComparison.OrdinalIgnoreCase) || string.Equals(format, "jsonl", StringComparison.OrdinalIgnoreCase))
            {
                settings.StdoutFormat = StdoutFormat.Compact;
            }
            else if (string.Equals(format, "tree", StringComparison.OrdinalIgnoreCase))
            {
                settings.StdoutFormat = StdoutFormat.Tree;
            }
            else if (!string.Equals(format, "pretty", StringComparison.OrdinalIgnoreCase))
            {
                source.ReportInvalid("Stdout:Format", null, "pretty", "Expected pretty, compact or tree.");
            }
        }

        // OTEL_ATTRIBUTE_* are the general limits; the OTEL_SPAN_* ones win where both are set.
        var generalCount = source.GetInt(null, "OTEL_ATTRIBUTE_COUNT_LIMIT", SpanLimits.DefaultCount, 0, int.MaxValue);
        var generalLength = source.GetOptionalInt(null, "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT", 0, int.MaxValue);
        settings.AttributeCountLimit = source.GetInt("SpanLimits:AttributeCountLimit", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", generalCount, 0, int.MaxValue);
        settings.AttributeValueLengthLimit = source.GetOptionalInt("SpanLimits:AttributeValueLengthLimit", "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", 0, int.MaxValue) ?? generalLength;
        settings.EventCountLimit = source.GetInt("SpanLimits:EventCountLimit", "OTEL_SPAN_EVENT_COUNT_LIMIT", SpanLimits.DefaultCount, 0, int.MaxValue);
        settings.LinkCountLimit = source.GetInt("SpanLimits:LinkCountLimit", "OTEL_SPAN_LINK_COUNT_LIMIT", SpanLimits.DefaultCount, 0, int.MaxValue);
        settings.EventAttributeCountLimit = source.GetInt("SpanLimits:EventAttributeCountLimit", "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", SpanLimits.DefaultCount, 0, int.MaxValue);
        settings.LinkAttributeCountLimit = source.GetInt("SpanLimits:LinkAttributeCountLimit", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", SpanLimits.DefaultCount, 0, int.MaxValue);

        settings.BatchMaxQueueSize = source.GetInt("Batch:MaxQueueSize", "OTEL_BSP_MAX_QUEUE_SIZE", BatchSpanProcessorOptions.DefaultMaxQueueSize, 1, 1 << 24);
        settings.BatchMaxExportBatchSize = source.GetInt("Batch:MaxExportBatchSize", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", BatchSpanProcessorOptions.DefaultMaxExportBatchSize, 1, 1 << 20);
        if (settings.BatchMaxExportBatchSize > settings.BatchMaxQueueSize)
        {
            source.ReportInvalid("Batch:MaxExportBatchSize", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", settings.BatchMaxQueueSize + " (the queue size)", "The batch cannot be larger than the queue.");
            settings.BatchMaxExportBatchSize = settings.BatchMaxQueueSize;
        }

        settings.BatchScheduledDelayMilliseconds = source.GetInt("Batch:ScheduledDelayMilliseconds", "OTEL_BSP_SCHEDULE_DELAY", BatchSpanProcessorOptions.DefaultScheduledDelayMilliseconds, 1, int.MaxValue);
        settings.BatchExportTimeoutMilliseconds = source.GetInt("Batch:ExportTimeoutMilliseconds", "OTEL_BSP_EXPORT_TIMEOUT", BatchSpanProcessorOptions.DefaultExportTimeoutMilliseconds, 1, int.MaxValue);
        settings.ReadExtensions(source);
        return settings;
    }

    /// <summary>Reads settings of the parts built in their own files (OTLP).</summary>
    partial void ReadExtensions(SettingsSource source);

    private static IReadOnlyList<string> ReadExporters(SettingsSource source)
    {
        var raw = source.GetString("Exporter", "OTEL_TRACES_EXPORTER");
        if (raw is null)
        {
            return [ExporterConsole];
        }

        var result = new List<string>();
        foreach (var range in raw.AsSpan().Split(','))
        {
            var name = raw.AsSpan()[range].Trim().ToString().ToLowerInvariant();
            switch (name)
            {
                case ExporterConsole or "stdout":
                    AddOnce(result, ExporterConsole);
                    break;
                case ExporterOtlp:
                    AddOnce(result, ExporterOtlp);
                    break;
                case ExporterNone:
                    return [];
                case "":
                    break;
                default:
                    source.ReportInvalid("Exporter", "OTEL_TRACES_EXPORTER", "console", "Expected console, otlp or none (comma-separated).");
                    return [ExporterConsole];
            }
        }

        return result.Count == 0 ? [ExporterConsole] : result;
    }

    /// <summary>The problems of one value as one line: the first few, then how many more.</summary>
    internal static string Summarize(List<string> problems)
    {
        const int Shown = 3;
        var text = string.Join("; ", problems.Count > Shown ? problems.GetRange(0, Shown) : problems);
        return problems.Count > Shown ? $"{text}; and {problems.Count - Shown} more" : text;
    }

    private static void AddOnce(List<string> list, string item)
    {
        if (!list.Contains(item))
        {
            list.Add(item);
        }
    }
}
