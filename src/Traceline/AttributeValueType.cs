namespace Traceline;

/// <summary>The type of an <see cref="AttributeValue"/>: the value types that OpenTelemetry attributes allow.</summary>
public enum AttributeValueType
{
    /// <summary>No value (<see langword="default"/> of <see cref="AttributeValue"/>).</summary>
    Empty = 0,

    /// <summary>A string.</summary>
    String,

    /// <summary>A boolean.</summary>
    Bool,

    /// <summary>A signed 64-bit integer.</summary>
    Long,

    /// <summary>A double-precision floating-point number.</summary>
    Double,

    /// <summary>An array of strings.</summary>
    StringArray,

    /// <summary>An array of booleans.</summary>
    BoolArray,

    /// <summary>An array of signed 64-bit integers.</summary>
    LongArray,

    /// <summary>An array of double-precision floating-point numbers.</summary>
    DoubleArray,
}
