using System.Runtime.InteropServices;

namespace Traceline;

/// <summary>One key and its value, as recorded on a span, an event, a link or a resource.</summary>
/// <param name="key">The attribute name, by the OpenTelemetry semantic conventions where one applies (for example <c>http.route</c>).</param>
/// <param name="value">The value.</param>
[StructLayout(LayoutKind.Auto)]
public readonly struct SpanAttribute(string key, AttributeValue value) : IEquatable<SpanAttribute>
{
    /// <summary>Gets the attribute name.</summary>
    public string Key { get; } = key;

    /// <summary>Gets the value.</summary>
    public AttributeValue Value { get; } = value;

    /// <inheritdoc/>
    public bool Equals(SpanAttribute other) => string.Equals(Key, other.Key, StringComparison.Ordinal) && Value.Equals(other.Value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SpanAttribute other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Key, Value);

    /// <summary>Returns <c>key=value</c>.</summary>
    /// <returns>A readable form.</returns>
    public override string ToString() => $"{Key}={Value}";

    /// <summary>Compares two attributes for equality.</summary>
    /// <param name="left">The first attribute.</param>
    /// <param name="right">The second attribute.</param>
    /// <returns><see langword="true"/> when key and value are equal.</returns>
    public static bool operator ==(SpanAttribute left, SpanAttribute right) => left.Equals(right);

    /// <summary>Compares two attributes for inequality.</summary>
    /// <param name="left">The first attribute.</param>
    /// <param name="right">The second attribute.</param>
    /// <returns><see langword="true"/> when key or value differ.</returns>
    public static bool operator !=(SpanAttribute left, SpanAttribute right) => !left.Equals(right);
}
