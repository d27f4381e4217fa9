namespace Traceline;

/// <summary>The parts of a span that most spans never use, allocated on first use to keep the common span small.</summary>
internal sealed class SpanDetails
{
#pragma warning disable CA1051 // Plain storage guarded by the owning span.
    public List<SpanEvent>? Events;
    public SpanLink[] Links = [];
    public int LinkCount;
    public string? StatusDescription;
    public int DroppedEvents;
    public int DroppedLinks;
#pragma warning restore CA1051
}
