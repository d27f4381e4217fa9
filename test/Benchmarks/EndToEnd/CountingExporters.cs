using System.Diagnostics;
using OpenTelemetry;
using Traceline.Export;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>Counts what the exporters of both libraries were handed, so a run shows that spans really flowed.</summary>
internal static class ExportedSpans
{
    private static long s_count;

    public static long Count => Interlocked.Read(ref s_count);

    public static void Add(long count) => Interlocked.Add(ref s_count, count);
}

/// <summary>Traceline exporter that counts each batch and discards it.</summary>
internal sealed class CountingSpanExporter : SpanExporter
{
    /// <summary>Keeps nothing after a batch, like the OTLP and stdout exporters, so span storage is reused as in production.</summary>
    public override bool ReleasesSpansAfterExport => true;

    public override ValueTask<Traceline.Export.ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        ExportedSpans.Add(batch.Length);
        return ValueTask.FromResult(Traceline.Export.ExportResult.Success);
    }
}

/// <summary>OpenTelemetry SDK exporter that counts each batch and discards it.</summary>
internal sealed class CountingActivityExporter : BaseExporter<Activity>
{
    public override OpenTelemetry.ExportResult Export(in Batch<Activity> batch)
    {
        ExportedSpans.Add(batch.Count);
        return OpenTelemetry.ExportResult.Success;
    }
}
