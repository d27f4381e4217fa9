namespace Traceline.Export;

/// <summary>Settings of <see cref="BatchSpanProcessor"/>. Defaults are OpenTelemetry's (<c>OTEL_BSP_*</c>).</summary>
public sealed class BatchSpanProcessorOptions
{
    internal const int DefaultMaxQueueSize = 2048;
    internal const int DefaultMaxExportBatchSize = 512;
    internal const int DefaultScheduledDelayMilliseconds = 5000;
    internal const int DefaultExportTimeoutMilliseconds = 30000;

    /// <summary>Gets or sets the most spans waiting for export; past it new spans are dropped and counted. Default 2048 (<c>OTEL_BSP_MAX_QUEUE_SIZE</c>).</summary>
    public int MaxQueueSize { get; set; } = DefaultMaxQueueSize;

    /// <summary>Gets or sets the most spans in one export; a full batch is exported at once. Default 512 (<c>OTEL_BSP_MAX_EXPORT_BATCH_SIZE</c>).</summary>
    public int MaxExportBatchSize { get; set; } = DefaultMaxExportBatchSize;

    /// <summary>Gets or sets the longest a span waits before its batch is exported. Default 5 s (<c>OTEL_BSP_SCHEDULE_DELAY</c>, milliseconds).</summary>
    public TimeSpan ScheduledDelay { get; set; } = TimeSpan.FromMilliseconds(DefaultScheduledDelayMilliseconds);

    /// <summary>Gets or sets how long one export may take before it is cancelled. Default 30 s (<c>OTEL_BSP_EXPORT_TIMEOUT</c>, milliseconds).</summary>
    public TimeSpan ExportTimeout { get; set; } = TimeSpan.FromMilliseconds(DefaultExportTimeoutMilliseconds);

    internal BatchSpanProcessorOptions Clone() => (BatchSpanProcessorOptions)MemberwiseClone();
}
