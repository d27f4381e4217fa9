using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Traceline;

/// <summary>
/// The 8-byte identifier of one span (W3C Trace Context <c>parent-id</c> when it crosses the wire).
/// </summary>
/// <remarks>
/// The all-zero value (<see langword="default"/>) is invalid and means "no span", for example the parent of a
/// root span. On the wire a span id is 16 lowercase hexadecimal characters.
/// </remarks>
public readonly struct SpanId : IEquatable<SpanId>, ISpanFormattable
{
    /// <summary>The length of a span id in bytes (8).</summary>
    public const int ByteLength = 8;

    /// <summary>The length of a span id in lowercase hexadecimal characters (16).</summary>
    public const int HexLength = 16;

    private readonly ulong _value;

    private SpanId(ulong value) => _value = value;

    /// <summary>Gets whether this id is valid, that is, not all zero.</summary>
    public bool IsValid => _value != 0;

    /// <summary>Gets the id as a big-endian unsigned integer.</summary>
    internal ulong Value => _value;

    /// <summary>Creates a random, valid span id. Thread-safe; never returns the all-zero id.</summary>
    /// <returns>A new span id.</returns>
    public static SpanId CreateRandom()
    {
        ulong value;
        do
        {
            value = RandomBits.Next64();
        }
        while (value == 0);

        return new SpanId(value);
    }

    /// <summary>Creates a span id from its 8 bytes, most significant first (the wire order).</summary>
    /// <param name="bytes">Exactly 8 bytes.</param>
    /// <returns>The span id; check <see cref="IsValid"/> since the bytes may be all zero.</returns>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 8 bytes long.</exception>
    public static SpanId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"A span id is {ByteLength} bytes; {bytes.Length} were given.", nameof(bytes));
        }

        return new SpanId(BinaryPrimitives.ReadUInt64BigEndian(bytes));
    }

    /// <summary>Creates a span id from its value as a big-endian unsigned integer.</summary>
    internal static SpanId FromUInt64(ulong value) => new(value);

    /// <summary>Parses 16 lowercase hexadecimal characters. Uppercase, any other length and the all-zero id are rejected.</summary>
    /// <param name="hex">The characters to parse.</param>
    /// <param name="spanId">The parsed id, or <see langword="default"/> when parsing fails.</param>
    /// <returns><see langword="true"/> when <paramref name="hex"/> is a valid span id.</returns>
    public static bool TryParse(ReadOnlySpan<char> hex, out SpanId spanId)
    {
        if (HexConverter.TryParseLower64(hex, out var value) && value != 0)
        {
            spanId = new SpanId(value);
            return true;
        }

        spanId = default;
        return false;
    }

    /// <summary>Parses 16 lowercase hexadecimal characters.</summary>
    /// <param name="hex">The characters to parse.</param>
    /// <returns>The parsed span id.</returns>
    /// <exception cref="FormatException"><paramref name="hex"/> is not a valid span id.</exception>
    public static SpanId Parse(ReadOnlySpan<char> hex) =>
        TryParse(hex, out var id) ? id : throw new FormatException("A span id is 16 lowercase hexadecimal characters, not all zero.");

    /// <summary>Writes the 8 bytes, most significant first.</summary>
    /// <param name="destination">At least 8 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 8 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException($"The destination needs {ByteLength} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _value);
    }

    /// <summary>Writes the 16 lowercase hexadecimal characters into <paramref name="destination"/> without allocating.</summary>
    /// <param name="destination">The buffer to write into.</param>
    /// <param name="charsWritten">16 on success, else 0.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is shorter than 16 characters.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        if (destination.Length < HexLength)
        {
            charsWritten = 0;
            return false;
        }

        HexConverter.WriteLower(_value, destination);
        charsWritten = HexLength;
        return true;
    }

    /// <summary>Writes the 16 lowercase hexadecimal characters as UTF-8 bytes without allocating.</summary>
    /// <param name="utf8Destination">The buffer to write into.</param>
    /// <param name="bytesWritten">16 on success, else 0.</param>
    /// <returns><see langword="false"/> when the buffer is too short.</returns>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten)
    {
        if (utf8Destination.Length < HexLength)
        {
            bytesWritten = 0;
            return false;
        }

        HexConverter.WriteLower(_value, utf8Destination);
        bytesWritten = HexLength;
        return true;
    }

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Returns the 16 lowercase hexadecimal characters.</summary>
    /// <returns>The id as it appears on the wire.</returns>
    public override string ToString() =>
        string.Create(HexLength, this, static (chars, id) => id.TryFormat(chars, out _));

    /// <inheritdoc/>
    public bool Equals(SpanId other) => _value == other._value;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is SpanId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _value.GetHashCode();

    /// <summary>Compares two span ids for equality.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when both hold the same 8 bytes.</returns>
    public static bool operator ==(SpanId left, SpanId right) => left.Equals(right);

    /// <summary>Compares two span ids for inequality.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when the ids differ.</returns>
    public static bool operator !=(SpanId left, SpanId right) => !left.Equals(right);
}
