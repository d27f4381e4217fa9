namespace Traceline;

/// <summary>Everything a span starts from, for <see cref="Tracer.StartSpanCore"/>: the one place spans are born.</summary>
internal readonly ref struct SpanStartArguments
{
    public SpanStartArguments(string name, SpanKind kind, in SpanContext parent, Span? previous)
    {
        Name = name;
        Kind = kind;
        Parent = parent;
        Previous = previous;
    }

    public string Name { get; }

    public SpanKind Kind { get; }

    /// <summary>Gets the parent's context; invalid for a new root.</summary>
    public SpanContext Parent { get; }

    /// <summary>Gets the span current in the calling flow (read once by the caller): current again once the new span ends.</summary>
    public Span? Previous { get; }

    /// <summary>Gets the attributes known at start, which the sampler sees.</summary>
    public ReadOnlySpan<SpanAttribute> Attributes { get; init; }

    public ReadOnlySpan<SpanLink> Links { get; init; }

    /// <summary>Gets an explicit start time, or <see langword="null"/> for now.</summary>
    public DateTimeOffset? StartTime { get; init; }

    /// <summary>
    /// Gets ids to adopt instead of random ones (the trace id only for a root): the ASP.NET Core middleware adopts
    /// those of the hosting Activity, so that logs and traces agree.
    /// </summary>
    public TraceId AdoptedTraceId { get; init; }

    /// <inheritdoc cref="AdoptedTraceId"/>
    public SpanId AdoptedSpanId { get; init; }

    /// <summary>
    /// Gets whether the caller hides <see cref="System.Diagnostics.Activity.Current"/> for the span's life (the
    /// HttpClient handler, so that .NET's own diagnostics start no Activity and send no header of their own): the span
    /// then needs no mirror (see <see cref="ActivityMirror"/>).
    /// </summary>
    public bool HidesActivity { get; init; }

    /// <summary>
    /// Gets whether the span is an HTTP client request's own (see <see cref="Span.CoversHttpRequest"/>), so that the
    /// runtime's HttpClient Activity of the same request becomes no second span.
    /// </summary>
    public bool CoversHttpRequest { get; init; }
}
