using System.Diagnostics;
using OpenTelemetry;
using Traceline.Export;

namespace Traceline.Benchmarks;

/// <summary>A Traceline exporter that drops every batch and keeps nothing (so span storage is reused).</summary>
internal sealed class DiscardingSpanExporter : SpanExporter
{
    public override bool ReleasesSpansAfterExport => true;

    public override ValueTask<Traceline.Export.ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken) =>
        ValueTask.FromResult(Traceline.Export.ExportResult.Success);
}

/// <summary>The OpenTelemetry SDK's counterpart of <see cref="DiscardingSpanExporter"/>.</summary>
internal sealed class DiscardingActivityExporter : BaseExporter<Activity>
{
    public override OpenTelemetry.ExportResult Export(in Batch<Activity> batch) => OpenTelemetry.ExportResult.Success;
}
