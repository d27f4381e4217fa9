namespace Traceline;

/// <summary>Span limits turned into plain fields once, when the provider is built. A value-length limit of -1 means none.</summary>
internal sealed record ResolvedSpanLimits(
    int AttributeCount,
    int AttributeValueLength,
    int EventCount,
    int LinkCount,
    int EventAttributeCount,
    int LinkAttributeCount);
