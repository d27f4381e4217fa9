namespace Traceline;

/// <summary>What produced the spans: the service and the process it runs in, as attributes shared by every span of a provider.</summary>
/// <remarks>
/// Built once with the provider: <c>service.name</c> (code, else <c>OTEL_SERVICE_NAME</c>, else <c>service.name</c>
/// in <c>OTEL_RESOURCE_ATTRIBUTES</c>, else the entry assembly's name), <c>service.version</c>,
/// <c>service.instance.id</c>, <c>telemetry.sdk.*</c>, <c>host.name</c>, <c>process.pid</c>, and every pair of
/// <c>OTEL_RESOURCE_ATTRIBUTES</c>.
/// </remarks>
public sealed class Resource
{
    private readonly SpanAttribute[] _attributes;

    internal Resource(SpanAttribute[] attributes)
    {
        _attributes = attributes;
        foreach (var attribute in attributes)
        {
            if (attribute.Key == SemanticConventions.ServiceName)
            {
                ServiceName = attribute.Value.StringValue ?? string.Empty;
            }
        }

        ServiceName ??= string.Empty;
    }

    /// <summary>Gets the value of <c>service.name</c>.</summary>
    public string ServiceName { get; }

    /// <summary>Gets the attributes.</summary>
    public ReadOnlySpan<SpanAttribute> Attributes => _attributes;

    /// <summary>Gets the value of one attribute, or an empty value.</summary>
    /// <param name="key">The attribute name.</param>
    /// <returns>The value.</returns>
    public AttributeValue GetValue(string key)
    {
        foreach (var attribute in _attributes)
        {
            if (string.Equals(attribute.Key, key, StringComparison.Ordinal))
            {
                return attribute.Value;
            }
        }

        return default;
    }
}
