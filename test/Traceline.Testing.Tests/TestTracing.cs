using Traceline.Export;

namespace Traceline.Testing.Tests;

/// <summary>Providers that feed a collector, built from code only (the process environment is not read).</summary>
internal static class TestTracing
{
    public static TracerProvider Create(SpanCollector collector, string serviceName = "test-service") =>
        new TracingBuilder()
            .WithServiceName(serviceName)
            .UseSpanCollector(collector)
            .Build(new SettingsSource(null, static _ => null, TracelineDiagnostics.Default));

    /// <summary>A context no provider recorded: the parent a remote caller would send.</summary>
    public static SpanContext Remote(TraceId? traceId = null) =>
        new(traceId ?? TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled, isRemote: true);
}

/// <summary>Counts what it is asked to export; an app's own exporter in tests.</summary>
internal sealed class CountingExporter : SpanExporter
{
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        Interlocked.Add(ref _count, batch.Length);
        return ValueTask.FromResult(ExportResult.Success);
    }
}
