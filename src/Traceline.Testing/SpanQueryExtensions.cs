namespace Traceline.Testing;

/// <summary>Finds spans by name, kind, service and attribute, and reads spans as traces.</summary>
/// <remarks>The filters are lazy and compose: <c>spans.FromService("bar").OfKind(SpanKind.Client).Single()</c>.</remarks>
public static class SpanQueryExtensions
{
    /// <summary>Keeps the spans named <paramref name="name"/> (ordinal comparison).</summary>
    /// <param name="spans">The spans.</param>
    /// <param name="name">The span name, for example <c>GET /orders/{id}</c>.</param>
    /// <returns>The matching spans, in their order.</returns>
    public static IEnumerable<Span> Named(this IEnumerable<Span> spans, string name)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(name);
        return spans.Where(s => string.Equals(s.Name, name, StringComparison.Ordinal));
    }

    /// <summary>Keeps the spans of one kind.</summary>
    /// <param name="spans">The spans.</param>
    /// <param name="kind">The kind, for example <see cref="SpanKind.Server"/>.</param>
    /// <returns>The matching spans, in their order.</returns>
    public static IEnumerable<Span> OfKind(this IEnumerable<Span> spans, SpanKind kind)
    {
        ArgumentNullException.ThrowIfNull(spans);
        return spans.Where(s => s.Kind == kind);
    }

    /// <summary>Keeps the spans recorded by one service (the resource's <c>service.name</c>).</summary>
    /// <param name="spans">The spans.</param>
    /// <param name="serviceName">The service name.</param>
    /// <returns>The matching spans, in their order.</returns>
    public static IEnumerable<Span> FromService(this IEnumerable<Span> spans, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(serviceName);
        return spans.Where(s => string.Equals(s.Resource?.ServiceName, serviceName, StringComparison.Ordinal));
    }

    /// <summary>Keeps the spans that have the attribute <paramref name="key"/>, whatever its value.</summary>
    /// <param name="spans">The spans.</param>
    /// <param name="key">The attribute name, for example <c>http.route</c>.</param>
    /// <returns>The matching spans, in their order.</returns>
    public static IEnumerable<Span> WithAttribute(this IEnumerable<Span> spans, string key)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(key);
        return spans.Where(s => !s.GetAttribute(key).IsEmpty);
    }

    /// <summary>Keeps the spans whose attribute <paramref name="key"/> equals <paramref name="value"/> (same type and value).</summary>
    /// <param name="spans">The spans.</param>
    /// <param name="key">The attribute name.</param>
    /// <param name="value">The value; <c>42</c> matches a long attribute, <c>"42"</c> a string one.</param>
    /// <returns>The matching spans, in their order.</returns>
    public static IEnumerable<Span> WithAttribute(this IEnumerable<Span> spans, string key, AttributeValue value)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(key);
        return spans.Where(s => s.GetAttribute(key).Equals(value));
    }

    /// <summary>Returns the value of the attribute <paramref name="key"/> of <paramref name="span"/>.</summary>
    /// <param name="span">The span.</param>
    /// <param name="key">The attribute name.</param>
    /// <returns>The value, or an empty value (<see cref="AttributeValue.IsEmpty"/>) when the span has no such attribute.</returns>
    public static AttributeValue GetAttribute(this Span span, string key)
    {
        ArgumentNullException.ThrowIfNull(span);
        ArgumentNullException.ThrowIfNull(key);
        foreach (var attribute in span.Attributes)
        {
            if (string.Equals(attribute.Key, key, StringComparison.Ordinal))
            {
                return attribute.Value;
            }
        }

        return default;
    }

    /// <summary>Groups spans by trace id and reads each group as a tree.</summary>
    /// <param name="spans">Spans of any number of traces and services.</param>
    /// <returns>One tree per trace, in the order each trace's first span appears in <paramref name="spans"/>.</returns>
    public static IReadOnlyList<TraceTree> ToTraces(this IEnumerable<Span> spans)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var order = new List<TraceId>();
        var groups = new Dictionary<TraceId, List<Span>>();
        foreach (var span in spans)
        {
            var traceId = span.Context.TraceId;
            if (!groups.TryGetValue(traceId, out var group))
            {
                groups[traceId] = group = [];
                order.Add(traceId);
            }

            group.Add(span);
        }

        var traces = new TraceTree[order.Count];
        for (var i = 0; i < traces.Length; i++)
        {
            traces[i] = new TraceTree(order[i], groups[order[i]]);
        }

        return traces;
    }
}
