using System.Diagnostics;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Traceline.Tests.Otlp;

namespace Traceline.Tests.Reliability;

/// <summary>
/// The OTLP exporter against a collector that is down, slow, or flapping (receivers on 127.0.0.1 that the tests
/// start): the app's threads never wait, the queue stays within its bound, drops are counted and reported at most
/// once per interval, and shutdown finishes within its timeout.
/// </summary>
public class CollectorFaultTests
{
    private const int QueueSize = 256;
    private const int Spans = 20_000;
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task OtlpExporter_CollectorPortClosed_AppUnaffectedQueueBoundedDropsReportedShutdownInTime()
    {
        var log = new CapturingLoggerProvider();
        var provider = ReliabilityHarness.OtlpProvider(new Uri($"http://127.0.0.1:{ReliabilityHarness.ClosedPort()}"), TimeSpan.FromMilliseconds(500), log, QueueSize);

        await AssertSurvivesAsync(provider, log);
    }

    [Fact]
    public async Task OtlpExporter_CollectorAnswersAfterTheTimeout_AppUnaffectedQueueBoundedDropsReportedShutdownInTime()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, ReliabilityHarness.Never);
        var log = new CapturingLoggerProvider();
        var provider = ReliabilityHarness.OtlpProvider(new Uri(receiver.Address, "/v1/traces"), TimeSpan.FromMilliseconds(300), log, QueueSize);

        await AssertSurvivesAsync(provider, log);
        Assert.True(receiver.Attempts > 0); // the exporter did reach the slow collector
    }

    [Fact]
    public async Task OtlpExporter_CollectorDownThenFlapping_EverySpanNotDroppedArrivesExactlyOnce()
    {
        await using var receiver = await ReliabilityHarness.SwitchableReceiver.StartAsync();
        var log = new CapturingLoggerProvider();
        var provider = ReliabilityHarness.OtlpProvider(new Uri(receiver.Address, "/v1/traces"), TimeSpan.FromSeconds(2), log, queueSize: 8192, batchSize: 512);
        var batch = ReliabilityHarness.Batch(provider);

        // Down: every attempt answered 503 (Retry-After: 0), so each batch uses up its retries and fails.
        var (_, duringOutage) = ReliabilityHarness.Produce(provider, 2_000);
        Assert.True(await Wait.UntilAsync(() => batch.QueuedCount == 0 && log.Count("ExportFailed") > 0), "the outage failed a batch");

        // Flapping: each batch's first attempt 503, its retry 200; the retries carry every batch through.
        receiver.FailWith = ReliabilityHarness.SwitchableReceiver.Alternate;
        var (_, afterRecovery) = ReliabilityHarness.Produce(provider, 2_000);
        var stopwatch = Stopwatch.StartNew();
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(10)));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(11));

        var delivered = ReliabilityHarness.DeliveredSpanIds(receiver.Accepted);
        Assert.Equal(delivered.Count, delivered.Distinct().Count()); // nothing arrives twice
        Assert.Equal(batch.ExportedCount, delivered.Count);
        Assert.Equal(0, batch.DroppedCount);
        Assert.Subset(duringOutage.Concat(afterRecovery).ToHashSet(), delivered.ToHashSet());
        Assert.Equal(afterRecovery.ToHashSet(), delivered.Intersect(afterRecovery).ToHashSet()); // every span after recovery arrived
        Assert.True(log.Count("ExportRetrying") >= 1);
    }

    [Fact]
    public async Task OtlpExporter_CollectorReturns503ThenRecovers_EverySpanArrivesExactlyOnce()
    {
        const int FailedAttempts = 2;
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, async (context, attempt, stopping) =>
        {
            if (attempt <= FailedAttempts)
            {
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "0";
                return;
            }

            await OtlpTestReceiver.Success(context, attempt, stopping);
        });
        var log = new CapturingLoggerProvider();
        var provider = ReliabilityHarness.OtlpProvider(new Uri(receiver.Address, "/v1/traces"), TimeSpan.FromSeconds(5), log, queueSize: 8192, batchSize: 512);
        var batch = ReliabilityHarness.Batch(provider);

        var (_, ended) = ReliabilityHarness.Produce(provider, 4_000);
        Assert.True(provider.Shutdown(TimeSpan.FromSeconds(10)));

        var delivered = ReliabilityHarness.DeliveredSpanIds(receiver.Requests.Skip(FailedAttempts));
        Assert.Equal(0, batch.DroppedCount);
        Assert.Equal(ended.Count, delivered.Count);
        Assert.Equal(ended.ToHashSet(), delivered.ToHashSet()); // each exactly once: same count, same set
        Assert.Equal(FailedAttempts, log.Count("ExportRetrying"));
    }

    private static async Task AssertSurvivesAsync(TracerProvider provider, CapturingLoggerProvider log)
    {
        var batch = ReliabilityHarness.Batch(provider);
        var started = Stopwatch.StartNew();

        // The app's side: ending spans never throws and never waits for the collector.
        var (maxQueued, ended) = ReliabilityHarness.Produce(provider, Spans);
        Assert.Equal(Spans, ended.Count);
        Assert.InRange(maxQueued, 0, QueueSize);
        Assert.True(batch.DroppedCount > 0, "a dead collector costs drops, not memory");

        var stopwatch = Stopwatch.StartNew();
        provider.Shutdown(ShutdownTimeout);
        Assert.True(stopwatch.Elapsed < ShutdownTimeout + TimeSpan.FromSeconds(1), $"shutdown took {stopwatch.Elapsed}");
        provider.Dispose();

        // Reported through diagnostics, at most once per interval (plus the final report at shutdown). On a starved
        // machine the worker may still be finishing after Shutdown gave up waiting: wait for its reports, then count.
        Assert.True(await Wait.UntilAsync(() => log.Count("ExportFailed") > 0 && log.Count("SpansDropped") > 0), "failures and drops are reported");
        var intervals = 1 + (int)(started.Elapsed / TracelineDiagnostics.DefaultReportInterval);
        var dropReports = log.Count("SpansDropped");
        Assert.InRange(dropReports, 1, intervals + 1);
        Assert.InRange(log.Count("ExportFailed"), 1, intervals);
        Assert.Contains(log.Lines, l => l.EventId.Name == "SpansDropped" && l.Message.Contains("dropped", StringComparison.Ordinal));
    }
}
