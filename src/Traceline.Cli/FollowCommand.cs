using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>
/// <c>traceline view --follow</c>: reads the inputs to their end, then keeps reading as they grow, like <c>tail -f</c>,
/// and prints each trace once it is complete: its root arrived and <see cref="Settle"/> passed with no new span for it;
/// or, at the latest, <see cref="Timeout"/> after its first span, marked incomplete when no root arrived. Ends when
/// cancelled (Ctrl+C) or when every input closed (standard input); the traces still waiting are printed then.
/// </summary>
internal sealed class FollowCommand
{
    internal static readonly TimeSpan DefaultSettle = TimeSpan.FromSeconds(2);
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan DefaultPoll = TimeSpan.FromMilliseconds(250);

    private readonly ViewCommand _view;
    private readonly TimeProvider _time;

    public FollowCommand(ViewCommand view, TimeProvider time)
    {
        _view = view;
        _time = time;
    }

    /// <summary>Gets or sets how long a trace whose root arrived waits for stragglers (the default 2 s).</summary>
    public TimeSpan Settle { get; set; } = DefaultSettle;

    /// <summary>Gets or sets how long a trace waits at most for its root (the default 10 s, as the tree layout's).</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>Gets or sets how often files are looked at for new data (the default 250 ms).</summary>
    public TimeSpan Poll { get; set; } = DefaultPoll;

    /// <summary>Called after each look at the inputs, once what was due is printed: tests wait on it.</summary>
    internal Action? Looked { get; set; }

    /// <summary>Follows <paramref name="inputs"/> until <paramref name="cancellationToken"/> is cancelled or every input ended; returns the exit code.</summary>
    public async Task<int> RunAsync(IReadOnlyList<FollowedInput> inputs, CancellationToken cancellationToken)
    {
        var settle = Ticks(Settle);
        var timeout = Ticks(Timeout);
        var incomplete = $"incomplete: no root span arrived within {TraceTreeWriter.FormatDuration((long)Timeout.TotalNanoseconds)}; printed as it is";
        var waits = new List<Task>(inputs.Count + 1);
        try
        {
            while (true)
            {
                var now = _time.GetTimestamp();
                var ended = true;
                foreach (var input in inputs)
                {
                    input.ReadAvailable(_view, now);
                    ended &= input.Ended;
                }

                _view.PrintDue(now, settle, timeout, incomplete);
                Looked?.Invoke();
                if (ended)
                {
                    break;
                }

                waits.Clear();
                waits.Add(Task.Delay(Poll, _time, cancellationToken));
                foreach (var input in inputs)
                {
                    if (input.WhenDataAsync() is { } data)
                    {
                        waits.Add(data);
                    }
                }

                await (await Task.WhenAny(waits).ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl+C: what has arrived is still read and printed below.
            var now = _time.GetTimestamp();
            foreach (var input in inputs)
            {
                input.ReadAvailable(_view, now);
            }
        }

        foreach (var input in inputs)
        {
            input.Finish(_view);
        }

        return _view.PrintRemaining();
    }

    private long Ticks(TimeSpan span) => (long)(span.TotalSeconds * _time.TimestampFrequency);
}
