namespace Traceline;

/// <summary>
/// Span timestamps: a monotonic clock anchored to wall-clock time, so durations are exact to the clock's tick while
/// start times still agree with other machines.
/// </summary>
/// <remarks>
/// The anchor is renewed every minute, so a long-running process follows wall-clock corrections (NTP) without any
/// single span seeing a jump. Renewal swaps an immutable object: no lock.
/// </remarks>
internal sealed class SpanClock
{
    private const long NanosPerSecond = 1_000_000_000;

    private readonly TimeProvider _time;
    private readonly long _frequency;
    private readonly long _nanosPerTick; // > 0 when the frequency divides 1e9 evenly (Linux: 1 ns, FakeTimeProvider: 100 ns)
    private readonly long _refreshInterval;
    private Anchor _anchor;

    public SpanClock(TimeProvider time)
    {
        _time = time;
        _frequency = time.TimestampFrequency;
        _nanosPerTick = NanosPerSecond % _frequency == 0 ? NanosPerSecond / _frequency : 0;
        _refreshInterval = _frequency * 60;
        _anchor = CreateAnchor();
    }

    public long GetTimestamp() => _time.GetTimestamp();

    /// <summary>Gets whether <see cref="GetTimestamp"/> reads <see cref="System.Diagnostics.Stopwatch"/> (the system time provider).</summary>
    public bool IsStopwatch => ReferenceEquals(_time, TimeProvider.System);

    /// <summary>Converts a timestamp from <see cref="GetTimestamp"/> to nanoseconds since the Unix epoch.</summary>
    public long ToUnixNanos(long timestamp)
    {
        var anchor = _anchor;
        var delta = timestamp - anchor.Timestamp;
        if (delta > _refreshInterval)
        {
            anchor = CreateAnchor();
            Volatile.Write(ref _anchor, anchor);
            delta = timestamp - anchor.Timestamp;
        }

        return anchor.UnixNanos + ToNanos(delta);
    }

    /// <summary>Converts a difference of two timestamps to nanoseconds.</summary>
    public long ToNanos(long timestampDelta) =>
        _nanosPerTick > 0
            ? timestampDelta * _nanosPerTick
            : (long)((double)timestampDelta * NanosPerSecond / _frequency);

    /// <summary>Converts nanoseconds to a difference of timestamps (the inverse of <see cref="ToNanos"/>).</summary>
    public long FromNanos(long nanos) =>
        _nanosPerTick > 0
            ? nanos / _nanosPerTick
            : (long)((double)nanos * _frequency / NanosPerSecond);

    private Anchor CreateAnchor()
    {
        var timestamp = _time.GetTimestamp();
        return new Anchor(timestamp, UnixTime.FromDateTimeOffset(_time.GetUtcNow()));
    }

    private sealed record Anchor(long Timestamp, long UnixNanos);
}
