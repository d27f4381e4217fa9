namespace Traceline.Export;

/// <summary>Keeps exported spans in memory, for tests. Thread-safe.</summary>
/// <remarks>
/// Pair it with <see cref="SimpleSpanProcessor"/> (what <see cref="TracingBuilder.UseInMemoryExporter"/> does) so a
/// span is visible as soon as it ends.
/// </remarks>
public sealed class InMemorySpanExporter : SpanExporter
{
    private readonly List<Span> _spans = [];
    private readonly object _lock = new();

    /// <summary>Gets a snapshot of the spans exported so far, in export order.</summary>
    public IReadOnlyList<Span> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Forgets every span exported so far.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _spans.Clear();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the exported spans, or the timeout passes.</summary>
    /// <param name="condition">Evaluated on a snapshot each time spans arrive.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns><see langword="true"/> when the condition held in time.</returns>
    public bool WaitFor(Func<IReadOnlyList<Span>, bool> condition, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        lock (_lock)
        {
            while (true)
            {
                if (condition([.. _spans]))
                {
                    return true;
                }

                if (timeout == Timeout.InfiniteTimeSpan)
                {
                    Monitor.Wait(_lock);
                    continue;
                }

                var remaining = deadline - Environment.TickCount64;
                if (remaining <= 0)
                {
                    return false;
                }

                Monitor.Wait(_lock, TimeSpan.FromMilliseconds(remaining));
            }
        }
    }

    /// <inheritdoc/>
    public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            foreach (var span in batch.Span)
            {
                _spans.Add(span);
            }

            Monitor.PulseAll(_lock);
        }

        return ValueTask.FromResult(ExportResult.Success);
    }
}
