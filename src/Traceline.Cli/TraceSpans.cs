using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>
/// One trace's spans as read, in arrival order, with what <c>--follow</c> needs to decide when to print it: when its
/// first and last span arrived, and whether a span without a parent (the root) has.
/// </summary>
/// <remarks>
/// Perf: duplicates are looked for in the trace's own spans (a few, so a scan) instead of one set of every span id
/// read; a trace that grows past <see cref="ScanLimit"/> spans gets a set of its own.
/// </remarks>
internal sealed class TraceSpans : List<TraceSpan>
{
    internal const int ScanLimit = 16;

    private HashSet<SpanId>? _ids;

    public TraceSpans(long now) => FirstSeen = LastSeen = now;

    /// <summary>Gets the time (a <see cref="TimeProvider"/> timestamp) the first span arrived.</summary>
    public long FirstSeen { get; }

    /// <summary>Gets the time the last span arrived.</summary>
    public long LastSeen { get; private set; }

    /// <summary>Gets whether a span without a parent arrived: in a log, a span is written when it ends.</summary>
    public bool HasRoot { get; private set; }

    /// <summary>Gets or sets whether these spans came after their trace was printed (follow mode).</summary>
    public bool IsLate { get; init; }

    /// <summary>Adds the span, unless one with its id is here already.</summary>
    public bool TryAdd(TraceSpan span, long now)
    {
        if (_ids is not null)
        {
            if (!_ids.Add(span.SpanId))
            {
                return false;
            }
        }
        else
        {
            foreach (var kept in this)
            {
                if (kept.SpanId == span.SpanId)
                {
                    return false;
                }
            }

            if (Count == ScanLimit)
            {
                _ids = new HashSet<SpanId>(2 * ScanLimit) { span.SpanId };
                foreach (var kept in this)
                {
                    _ids.Add(kept.SpanId);
                }
            }
        }

        Add(span);
        LastSeen = now;
        HasRoot |= !span.ParentSpanId.IsValid;
        return true;
    }
}
