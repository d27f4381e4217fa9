using Microsoft.Extensions.Time.Testing;

namespace Traceline.Tests.Internal;

/// <summary>Rate limiting of run-time problem reports: once per interval for each kind and component.</summary>
public sealed class TracelineDiagnosticsTests
{
    [Fact]
    public void A_repeating_failure_is_reported_once_per_interval()
    {
        var time = new FakeTimeProvider();
        var log = new CapturingLoggerProvider();
        var diagnostics = new TracelineDiagnostics(log, time, TimeSpan.FromSeconds(10));

        for (var i = 0; i < 100; i++)
        {
            diagnostics.ExportFailed("OtlpSpanExporter", 512, "connection refused");
        }

        Assert.Single(log.Lines);
        time.Advance(TimeSpan.FromSeconds(10));
        diagnostics.ExportFailed("OtlpSpanExporter", 512, "connection refused");
        Assert.Equal(2, log.Lines.Count);
    }

    [Fact]
    public void One_components_flood_does_not_hide_another_components_first_failure()
    {
        var time = new FakeTimeProvider();
        var log = new CapturingLoggerProvider();
        var diagnostics = new TracelineDiagnostics(log, time, TimeSpan.FromSeconds(10));

        for (var i = 0; i < 100; i++)
        {
            diagnostics.CallbackFailed("TracingMiddleware.EnrichWithRequest", new InvalidOperationException("every request"));
        }

        diagnostics.CallbackFailed("Sampler ParentBased", new InvalidOperationException("once"));
        diagnostics.ExportFailed("StdoutSpanExporter", 1, "disk full");
        diagnostics.ExportFailed("OtlpSpanExporter", 1, "refused");
        Assert.True(diagnostics.DropReportDue("BatchSpanProcessor(A)"));
        Assert.True(diagnostics.DropReportDue("BatchSpanProcessor(B)"));
        Assert.False(diagnostics.DropReportDue("BatchSpanProcessor(A)"));

        var messages = log.Lines.Select(l => l.Message).ToList();
        Assert.Equal(4, messages.Count);
        Assert.Contains(messages, m => m.Contains("EnrichWithRequest", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("Sampler ParentBased", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("StdoutSpanExporter", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("OtlpSpanExporter", StringComparison.Ordinal));
    }

    [Fact]
    public void Components_with_ever_new_names_stay_rate_limited_in_bounded_memory()
    {
        var time = new FakeTimeProvider();
        var log = new CapturingLoggerProvider();
        var diagnostics = new TracelineDiagnostics(log, time, TimeSpan.FromSeconds(10));

        for (var i = 0; i < 10_000; i++)
        {
            diagnostics.CallbackFailed("callback " + i, new InvalidOperationException());
        }

        // 64 named components are tracked one by one; beyond them, all share one report per interval.
        Assert.Equal(65, log.Lines.Count);
    }
}
