using System.Diagnostics;
using BenchmarkDotNet.Attributes;

namespace Traceline.Benchmarks;

/// <summary>
/// The floor under a span's start + end on this machine: what the unavoidable pieces cost on their own (two clock
/// reads, making a span current in the async flow and restoring it, two random ids). Evidence for the span target's
/// feasibility; compare with <see cref="SpanBenchmarks"/> in the same run.
/// </summary>
[MemoryDiagnoser]
public class ComponentBenchmarks
{
    private static readonly AsyncLocal<object?> Slot = new();
    private readonly object _value = new();

    [Benchmark(Description = "Stopwatch.GetTimestamp x2")]
    public long TwoClockReads() => Stopwatch.GetTimestamp() + Stopwatch.GetTimestamp();

    [Benchmark(Description = "DateTime.UtcNow x2")]
    public long TwoWallClockReads() => DateTime.UtcNow.Ticks + DateTime.UtcNow.Ticks;

    [Benchmark(Description = "AsyncLocal set + restore")]
    public void AsyncLocalSetRestore()
    {
        var previous = Slot.Value;
        Slot.Value = _value;
        Slot.Value = previous;
    }

    [Benchmark(Description = "TraceId + SpanId")]
    public ulong Ids()
    {
        var traceId = TraceId.CreateRandom();
        var spanId = SpanId.CreateRandom();
        return (ulong)traceId.GetHashCode() ^ (ulong)spanId.GetHashCode();
    }

    [Benchmark(Description = "floor: clock x2 + AsyncLocal + ids")]
    public long Floor()
    {
        var start = Stopwatch.GetTimestamp();
        var traceId = TraceId.CreateRandom();
        var spanId = SpanId.CreateRandom();
        var previous = Slot.Value;
        Slot.Value = _value;
        Slot.Value = previous;
        return Stopwatch.GetTimestamp() - start + traceId.GetHashCode() + spanId.GetHashCode();
    }
}
