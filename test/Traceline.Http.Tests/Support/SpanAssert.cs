namespace Traceline.Http.Tests.Support;

internal static class SpanAssert
{
    public static AttributeValue Attribute(this Span span, string key)
    {
        foreach (var attribute in span.Attributes)
        {
            if (attribute.Key == key)
            {
                return attribute.Value;
            }
        }

        return default;
    }

    public static bool HasAttribute(this Span span, string key) => !span.Attribute(key).IsEmpty;

    public static string? String(this Span span, string key) => span.Attribute(key).StringValue;

    public static long Long(this Span span, string key) => span.Attribute(key).LongValue;
}
