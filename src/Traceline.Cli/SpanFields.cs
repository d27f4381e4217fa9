using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>A span as read from a log, before its ids and times are checked; the layouts fill it, <see cref="SpanParser"/> checks it.</summary>
internal struct SpanFields
{
    public string? Name;
    public HexId TraceHex;
    public HexId SpanHex;
    public HexId ParentHex;
    public bool ParentIsRemote;
    public bool HasContext;
    public SpanKind Kind;
    public long Start;
    public long End;
    public bool HasStart;
    public bool HasEnd;
    public string? Service;
    public SpanStatusCode Status;
    public string? StatusDescription;
    public string? ErrorType;
    public HexId LinkTraceHex;
    public HexId LinkSpanHex;

    /// <summary>Gets whether nothing span-like was read: another JSON object the process logged, not a bad span.</summary>
    public readonly bool IsOtherObject => !HasContext && Name is null;

    /// <summary>Says what makes this no usable span, or <see langword="null"/> when it is one.</summary>
    public readonly string? Problem()
    {
        if (!HasContext)
        {
            return $"not a span: '{Shorten(Name)}' has no SpanContext (or traceId)";
        }

        if (!TraceHex.TryGetTraceId(out var traceId))
        {
            return $"bad trace id '{Shorten(TraceHex.Text)}': expected 32 lowercase hex digits, not all zero";
        }

        if (!SpanHex.TryGetSpanId(out var spanId))
        {
            return $"bad span id '{Shorten(SpanHex.Text)}' in trace {traceId}: expected 16 lowercase hex digits, not all zero";
        }

        if (!ParentHex.IsEmptyOrZero && !ParentHex.TryGetSpanId(out _))
        {
            return $"bad parent span id '{Shorten(ParentHex.Text)}' of span {spanId}: expected 16 lowercase hex digits";
        }

        if (Name is null)
        {
            return $"span {spanId} has no name";
        }

        return !HasStart ? $"span {spanId} has no start time" : !HasEnd ? $"span {spanId} has no end time" : null;
    }

    /// <summary>Sets what an attribute says about the span (its error type) or its resource (the service).</summary>
    public void Apply(AttributeKey key, string? value, bool resource)
    {
        switch (key)
        {
            case AttributeKey.ServiceName when resource:
                Service = value;
                break;
            case AttributeKey.ErrorType when !resource:
                ErrorType = value;
                break;
            case AttributeKey.ExceptionType when !resource:
                ErrorType ??= value;
                break;
        }
    }

    /// <summary>Builds the span; <see cref="Problem"/> has found nothing wrong.</summary>
    public readonly TraceSpan ToSpan(StringPool strings)
    {
        // An all-zero parent id parses to "no parent".
        ParentHex.TryGetSpanId(out var parentId);
        TraceHex.TryGetTraceId(out var traceId);
        SpanHex.TryGetSpanId(out var spanId);
        var link = default(SpanContext);
        if (LinkTraceHex.TryGetTraceId(out var linkTrace) && LinkSpanHex.TryGetSpanId(out var linkSpan))
        {
            link = new SpanContext(linkTrace, linkSpan, TraceFlags.None);
        }

        return new TraceSpan
        {
            TraceId = traceId,
            SpanId = spanId,
            ParentSpanId = parentId,
            ParentIsRemote = ParentIsRemote,
            Name = Name!,
            Kind = Kind,
            Service = Service ?? strings.Get("(unknown service)".AsSpan()),
            StartUnixNanos = Start,
            EndUnixNanos = End,
            Status = Status,
            StatusDescription = StatusDescription,
            ErrorType = ErrorType,
            Link = link,
        };
    }

    private static string Shorten(string? text) => text is null ? "(none)" : text.Length > 40 ? text[..40] + "…" : text;
}

/// <summary>The attributes a trace tree cares about.</summary>
internal enum AttributeKey
{
    Other,
    ServiceName,
    ErrorType,
    ExceptionType,
}
