namespace Traceline;

/// <summary>
/// What a recording span records: everything but its identity. A <see cref="Span"/> is the handle that owns one while
/// the span runs and until it is exported; when the provider's exporter says it holds nothing after an export, the
/// processor hands the storage back to <see cref="SpanDataPool"/> and the next span reuses it (attribute array
/// included), so a steady stream of spans allocates only the small handles.
/// </summary>
internal sealed class SpanData
{
#pragma warning disable CA1051 // Plain storage guarded by the owning span's lock.
    public Tracer Tracer = null!;
    public string Name = string.Empty;
    public long StartTimestamp;
    public long StartUnixNanos;
    public long EndUnixNanos;
    public SpanId ParentSpanId;
    public TraceFlags ParentFlags;
    public bool ParentIsRemote;
    public byte Kind;
    public byte Status;
    public AttributeBag Attributes;
    public SpanDetails? Details;
#pragma warning restore CA1051

    /// <summary>Forgets everything recorded, keeping the attribute array for the next span.</summary>
    public void Reset()
    {
        Tracer = null!;
        Name = string.Empty;
        StartTimestamp = 0;
        StartUnixNanos = 0;
        EndUnixNanos = 0;
        ParentSpanId = default;
        ParentFlags = default;
        ParentIsRemote = false;
        Kind = 0;
        Status = 0;
        Attributes.Clear();
        Details = null;
    }

    /// <summary>An event with its attributes frozen within the event limits (made outside the span's lock).</summary>
    public static SpanEvent NewEvent(ResolvedSpanLimits limits, string name, long unixNanos, ReadOnlySpan<SpanAttribute> attributes)
    {
        var frozen = AttributeBag.Freeze(attributes, limits.EventAttributeCount, limits.AttributeValueLength, out var dropped);
        return new SpanEvent(name, unixNanos, frozen, dropped);
    }

    /// <summary>Adds an event (its attributes already frozen, see <see cref="NewEvent"/>) within the event count limit.</summary>
    public void AddEvent(SpanEvent spanEvent)
    {
        var details = Details ??= new SpanDetails();
        if (details.Events is null || details.Events.Count < Tracer.Limits.EventCount)
        {
            (details.Events ??= []).Add(spanEvent);
        }
        else
        {
            details.DroppedEvents++;
        }
    }

    /// <summary>Adds a link (of a valid context) within the link limits, its attributes frozen.</summary>
    public void AddLink(SpanLink link)
    {
        var limits = Tracer.Limits;
        var details = Details ??= new SpanDetails();
        if (details.LinkCount >= limits.LinkCount)
        {
            details.DroppedLinks++;
            return;
        }

        var frozen = AttributeBag.Freeze(link.Attributes, limits.LinkAttributeCount, limits.AttributeValueLength, out var dropped);
        if (details.LinkCount == details.Links.Length)
        {
            Array.Resize(ref details.Links, Math.Max(2, details.Links.Length * 2));
        }

        details.Links[details.LinkCount++] = new SpanLink(link.Context, frozen, dropped + link.DroppedAttributeCount);
    }

    /// <summary>Sets a status other than Unset: Ok is final, an Error's description is cut to the value-length limit.</summary>
    public void SetStatus(SpanStatusCode code, string? description)
    {
        if (Status == (byte)SpanStatusCode.Ok)
        {
            return;
        }

        Status = (byte)code;
        if (code == SpanStatusCode.Error)
        {
            if (description is not null || Details is not null)
            {
                if (description is not null && Tracer.Limits.AttributeValueLength is >= 0 and var limit && description.Length > limit)
                {
                    description = AttributeValue.FromString(description).Truncate(limit).StringValue;
                }

                (Details ??= new SpanDetails()).StatusDescription = description;
            }
        }
        else if (Details is not null)
        {
            Details.StatusDescription = null;
        }
    }
}
