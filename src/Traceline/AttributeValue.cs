using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Traceline;

/// <summary>
/// The value of a span, event, link or resource attribute: a string, bool, long or double, or an array of one of them.
/// </summary>
/// <remarks>
/// Converts implicitly from each of those types, so <c>span.SetAttribute("id", 42)</c> and
/// <c>new SpanAttribute("tags", new[] { "a", "b" })</c> read naturally. Arrays are copied when converted, so a
/// caller's later changes never reach a recorded span. Scalars are stored without boxing.
/// </remarks>
public readonly struct AttributeValue : IEquatable<AttributeValue>
{
    // Perf: 16 bytes. The object field holds the string or array, or a marker naming the scalar type;
    // the scalar itself lives in the 64-bit field, so setting a number or a bool never boxes.
    private readonly object? _ref;
    private readonly long _bits;

    private AttributeValue(object? reference, long bits)
    {
        _ref = reference;
        _bits = bits;
    }

    /// <summary>Gets the type of the value.</summary>
    public AttributeValueType Type => _ref switch
    {
        null => AttributeValueType.Empty,
        string => AttributeValueType.String,
        ScalarMarker marker => marker.Type,
        string[] => AttributeValueType.StringArray,
        bool[] => AttributeValueType.BoolArray,
        long[] => AttributeValueType.LongArray,
        double[] => AttributeValueType.DoubleArray,
        _ => AttributeValueType.Empty,
    };

    /// <summary>Gets the string when <see cref="Type"/> is <see cref="AttributeValueType.String"/>, else <see langword="null"/>.</summary>
    public string? StringValue => _ref as string;

    /// <summary>Gets the boolean when <see cref="Type"/> is <see cref="AttributeValueType.Bool"/>, else <see langword="false"/>.</summary>
    public bool BoolValue => ReferenceEquals(_ref, ScalarMarker.Bool) && _bits != 0;

    /// <summary>Gets the integer when <see cref="Type"/> is <see cref="AttributeValueType.Long"/>, else 0.</summary>
    public long LongValue => ReferenceEquals(_ref, ScalarMarker.Long) ? _bits : 0;

    /// <summary>Gets the number when <see cref="Type"/> is <see cref="AttributeValueType.Double"/>, else 0.</summary>
    public double DoubleValue => ReferenceEquals(_ref, ScalarMarker.Double) ? BitConverter.Int64BitsToDouble(_bits) : 0;

    /// <summary>Gets the strings when <see cref="Type"/> is <see cref="AttributeValueType.StringArray"/>, else empty.</summary>
    public ReadOnlySpan<string> StringArrayValue => _ref as string[];

    /// <summary>Gets the booleans when <see cref="Type"/> is <see cref="AttributeValueType.BoolArray"/>, else empty.</summary>
    public ReadOnlySpan<bool> BoolArrayValue => _ref as bool[];

    /// <summary>Gets the integers when <see cref="Type"/> is <see cref="AttributeValueType.LongArray"/>, else empty.</summary>
    public ReadOnlySpan<long> LongArrayValue => _ref as long[];

    /// <summary>Gets the numbers when <see cref="Type"/> is <see cref="AttributeValueType.DoubleArray"/>, else empty.</summary>
    public ReadOnlySpan<double> DoubleArrayValue => _ref as double[];

    /// <summary>Gets whether there is no value.</summary>
    public bool IsEmpty => _ref is null;

    /// <summary>Creates a string value. <see langword="null"/> gives an empty value, which setters ignore.</summary>
    /// <param name="value">The string.</param>
    /// <returns>The attribute value.</returns>
    public static AttributeValue FromString(string? value) => new(value, 0);

    /// <summary>Creates a boolean value.</summary>
    /// <param name="value">The boolean.</param>
    /// <returns>The attribute value.</returns>
    public static AttributeValue FromBool(bool value) => new(ScalarMarker.Bool, value ? 1 : 0);

    /// <summary>Creates an integer value.</summary>
    /// <param name="value">The integer.</param>
    /// <returns>The attribute value.</returns>
    public static AttributeValue FromLong(long value) => new(ScalarMarker.Long, value);

    /// <summary>Creates a floating-point value.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The attribute value.</returns>
    public static AttributeValue FromDouble(double value) => new(ScalarMarker.Double, BitConverter.DoubleToInt64Bits(value));

    /// <summary>Creates a string-array value from a copy of <paramref name="values"/>; <see langword="null"/> gives an empty value.</summary>
    /// <param name="values">The strings; <see langword="null"/> elements are kept as null.</param>
    /// <returns>The attribute value.</returns>
    public static AttributeValue FromStringArray(ReadOnlySpan<string> values) => new(values.ToArray(), 0);

    /// <summary>Creates a boolean-array value from a copy of <paramref name="values"/>.</summary>
    /// <param name="values">The booleans.</param>
    /// <returns>The attribute value.</returns>
    public static AttributeValue FromBoolArray(ReadOnlySpan<bool> values) => new(values.ToArray(), 0);

    /// <summary>Creates an integer-array value from a copy of <paramref name="values"/>.</summary>
    /// <param name="values">The integers.</param>
    /// <returns>The attribute value.</returns>
    public static AttributeValue FromLongArray(ReadOnlySpan<long> values) => new(values.ToArray(), 0);

    /// <summary>Creates a floating-point-array value from a copy of <paramref name="values"/>.</summary>
    /// <param name="values">The numbers.</param>
    /// <returns>The attribute value.</returns>
    public static AttributeValue FromDoubleArray(ReadOnlySpan<double> values) => new(values.ToArray(), 0);

    /// <summary>Converts a string.</summary>
    /// <param name="value">The string.</param>
    public static implicit operator AttributeValue(string? value) => FromString(value);

    /// <summary>Converts a boolean.</summary>
    /// <param name="value">The boolean.</param>
    public static implicit operator AttributeValue(bool value) => FromBool(value);

    /// <summary>Converts an integer (any smaller integer type converts through this one).</summary>
    /// <param name="value">The integer.</param>
    public static implicit operator AttributeValue(long value) => FromLong(value);

    /// <summary>Converts a floating-point number.</summary>
    /// <param name="value">The number.</param>
    public static implicit operator AttributeValue(double value) => FromDouble(value);

    /// <summary>Converts a copy of a string array.</summary>
    /// <param name="values">The strings.</param>
    public static implicit operator AttributeValue(string[]? values) => values is null ? default : FromStringArray(values);

    /// <summary>Converts a copy of a boolean array.</summary>
    /// <param name="values">The booleans.</param>
    public static implicit operator AttributeValue(bool[]? values) => values is null ? default : FromBoolArray(values);

    /// <summary>Converts a copy of an integer array.</summary>
    /// <param name="values">The integers.</param>
    public static implicit operator AttributeValue(long[]? values) => values is null ? default : FromLongArray(values);

    /// <summary>Converts a copy of a floating-point array.</summary>
    /// <param name="values">The numbers.</param>
    public static implicit operator AttributeValue(double[]? values) => values is null ? default : FromDoubleArray(values);

    /// <summary>Gets the raw storage for exporters in this assembly.</summary>
    internal object? Reference => _ref;

    /// <summary>Gets the raw scalar bits for exporters in this assembly.</summary>
    internal long Bits => _bits;

    /// <summary>
    /// Gets <see cref="AttributeValueType.Bool"/>, <see cref="AttributeValueType.Long"/> or
    /// <see cref="AttributeValueType.Double"/> for a scalar, else <see cref="AttributeValueType.Empty"/> (strings,
    /// arrays and empty values), for the protobuf encoder.
    /// </summary>
    /// <remarks>Perf: one exact-type check, where <see cref="Type"/> may try several array types.</remarks>
    internal AttributeValueType ScalarType => _ref is ScalarMarker marker ? marker.Type : AttributeValueType.Empty;

    /// <summary>Returns this value with strings cut to <paramref name="maxLength"/> characters (the attribute value-length limit).</summary>
    internal AttributeValue Truncate(int maxLength)
    {
        switch (_ref)
        {
            case string s when s.Length > maxLength:
                return new AttributeValue(TruncateString(s, maxLength), 0);
            case string[] array:
                string[]? copy = null;
                for (var i = 0; i < array.Length; i++)
                {
                    if (array[i] is { } item && item.Length > maxLength)
                    {
                        copy ??= (string[])array.Clone();
                        copy[i] = TruncateString(item, maxLength);
                    }
                }

                return copy is null ? this : new AttributeValue(copy, 0);
            default:
                return this;
        }
    }

    private static string TruncateString(string value, int maxLength)
    {
        // Never split a surrogate pair: an exporter would have to write invalid UTF-16.
        if (maxLength > 0 && char.IsHighSurrogate(value[maxLength - 1]))
        {
            maxLength--;
        }

        return value[..maxLength];
    }

    /// <summary>Returns the value as an object: the string, a boxed scalar, or a copy of the array.</summary>
    /// <returns>The value, or <see langword="null"/> when empty.</returns>
    public object? ToObject() => _ref switch
    {
        null => null,
        string s => s,
        ScalarMarker m when m.Type == AttributeValueType.Bool => _bits != 0,
        ScalarMarker m when m.Type == AttributeValueType.Long => _bits,
        ScalarMarker => BitConverter.Int64BitsToDouble(_bits),
        Array array => array.Clone(),
        _ => null,
    };

    /// <summary>Returns the value as invariant-culture text; arrays as a comma-separated list in brackets.</summary>
    /// <returns>A readable form of the value.</returns>
    public override string ToString() => _ref switch
    {
        null => string.Empty,
        string s => s,
        ScalarMarker m when m.Type == AttributeValueType.Bool => _bits != 0 ? "true" : "false",
        ScalarMarker m when m.Type == AttributeValueType.Long => _bits.ToString(CultureInfo.InvariantCulture),
        ScalarMarker => BitConverter.Int64BitsToDouble(_bits).ToString("R", CultureInfo.InvariantCulture),
        string[] a => "[" + string.Join(", ", a) + "]",
        bool[] a => "[" + string.Join(", ", Array.ConvertAll(a, b => b ? "true" : "false")) + "]",
        long[] a => "[" + string.Join(", ", Array.ConvertAll(a, l => l.ToString(CultureInfo.InvariantCulture))) + "]",
        double[] a => "[" + string.Join(", ", Array.ConvertAll(a, d => d.ToString("R", CultureInfo.InvariantCulture))) + "]",
        _ => string.Empty,
    };

    /// <inheritdoc/>
    public bool Equals(AttributeValue other)
    {
        if (_ref is ScalarMarker || other._ref is ScalarMarker)
        {
            return ReferenceEquals(_ref, other._ref) && _bits == other._bits;
        }

        return _ref switch
        {
            string s => other._ref is string o && string.Equals(s, o, StringComparison.Ordinal),
            string[] a => other._ref is string[] o && a.AsSpan().SequenceEqual(o),
            bool[] a => other._ref is bool[] o && a.AsSpan().SequenceEqual(o),
            long[] a => other._ref is long[] o && a.AsSpan().SequenceEqual(o),
            double[] a => other._ref is double[] o && a.AsSpan().SequenceEqual(o),
            _ => other._ref is null,
        };
    }

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is AttributeValue other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _ref switch
    {
        null => 0,
        string s => StringComparer.Ordinal.GetHashCode(s),
        ScalarMarker m => HashCode.Combine(m.Type, _bits),
        Array a => HashCode.Combine(a.GetType(), a.Length),
        _ => 0,
    };

    /// <summary>Compares two values for equality (arrays element by element).</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when the values are equal.</returns>
    public static bool operator ==(AttributeValue left, AttributeValue right) => left.Equals(right);

    /// <summary>Compares two values for inequality.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns><see langword="true"/> when the values differ.</returns>
    public static bool operator !=(AttributeValue left, AttributeValue right) => !left.Equals(right);

    private sealed class ScalarMarker(AttributeValueType type)
    {
        public static readonly ScalarMarker Bool = new(AttributeValueType.Bool);
        public static readonly ScalarMarker Long = new(AttributeValueType.Long);
        public static readonly ScalarMarker Double = new(AttributeValueType.Double);

        public AttributeValueType Type { get; } = type;
    }
}
