using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Traceline;

/// <summary>
/// The 16-byte identifier that every span of one trace shares (W3C Trace Context <c>trace-id</c>).
/// </summary>
/// <remarks>
/// The all-zero value (<see langword="default"/>) is invalid: <see cref="IsValid"/> is <see langword="false"/>
/// for it, parsing rejects it, and <see cref="CreateRandom"/> never returns it. On the wire a trace id is
/// 32 lowercase hexadecimal characters.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct TraceId : IEquatable<TraceId>, ISpanFormattable
{
    /// <summary>The length of a trace id in bytes (16).</summary>
    public const int ByteLength = 16;

    /// <summary>The length of a trace id in lowercase hexadecimal characters (32).</summary>
    public const int HexLength = 32;

    // Perf: two 64-bit halves, so that equality, hashing and the ratio sampler read whole words.
    private readonly ulong _high;
    private readonly ulong _low;

    private TraceId(ulong high, ulong low)
    {
        _high = high;
        _low = low;
    }

    /// <summary>Gets whether this id is valid, that is, not all zero.</summary>
    public bool IsValid => (_high | _low) != 0;

    /// <summary>Gets the eight right-most bytes as a big-endian unsigned integer (the part W3C Level 2 calls random).</summary>
    internal ulong Low => _low;

    /// <summary>Gets the eight left-most bytes as a big-endian unsigned integer.</summary>
    internal ulong High => _high;

    /// <summary>Creates a random, valid trace id. Thread-safe; never returns the all-zero id.</summary>
    /// <returns>A trace id whose 16 bytes are all random (so W3C Level 2's <c>random</c> flag may be set for it).</returns>
    public static TraceId CreateRandom()
    {
        ulong high, low;
        do
        {
            high = RandomBits.Next64();
            low = RandomBits.Next64();
        }
        while ((high | low) == 0);

        return new TraceId(high, low);
    }

    /// <summary>Creates a trace id from its 16 bytes, most significant first (the wire order).</summary>
    /// <param name="bytes">Exactly 16 bytes.</param>
    /// <returns>The trace id; check <see cref="IsValid"/> since the bytes may be all zero.</returns>
    /// <exception cref="ArgumentException"><paramref name="bytes"/> is not 16 bytes long.</exception>
    public static TraceId FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength)
        {
            throw new ArgumentException($"A trace id is {ByteLength} bytes; {bytes.Length} were given.", nameof(bytes));
        }

        return new TraceId(BinaryPrimitives.ReadUInt64BigEndian(bytes), BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]));
    }

    /// <summary>Creates a trace id from its two 64-bit halves.</summary>
    internal static TraceId FromHalves(ulong high, ulong low) => new(high, low);

    /// <summary>
    /// Parses 32 lowercase hexadecimal characters. Uppercase, any other length and the all-zero id are rejected.
    /// </summary>
    /// <param name="hex">The characters to parse.</param>
    /// <param name="traceId">The parsed id, or <see langword="default"/> when parsing fails.</param>
    /// <returns><see langword="true"/> when <paramref name="hex"/> is a valid trace id.</returns>
    public static bool TryParse(ReadOnlySpan<char> hex, out TraceId traceId)
    {
        if (HexConverter.TryParseLower128(hex, out var high, out var low) && (high | low) != 0)
        {
            traceId = new TraceId(high, low);
            return true;
        }

        traceId = default;
        return false;
    }

    /// <summary>Parses 32 lowercase hexadecimal characters.</summary>
    /// <param name="hex">The characters to parse.</param>
    /// <returns>The parsed trace id.</returns>
    /// <exception cref="FormatException"><paramref name="hex"/> is not a valid trace id.</exception>
    public static TraceId Parse(ReadOnlySpan<char> hex) =>
        TryParse(hex, out var id) ? id : throw new FormatException("A trace id is 32 lowercase hexadecimal characters, not all zero.");

    /// <summary>Writes the 16 bytes, most significant first.</summary>
    /// <param name="destination">At least 16 bytes.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than 16 bytes.</exception>
    public void CopyTo(Span<byte> destination)
    {
        if (destination.Length < ByteLength)
        {
            throw new ArgumentException($"The destination needs {ByteLength} bytes.", nameof(destination));
        }

        BinaryPrimitives.WriteUInt64BigEndian(destination, _high);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _low);
    }

    /// <summary>Writes the 32 lowercase hexadecimal characters into <paramref name="destination"/> without allocating.</summary>
    /// <param name="destination">The buffer to write into.</param>
    /// <param name="charsWritten">32 on success, else 0.</param>
    /// <returns><see langword="false"/> when <paramref name="destination"/> is shorter than 32 characters.</returns>
    public bool TryFormat(Span<char> destination, out int charsWritten)
    {
        if (destination.Length < HexLength)
        {
            charsWritten = 0;
            return false;
        }

        HexConverter.WriteLower(_high, destination);
        HexConverter.WriteLower(_low, destination[16..]);
        charsWritten = HexLength;
        return true;
    }

    /// <summary>Writes the 32 lowercase hexadecimal characters as UTF-8 bytes without allocating.</summary>
    /// <param name="utf8Destination">The buffer to write into.</param>
    /// <param name="bytesWritten">32 on success, else 0.</param>
    /// <returns><see langword="false"/> when the buffer is too short.</returns>
    public bool TryFormat(Span<byte> utf8Destination, out int bytesWritten)
    {
        if (utf8Destination.Length < HexLength)
        {
            bytesWritten = 0;
            return false;
        }

        HexConverter.WriteLower(_high, utf8Destination);
        HexConverter.WriteLower(_low, utf8Destination[16..]);
        bytesWritten = HexLength;
        return true;
    }

    bool ISpanFormattable.TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        TryFormat(destination, out charsWritten);

    string IFormattable.ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <summary>Returns the 32 lowercase hexadecimal characters.</summary>
    /// <returns>The id as it appears on the wire.</returns>
    public override string ToString() =>
        string.Create(HexLength, this, static (chars, id) => id.TryFormat(chars, out _));

    /// <inheritdoc/>
    public bool Equals(TraceId other) => _high == other._high && _low == other._low;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is TraceId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => (_high ^ _low).GetHashCode();

    /// <summary>Compares two trace ids for equality.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when both hold the same 16 bytes.</returns>
    public static bool operator ==(TraceId left, TraceId right) => left.Equals(right);

    /// <summary>Compares two trace ids for inequality.</summary>
    /// <param name="left">The first id.</param>
    /// <param name="right">The second id.</param>
    /// <returns><see langword="true"/> when the ids differ.</returns>
    public static bool operator !=(TraceId left, TraceId right) => !left.Equals(right);
}
