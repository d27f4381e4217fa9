namespace Traceline.Export;

/// <summary>
/// Parses <c>OTEL_EXPORTER_OTLP_HEADERS</c>: a comma-separated list of <c>key=value</c> pairs, each key and value
/// percent-decoded and trimmed of spaces and tabs.
/// </summary>
/// <remarks>
/// Robust to hostile input: one linear pass, no exceptions, no recursion. An entry is skipped (and reported through
/// the callback, by position, never by value: values are secrets) when it has no <c>=</c>, an empty or invalid key (an
/// HTTP token), an invalid percent-encoding, or a value with control characters (which could split headers).
/// </remarks>
internal static class OtlpHeadersParser
{
    /// <summary>More non-empty entries than this (good or bad) are ignored: no sane configuration needs them.</summary>
    internal const int MaxEntries = 64;

    /// <summary>
    /// The longest header (name and value, decoded) sent: 8 KiB, the line nginx (in front of many collectors) accepts
    /// by default; a longer one would make every export fail with 431 or 400, so it is skipped and reported instead.
    /// </summary>
    internal const int MaxHeaderLength = 8 * 1024;

    /// <summary>All configured headers together: 16 KiB, half of Kestrel's and nginx's default total, leaving room for the rest.</summary>
    internal const int MaxTotalLength = 16 * 1024;

    public static List<KeyValuePair<string, string>> Parse(string? raw, Action<string>? reportSkipped)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(raw))
        {
            return result;
        }

        var text = raw.AsSpan();
        var entry = 0;
        var examined = 0;
        var total = 0;
        foreach (var range in text.Split(','))
        {
            var item = text[range].Trim(" \t");
            entry++;
            if (item.IsEmpty)
            {
                continue;
            }

            // Entries are counted whether they are good or not: garbage past the limit costs neither reports nor allocations.
            if (++examined > MaxEntries)
            {
                reportSkipped?.Invoke($"more than {MaxEntries} entries; the rest are ignored");
                break;
            }

            var equals = item.IndexOf('=');
            if (equals <= 0)
            {
                reportSkipped?.Invoke($"entry {entry} is not key=value");
                continue;
            }

            if (!PercentDecoding.TryDecode(item[..equals].Trim(" \t"), out var key) || !IsToken(key))
            {
                reportSkipped?.Invoke($"entry {entry} has an invalid header name");
                continue;
            }

            if (!PercentDecoding.TryDecode(item[(equals + 1)..].Trim(" \t"), out var value) || !IsSafeValue(value))
            {
                reportSkipped?.Invoke($"the value of header '{SettingsSource.Shorten(key)}' (entry {entry}) is not valid percent-encoded text without control characters");
                continue;
            }

            if (key.Length + value.Length > MaxHeaderLength)
            {
                reportSkipped?.Invoke($"header '{SettingsSource.Shorten(key)}' (entry {entry}) is longer than {MaxHeaderLength} characters, more than collectors and proxies accept");
                continue;
            }

            if ((total += key.Length + value.Length) > MaxTotalLength)
            {
                reportSkipped?.Invoke($"header '{SettingsSource.Shorten(key)}' (entry {entry}) and the rest pass {MaxTotalLength} characters in all, more than collectors and proxies accept");
                break;
            }

            result.Add(new KeyValuePair<string, string>(key, value));
        }

        return result;
    }

    /// <summary>An HTTP field name: RFC 9110 <c>token</c>.</summary>
    internal static bool IsToken(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty)
        {
            return false;
        }

        foreach (var c in name)
        {
            var ok = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                or '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A header value that cannot split or end the header block: no control characters but tab.</summary>
    internal static bool IsSafeValue(ReadOnlySpan<char> value)
    {
        foreach (var c in value)
        {
            if ((c < 0x20 && c != '\t') || c == 0x7F)
            {
                return false;
            }
        }

        return true;
    }
}
