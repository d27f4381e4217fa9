using Traceline.Export;

namespace Traceline.Testing.Internal;

/// <summary>
/// Hands each exported span to a <see cref="SpanCollector"/>. One per app, so that the provider that owns it may shut
/// it down and dispose it while other apps keep feeding the same collector.
/// </summary>
internal sealed class CollectorExporter(SpanCollector collector) : SpanExporter
{
    public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        foreach (var span in batch.Span)
        {
            collector.Add(span);
        }

        return ValueTask.FromResult(ExportResult.Success);
    }
}
