using System.Globalization;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>The server's counters at one moment, as <c>/__stats</c> reports them.</summary>
internal readonly record struct ServerStats(
    long AllocatedBytes,
    long CpuTicks,
    long WorkingSet,
    long PeakWorkingSet,
    long ExportedSpans,
    long RequestsWithActivity,
    int Gen0Collections,
    long JitTicks,
    long GcPauseTicks,
    long PoolWorkItems,
    long ContextSwitches)
{
    public string Format() => string.Join(
        ';',
        AllocatedBytes.ToString(CultureInfo.InvariantCulture),
        CpuTicks.ToString(CultureInfo.InvariantCulture),
        WorkingSet.ToString(CultureInfo.InvariantCulture),
        PeakWorkingSet.ToString(CultureInfo.InvariantCulture),
        ExportedSpans.ToString(CultureInfo.InvariantCulture),
        RequestsWithActivity.ToString(CultureInfo.InvariantCulture),
        Gen0Collections.ToString(CultureInfo.InvariantCulture),
        JitTicks.ToString(CultureInfo.InvariantCulture),
        GcPauseTicks.ToString(CultureInfo.InvariantCulture),
        PoolWorkItems.ToString(CultureInfo.InvariantCulture),
        ContextSwitches.ToString(CultureInfo.InvariantCulture));

    public static ServerStats Parse(string text)
    {
        var parts = text.Split(';');
        return new ServerStats(
            long.Parse(parts[0], CultureInfo.InvariantCulture),
            long.Parse(parts[1], CultureInfo.InvariantCulture),
            long.Parse(parts[2], CultureInfo.InvariantCulture),
            long.Parse(parts[3], CultureInfo.InvariantCulture),
            long.Parse(parts[4], CultureInfo.InvariantCulture),
            long.Parse(parts[5], CultureInfo.InvariantCulture),
            int.Parse(parts[6], CultureInfo.InvariantCulture),
            long.Parse(parts[7], CultureInfo.InvariantCulture),
            long.Parse(parts[8], CultureInfo.InvariantCulture),
            long.Parse(parts[9], CultureInfo.InvariantCulture),
            long.Parse(parts[10], CultureInfo.InvariantCulture));
    }
}
