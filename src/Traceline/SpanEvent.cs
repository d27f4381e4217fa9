namespace Traceline;

/// <summary>Something that happened at one instant during a span, with attributes of its own.</summary>
/// <remarks>Immutable once recorded; read by exporters.</remarks>
public sealed class SpanEvent
{
    private readonly SpanAttribute[] _attributes;

    internal SpanEvent(string name, long timeUnixNanos, SpanAttribute[] attributes, int droppedAttributeCount)
    {
        Name = name;
        TimeUnixNanos = timeUnixNanos;
        _attributes = attributes;
        DroppedAttributeCount = droppedAttributeCount;
    }

    /// <summary>Gets the event name (for example <c>exception</c>).</summary>
    public string Name { get; }

    /// <summary>Gets when the event happened.</summary>
    public DateTimeOffset Timestamp => UnixTime.ToDateTimeOffset(TimeUnixNanos);

    /// <summary>Gets the event's attributes, in the order they were given.</summary>
    public ReadOnlySpan<SpanAttribute> Attributes => _attributes;

    /// <summary>Gets how many attributes the per-event limit refused.</summary>
    public int DroppedAttributeCount { get; }

    /// <summary>Gets the time in nanoseconds since the Unix epoch (the OTLP representation).</summary>
    internal long TimeUnixNanos { get; }
}
