using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Traceline;

/// <summary>Lowercase hexadecimal, the only form W3C Trace Context allows on the wire.</summary>
internal static class HexConverter
{
    private const string Digits = "0123456789abcdef";

    // Perf: one table lookup per character; 0xFF marks anything that is not a lowercase hex digit.
    private static ReadOnlySpan<byte> LowerValues =>
    [
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 10, 11, 12, 13, 14, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
    ];

    /// <summary>Reads up to 16 lowercase hex characters into an unsigned integer.</summary>
    public static bool TryParseLowerUInt64(ReadOnlySpan<char> hex, out ulong value)
    {
        ulong result = 0;
        var table = LowerValues;
        foreach (var c in hex)
        {
            if (c >= 128)
            {
                value = 0;
                return false;
            }

            var digit = table[c];
            if (digit == 0xFF)
            {
                value = 0;
                return false;
            }

            result = (result << 4) | digit;
        }

        value = result;
        return true;
    }

    /// <summary>
    /// Reads exactly 32 lowercase hex characters into two big-endian halves (a trace id). Anything else, uppercase
    /// included, is rejected.
    /// </summary>
    public static bool TryParseLower128(ReadOnlySpan<char> hex, out ulong high, out ulong low)
    {
        if (hex.Length != 32)
        {
            high = low = 0;
            return false;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            // Perf: four loads, one validation test for all 32 characters, and two nibble-pair packs; no table, no loop.
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(hex));
            var invalid = Vector128<byte>.Zero;
            var left = Nibbles(Vector128.LoadUnsafe(ref first), Vector128.LoadUnsafe(ref first, 8), ref invalid);
            var right = Nibbles(Vector128.LoadUnsafe(ref first, 16), Vector128.LoadUnsafe(ref first, 24), ref invalid);
            if (invalid != Vector128<byte>.Zero)
            {
                high = low = 0;
                return false;
            }

            var bytes = PackNibbles(left, right).AsUInt64();
            high = BinaryPrimitives.ReverseEndianness(bytes.GetElement(0));
            low = BinaryPrimitives.ReverseEndianness(bytes.GetElement(1));
            return true;
        }

        low = 0;
        return TryParseLowerUInt64(hex[..16], out high) && TryParseLowerUInt64(hex[16..], out low);
    }

    /// <summary>Reads exactly 16 lowercase hex characters into a big-endian unsigned integer (a span id).</summary>
    public static bool TryParseLower64(ReadOnlySpan<char> hex, out ulong value)
    {
        if (hex.Length != 16)
        {
            value = 0;
            return false;
        }

        if (Vector128.IsHardwareAccelerated)
        {
            ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(hex));
            var invalid = Vector128<byte>.Zero;
            var nibbles = Nibbles(Vector128.LoadUnsafe(ref first), Vector128.LoadUnsafe(ref first, 8), ref invalid);
            if (invalid != Vector128<byte>.Zero)
            {
                value = 0;
                return false;
            }

            value = BinaryPrimitives.ReverseEndianness(PackNibbles(nibbles, nibbles).AsUInt64().ToScalar());
            return true;
        }

        return TryParseLowerUInt64(hex, out value);
    }

    /// <summary>Reads two lowercase hex characters into a byte.</summary>
    public static bool TryParseLowerByte(char high, char low, out byte value)
    {
        var table = LowerValues;
        if (high < 128 && low < 128)
        {
            var h = table[high];
            var l = table[low];
            if (h != 0xFF && l != 0xFF)
            {
                value = (byte)((h << 4) | l);
                return true;
            }
        }

        value = 0;
        return false;
    }

    /// <summary>
    /// Turns 16 characters into their 16 nibble values, and sets lanes of <paramref name="invalid"/> for any character
    /// that is not <c>0-9</c> or <c>a-f</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> Nibbles(Vector128<ushort> first, Vector128<ushort> second, ref Vector128<byte> invalid)
    {
        // A character above 0xFF saturates to 0xFF, which is not a hex digit, so nothing outside Latin-1 slips through.
        var chars = Vector128.NarrowWithSaturation(first, second);
        var digits = chars - Vector128.Create((byte)'0');
        var letters = chars - Vector128.Create((byte)'a');
        var isDigit = Vector128.LessThan(digits, Vector128.Create((byte)10));
        var isLetter = Vector128.LessThan(letters, Vector128.Create((byte)6));
        invalid |= ~(isDigit | isLetter);
        return Vector128.ConditionalSelect(isDigit, digits, letters + Vector128.Create((byte)10));
    }

    /// <summary>Packs 32 nibbles (most significant first in each pair) into 16 bytes, in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector128<byte> PackNibbles(Vector128<byte> first, Vector128<byte> second)
    {
        // Each 16-bit lane holds one pair as (high nibble | low nibble << 8); the byte wanted is high << 4 | low, which
        // is the low byte of (lane << 4 | lane >> 8). Narrow keeps exactly that low byte.
        var a = first.AsUInt16();
        var b = second.AsUInt16();
        return Vector128.Narrow((a << 4) | (a >>> 8), (b << 4) | (b >>> 8));
    }

    /// <summary>Returns whether <paramref name="c"/> is 0-9 or a-f.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsLowerHex(char c) => c < 128 && LowerValues[c] != 0xFF;

    /// <summary>Writes 16 lowercase hex characters, most significant nibble first.</summary>
    public static void WriteLower(ulong value, Span<char> destination)
    {
        _ = destination[15];
        for (var i = 15; i >= 0; i--)
        {
            destination[i] = Digits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>Writes 16 lowercase hex characters as UTF-8, most significant nibble first.</summary>
    public static void WriteLower(ulong value, Span<byte> destination)
    {
        _ = destination[15];
        for (var i = 15; i >= 0; i--)
        {
            destination[i] = (byte)Digits[(int)(value & 0xF)];
            value >>= 4;
        }
    }

    /// <summary>Writes 2 lowercase hex characters.</summary>
    public static void WriteLower(byte value, Span<char> destination)
    {
        destination[0] = Digits[value >> 4];
        destination[1] = Digits[value & 0xF];
    }
}
