namespace Traceline.Benchmarks.EndToEnd;

/// <summary>What one load run measured: completed requests, non-200 answers, wall time and latency percentiles.</summary>
internal readonly record struct LoadResult(long Requests, long Errors, TimeSpan Elapsed, TimeSpan P50, TimeSpan P99)
{
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;
}
