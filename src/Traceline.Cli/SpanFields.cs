using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>A span as read from a log, before its ids and times are checked; the layouts fill it, <see cref="SpanParser"/> checks it.</summary>
internal struct SpanFields
{
    public string? Name;
    public string? TraceIdText;
    public string? SpanIdText;
    public string? ParentIdText;
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
    public string? LinkTraceIdText;
    public string? LinkSpanIdText;

    /// <summary>Gets whether nothing span-like was read: another JSON object the process logged, not a bad span.</summary>
    public readonly bool IsOtherObject => !HasContext && Name is null;

    /// <summary>Says what makes this no usable span, or <see langword="null"/> when it is one.</summary>
    public readonly string? Problem()
    {
        if (!HasContext)
        {
            return $"not a span: '{Shorten(Name)}' has no SpanContext (or traceId)";
        }

        if (!TraceId.TryParse(TraceIdText, out var traceId) || !traceId.IsValid)
        {
            return $"bad trace id '{Shorten(TraceIdText)}': expected 32 lowercase hex digits, not all zero";
        }

        if (!SpanId.TryParse(SpanIdText, out var spanId) || !spanId.IsValid)
        {
            return $"bad span id '{Shorten(SpanIdText)}' in trace {TraceIdText}: expected 16 lowercase hex digits, not all zero";
        }

        if (!string.IsNullOrEmpty(ParentIdText) && !SpanId.TryParse(ParentIdText, out _) && ParentIdText.AsSpan().IndexOfAnyExcept('0') >= 0)
        {
            return $"bad parent span id '{Shorten(ParentIdText)}' of span {SpanIdText}: expected 16 lowercase hex digits";
        }

        if (Name is null)
        {
            return $"span {SpanIdText} has no name";
        }

        return !HasStart ? $"span {SpanIdText} has no start time" : !HasEnd ? $"span {SpanIdText} has no end time" : null;
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
        var parentId = SpanId.TryParse(ParentIdText, out var parsed) ? parsed : default;
        var link = default(SpanContext);
        if (TraceId.TryParse(LinkTraceIdText, out var linkTrace) && SpanId.TryParse(LinkSpanIdText, out var linkSpan))
        {
            link = new SpanContext(linkTrace, linkSpan, TraceFlags.None);
        }

        return new TraceSpan
        {
            TraceId = TraceId.Parse(TraceIdText),
            SpanId = SpanId.Parse(SpanIdText),
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
