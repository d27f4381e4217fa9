namespace Traceline.Internal.Tree;

/// <summary>
/// What a trace tree needs of one span, copied out of a <see cref="Span"/> (the tree layout) or read from a log
/// (<c>traceline view</c>): small, immutable, and free of the span's pooled storage.
/// </summary>
internal sealed class TraceSpan
{
    public required TraceId TraceId { get; init; }

    public required SpanId SpanId { get; init; }

    public SpanId ParentSpanId { get; init; }

    public bool ParentIsRemote { get; init; }

    public required string Name { get; init; }

    public SpanKind Kind { get; init; }

    public string Service { get; init; } = string.Empty;

    public long StartUnixNanos { get; init; }

    public long EndUnixNanos { get; init; }

    public SpanStatusCode Status { get; init; }

    public string? StatusDescription { get; init; }

    /// <summary>Gets <c>error.type</c>, or the <c>exception.type</c> of a recorded exception.</summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets the first link's context: a trace started at an untrusted boundary links the caller this way.</summary>
    public SpanContext Link { get; init; }

    public long DurationNanos => Math.Max(0, EndUnixNanos - StartUnixNanos);

    public bool IsError => Status == SpanStatusCode.Error || ErrorType is not null;

    public static TraceSpan From(Span span)
    {
        string? errorType = null;
        foreach (var attribute in span.Attributes)
        {
            if (attribute.Key == SemanticConventions.ErrorType)
            {
                errorType = attribute.Value.StringValue;
            }
        }

        if (errorType is null)
        {
            foreach (var spanEvent in span.Events)
            {
                foreach (var attribute in spanEvent.Attributes)
                {
                    if (attribute.Key == SemanticConventions.ExceptionType)
                    {
                        errorType = attribute.Value.StringValue;
                    }
                }
            }
        }

        var parent = span.Parent;
        var links = span.Links;
        return new TraceSpan
        {
            TraceId = span.Context.TraceId,
            SpanId = span.Context.SpanId,
            ParentSpanId = parent.SpanId,
            ParentIsRemote = parent.IsRemote,
            Name = span.Name,
            Kind = span.Kind,
            Service = span.Resource?.ServiceName ?? string.Empty,
            StartUnixNanos = span.StartUnixNanos,
            EndUnixNanos = span.EndUnixNanos,
            Status = span.Status,
            StatusDescription = span.StatusDescription,
            ErrorType = errorType,
            Link = links.Length > 0 ? links[0].Context : default,
        };
    }
}
