namespace Traceline;

/// <summary>
/// Caps on what one span records, so that a loop that adds attributes or events cannot exhaust memory. What a limit
/// refuses is counted and exported with the span.
/// </summary>
/// <remarks>
/// Defaults are OpenTelemetry's. Set in code with <see cref="TracingBuilder.WithSpanLimits"/>, in configuration under
/// <c>Tracing:SpanLimits</c>, or with <c>OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT</c>, <c>OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT</c>,
/// <c>OTEL_SPAN_EVENT_COUNT_LIMIT</c>, <c>OTEL_SPAN_LINK_COUNT_LIMIT</c>, <c>OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT</c> and
/// <c>OTEL_LINK_ATTRIBUTE_COUNT_LIMIT</c>.
/// </remarks>
public sealed class SpanLimits
{
    internal const int DefaultCount = 128;

    /// <summary>Gets or sets the most attributes a span keeps. Default 128.</summary>
    public int AttributeCountLimit { get; set; } = DefaultCount;

    /// <summary>Gets or sets the most characters a string attribute value keeps (longer ones are cut), or <see langword="null"/> for no limit (the default).</summary>
    public int? AttributeValueLengthLimit { get; set; }

    /// <summary>Gets or sets the most events a span keeps. Default 128.</summary>
    public int EventCountLimit { get; set; } = DefaultCount;

    /// <summary>Gets or sets the most links a span keeps. Default 128.</summary>
    public int LinkCountLimit { get; set; } = DefaultCount;

    /// <summary>Gets or sets the most attributes one event keeps. Default 128.</summary>
    public int EventAttributeCountLimit { get; set; } = DefaultCount;

    /// <summary>Gets or sets the most attributes one link keeps. Default 128.</summary>
    public int LinkAttributeCountLimit { get; set; } = DefaultCount;

    internal ResolvedSpanLimits Resolve() => new(
        Math.Max(0, AttributeCountLimit),
        AttributeValueLengthLimit is { } length ? Math.Max(0, length) : -1,
        Math.Max(0, EventCountLimit),
        Math.Max(0, LinkCountLimit),
        Math.Max(0, EventAttributeCountLimit),
        Math.Max(0, LinkAttributeCountLimit));
}
