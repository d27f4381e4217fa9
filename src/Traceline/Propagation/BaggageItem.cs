using System.Runtime.InteropServices;

namespace Traceline.Propagation;

/// <summary>One W3C Baggage list member: a name, a value, and its properties as received.</summary>
/// <param name="name">The member name.</param>
/// <param name="value">The decoded value.</param>
/// <param name="properties">The member's properties (the text after the first <c>;</c>), or <see langword="null"/>.</param>
[StructLayout(LayoutKind.Auto)]
public readonly struct BaggageItem(string name, string value, string? properties = null) : IEquatable<BaggageItem>
{
    /// <summary>Gets the name.</summary>
    public string Name { get; } = name;

    /// <summary>Gets the decoded value.</summary>
    public string Value { get; } = value;

    /// <summary>Gets the properties as received (for example <c>propertyKey=propertyValue;flag</c>), or <see langword="null"/>.</summary>
    public string? Properties { get; } = string.IsNullOrEmpty(properties) ? null : properties;

    /// <inheritdoc/>
    public bool Equals(BaggageItem other) =>
        string.Equals(Name, other.Name, StringComparison.Ordinal)
        && string.Equals(Value, other.Value, StringComparison.Ordinal)
        && string.Equals(Properties, other.Properties, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BaggageItem other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Value, Properties);

    /// <summary>Compares two items.</summary>
    /// <param name="left">The first item.</param>
    /// <param name="right">The second item.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(BaggageItem left, BaggageItem right) => left.Equals(right);

    /// <summary>Compares two items.</summary>
    /// <param name="left">The first item.</param>
    /// <param name="right">The second item.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(BaggageItem left, BaggageItem right) => !left.Equals(right);
}
