using System.Text;

namespace Traceline;

/// <summary>Strict percent-decoding (RFC 3986): <c>%XY</c> with two hex digits, the bytes read as UTF-8.</summary>
internal static class PercentDecoding
{
    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static bool TryDecode(ReadOnlySpan<char> text, out string decoded)
    {
        // Perf: the common case (nothing encoded, no surrogates) is one copy; a lone surrogate is not text and takes
        // the strict path below, which rejects it.
        if (!text.Contains('%') && !text.ContainsAnyInRange('\ud800', '\udfff'))
        {
            decoded = text.ToString();
            return true;
        }

        var bytes = new byte[Encoding.UTF8.GetMaxByteCount(text.Length)];
        var count = 0;
        while (!text.IsEmpty)
        {
            var percent = text.IndexOf('%');
            var run = percent < 0 ? text : text[..percent];
            if (!run.IsEmpty)
            {
                if (!TryEncode(run, bytes.AsSpan(count), out var written))
                {
                    decoded = string.Empty;
                    return false;
                }

                count += written;
            }

            if (percent < 0)
            {
                break;
            }

            if (percent + 2 >= text.Length || !TryHex(text[percent + 1], out var high) || !TryHex(text[percent + 2], out var low))
            {
                decoded = string.Empty;
                return false;
            }

            bytes[count++] = (byte)((high << 4) | low);
            text = text[(percent + 3)..];
        }

        try
        {
            decoded = Strict.GetString(bytes, 0, count);
            return true;
        }
        catch (DecoderFallbackException)
        {
            decoded = string.Empty;
            return false;
        }
    }

    private static bool TryEncode(ReadOnlySpan<char> run, Span<byte> destination, out int written)
    {
        try
        {
            written = Strict.GetBytes(run, destination);
            return true;
        }
        catch (EncoderFallbackException)
        {
            written = 0;
            return false;
        }
    }

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
