using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;

namespace Traceline.Cli.Tests;

/// <summary>
/// Hostile volume: over 100 MB of interleaved logs holding more than 100,000 traces, children before parents, with a
/// truncated record every 10,000 lines. Nothing crashes, every bad record is counted, and memory is measured: what the
/// tool keeps grows with the spans it keeps (not with the bytes it read), and the span cap bounds it.
/// </summary>
public sealed class LargeInputTests(ITestOutputHelper output)
{
    private const long HundredMegabytes = 100L * 1024 * 1024;
    private const int Traces = 100_000;

    [Fact]
    public void Read_100MBWith100000Traces_ReadsEverySpanAndReportsEachBadRecord()
    {
        var spanBytes = SyntheticLog.Span(0, callee: false).Length;
        var length = Math.Max(HundredMegabytes, 2L * (Traces + 100) * spanBytes);
        var log = new SyntheticLog(length);
        var errors = new StringWriter();
        var view = new ViewCommand(TextWriter.Null, errors);

        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        view.Read(log, "big.log");
        var read = clock.Elapsed;
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;
        Assert.Equal(0, view.Print() & ~1); // a verdict, not a crash (the input's end may cut the last trace in two)

        Assert.True(log.Traces >= Traces, $"only {log.Traces} traces were written");
        Assert.InRange(view.Traces.Count, Traces, log.Traces);
        Assert.Equal(log.Garbage + 1, view.ProblemCount); // + the record the input ends inside
        Assert.StartsWith("big.log:10000: truncated: the object ends mid-line", errors.ToString(), StringComparison.Ordinal);

        // What the tool keeps per span: the span itself, its trace's list entry, the duplicate check; not the JSON text.
        var perSpan = retained / view.SpanCount;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{length / (1024 * 1024)} MB, {view.SpanCount} spans, {view.Traces.Count} traces read in {read.TotalSeconds:0.0} s; retained {retained / (1024 * 1024)} MB ({perSpan} B a span); peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024)} MB"));
        Assert.InRange(perSpan, 1, 400);
        GC.KeepAlive(view);
    }

    [Fact]
    public void Read_MoreSpansThanTheCap_SkipsAndCountsTheRestWithBoundedMemory()
    {
        var errors = new StringWriter();
        var view = new ViewCommand(TextWriter.Null, errors) { MaxSpans = 10_000 };

        var before = GC.GetTotalMemory(forceFullCollection: true);
        view.Read(new SyntheticLog(50L * 1024 * 1024), "big.log");
        var retained = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.Equal(10_000, view.SpanCount);
        Assert.Contains("more than 10000 spans: the rest are counted and skipped (memory stays bounded)", errors.ToString(), StringComparison.Ordinal);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"50 MB read with a cap of 10,000 spans: retained {retained / 1024} KB"));
        Assert.InRange(retained, 0, 16L * 1024 * 1024);
        GC.KeepAlive(view);
    }
}
