using System.Runtime.CompilerServices;

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
