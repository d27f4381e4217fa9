using System.Diagnostics;

namespace Traceline;

/// <summary>One timeout shared by several steps: each step gets what is left.</summary>
internal readonly struct Deadline
{
    private readonly long _start;
    private readonly TimeSpan _timeout;

    private Deadline(long start, TimeSpan timeout)
    {
        _start = start;
        _timeout = timeout;
    }

    public static Deadline Start(TimeSpan timeout) => new(Stopwatch.GetTimestamp(), timeout);

    public TimeSpan Remaining
    {
        get
        {
            if (_timeout == Timeout.InfiniteTimeSpan)
            {
                return Timeout.InfiniteTimeSpan;
            }

            var left = _timeout - Stopwatch.GetElapsedTime(_start);
            return left > TimeSpan.Zero ? left : TimeSpan.Zero;
        }
    }
}
