namespace Traceline.Sampling;

/// <summary>What a sampler knows about a span that is about to start.</summary>
/// <remarks>A ref struct: it lives only for the call to <see cref="Sampler.ShouldSample"/>, and building it allocates nothing.</remarks>
public readonly ref struct SamplingParameters
{
    /// <summary>Creates sampling parameters.</summary>
    /// <param name="parent">The parent's context, or <see langword="default"/> for a root span.</param>
    /// <param name="traceId">The trace id the span will have.</param>
    /// <param name="name">The span name.</param>
    /// <param name="kind">The span kind.</param>
    /// <param name="attributes">The attributes given at start.</param>
    /// <param name="links">The links given at start.</param>
    public SamplingParameters(
        in SpanContext parent,
        TraceId traceId,
        string name,
        SpanKind kind,
        ReadOnlySpan<SpanAttribute> attributes = default,
        ReadOnlySpan<SpanLink> links = default)
    {
        Parent = parent;
        TraceId = traceId;
        Name = name;
        Kind = kind;
        Attributes = attributes;
        Links = links;
    }

    /// <summary>Gets the parent's context; <see cref="SpanContext.IsValid"/> is <see langword="false"/> for a root span.</summary>
    public SpanContext Parent { get; }

    /// <summary>Gets the trace id the span will have (the parent's, or a new one for a root).</summary>
    public TraceId TraceId { get; }

    /// <summary>Gets the span name.</summary>
    public string Name { get; }

    /// <summary>Gets the span kind.</summary>
    public SpanKind Kind { get; }

    /// <summary>Gets the attributes given at start.</summary>
    public ReadOnlySpan<SpanAttribute> Attributes { get; }

    /// <summary>Gets the links given at start.</summary>
    public ReadOnlySpan<SpanLink> Links { get; }
}
