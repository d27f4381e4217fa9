using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Traceline.Export;
using Traceline.Tests.Otlp;

namespace Traceline.Tests.Reliability;

/// <summary>Spans that ended before shutdown are all exported, each once, through stdout and through OTLP.</summary>
public class GracefulShutdownTests
{
    private const int SpanCount = 10_000;

    [Fact]
    public void Shutdown_TenThousandEndedSpans_StdoutWritesEachExactlyOnce()
    {
        var writer = new StringWriter();
        var provider = TestProviders.Create(b => b
            .WithBatchOptions(o => o.MaxQueueSize = 16_384)
            .UseStdoutExporter(o =>
            {
                o.Writer = writer;
                o.Format = StdoutFormat.Compact;
            }));

        var (_, ended) = ReliabilityHarness.Produce(provider, SpanCount);
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(30)));

        var written = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => SpanId.Parse(JsonDocument.Parse(line).RootElement.GetProperty("SpanContext").GetProperty("SpanID").GetString()!))
            .ToList();
        Assert.Equal(SpanCount, written.Count);
        Assert.Equal(ended.ToHashSet(), written.ToHashSet());
        Assert.Equal(0, ReliabilityHarness.Batch(provider).DroppedCount);
    }

    [Fact]
    public async Task Shutdown_TenThousandEndedSpans_OtlpDeliversEachExactlyOnce()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1);
        var log = new CapturingLoggerProvider();
        var provider = ReliabilityHarness.OtlpProvider(new Uri(receiver.Address, "/v1/traces"), TimeSpan.FromSeconds(10), log, queueSize: 16_384, batchSize: 512);

        var (_, ended) = ReliabilityHarness.Produce(provider, SpanCount);
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(30)));

        var delivered = ReliabilityHarness.DeliveredSpanIds(receiver.Requests);
        Assert.Equal(SpanCount, delivered.Count);
        Assert.Equal(ended.ToHashSet(), delivered.ToHashSet());
        Assert.Equal(0, ReliabilityHarness.Batch(provider).DroppedCount);
        Assert.Equal(0, log.Count("ExportFailed"));
    }

    [Fact]
    public void Shutdown_BurstLargerThanTheQueue_EverySpanExportedOnceOrCountedAsDropped()
    {
        // The default queue (2,048) cannot hold a burst of 10,000: what does not fit is counted, never exported twice.
        var exporter = new ControllableExporter();
        var provider = TestProviders.Create(b => b.AddExporter(exporter));

        var (_, ended) = ReliabilityHarness.Produce(provider, SpanCount);
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(30)));

        var exported = exporter.Spans.Select(s => s.Context.SpanId).ToList();
        var batch = ReliabilityHarness.Batch(provider);
        Assert.Equal(exported.Count, exported.Distinct().Count());
        Assert.Equal(SpanCount, exported.Count + batch.DroppedCount);
        Assert.Subset(ended.ToHashSet(), exported.ToHashSet());
    }
}
