using System.Buffers;
using System.Text;

namespace Traceline.Propagation;

// Character classes and the percent-encoding of values (UTF-8, as the spec asks).
internal static partial class BaggageFormat
{
    // token = 1*tchar; tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
    private static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';

    // baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E
    private static bool IsBaggageOctet(char c) => c is >= '!' and <= '~' and not '"' and not ',' and not ';' and not '\\';

    private static bool IsValueOctets(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if (!IsBaggageOctet(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Percent-decodes a value; byte sequences that are not UTF-8 become U+FFFD, as the spec asks.</summary>
    private static bool TryDecode(ReadOnlySpan<char> raw, out string value)
    {
        var percent = raw.IndexOf('%');
        if (percent < 0)
        {
            value = raw.ToString();
            return true;
        }

        // The member is at most 4096 characters, so its value decodes to at most 4096 bytes.
        Span<byte> bytes = stackalloc byte[MaxMemberBytes];
        var count = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '%')
            {
                bytes[count++] = (byte)c;
                continue;
            }

            if (i + 2 >= raw.Length || !char.IsAsciiHexDigit(raw[i + 1]) || !char.IsAsciiHexDigit(raw[i + 2]))
            {
                value = string.Empty;
                return false; // '%' must start a percent-encoded octet
            }

            bytes[count++] = (byte)((HexValue(raw[i + 1]) << 4) | HexValue(raw[i + 2]));
            i += 2;
        }

        value = Encoding.UTF8.GetString(bytes[..count]); // replaces invalid sequences with U+FFFD
        return true;
    }

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    private static int EncodedLength(string value)
    {
        var length = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsBaggageOctet(c) && c != '%')
            {
                length++;
            }
            else if (c < 0x80)
            {
                length += 3;
            }
            else
            {
                length += 3 * Utf8Length(value, ref i);
            }
        }

        return length;
    }

    private static int Encode(string value, Span<char> destination)
    {
        var written = 0;
        Span<byte> utf8 = stackalloc byte[4];
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (IsBaggageOctet(c) && c != '%')
            {
                destination[written++] = c;
                continue;
            }

            int byteCount;
            if (c < 0x80)
            {
                utf8[0] = (byte)c;
                byteCount = 1;
            }
            else
            {
                var rune = ReadRune(value, ref i);
                byteCount = rune.EncodeToUtf8(utf8);
            }

            for (var b = 0; b < byteCount; b++)
            {
                destination[written++] = '%';
                destination[written++] = "0123456789ABCDEF"[utf8[b] >> 4];
                destination[written++] = "0123456789ABCDEF"[utf8[b] & 0xF];
            }
        }

        return written;
    }

    private static int Utf8Length(string value, ref int index) => ReadRune(value, ref index).Utf8SequenceLength;

    /// <summary>Reads the scalar at <paramref name="index"/> (advancing past a surrogate pair); a lone surrogate reads as U+FFFD.</summary>
    private static Rune ReadRune(string value, ref int index)
    {
        if (Rune.DecodeFromUtf16(value.AsSpan(index), out var rune, out var consumed) == OperationStatus.Done)
        {
            index += consumed - 1;
            return rune;
        }

        return Rune.ReplacementChar;
    }
}
