namespace Traceline;

/// <summary>
/// Parses <c>OTEL_RESOURCE_ATTRIBUTES</c>: a comma-separated list of <c>key=value</c> pairs, percent-encoded as the
/// W3C Baggage format does (OpenTelemetry resource SDK specification). A malformed pair is skipped and reported;
/// the rest are kept.
/// </summary>
internal static class ResourceAttributesParser
{
    /// <summary>The most non-empty entries read, good or bad; past it the variable is treated as hostile and the rest ignored.</summary>
    internal const int MaxPairs = 256;

    public static List<KeyValuePair<string, string>> Parse(ReadOnlySpan<char> text, Action<string>? reportMalformed)
    {
        var result = new List<KeyValuePair<string, string>>();
        var examined = 0;
        foreach (var range in text.Split(','))
        {
            var pair = text[range].Trim();
            if (pair.IsEmpty)
            {
                continue;
            }

            // Entries are counted whether they are good or not: garbage past the limit costs neither reports nor allocations.
            if (++examined > MaxPairs)
            {
                reportMalformed?.Invoke("more than " + MaxPairs + " pairs; the rest are ignored");
                break;
            }

            var equals = pair.IndexOf('=');
            if (equals <= 0)
            {
                reportMalformed?.Invoke(Describe(pair));
                continue;
            }

            var key = pair[..equals].Trim();
            var value = pair[(equals + 1)..].Trim();
            if (key.IsEmpty || !PercentDecoding.TryDecode(key, out var decodedKey) || !PercentDecoding.TryDecode(value, out var decodedValue)
                || decodedKey.Length == 0 || ContainsControl(decodedKey) || ContainsControl(decodedValue))
            {
                reportMalformed?.Invoke(Describe(pair));
                continue;
            }

            result.Add(new KeyValuePair<string, string>(decodedKey, decodedValue));
        }

        return result;
    }

    private static bool ContainsControl(string value)
    {
        foreach (var c in value)
        {
            if (char.IsControl(c))
            {
                return true;
            }
        }

        return false;
    }

    // Reports never echo more than a short, printable prefix of what they were given.
    private static string Describe(ReadOnlySpan<char> pair)
    {
        var shown = pair.Length > 64 ? pair[..64] : pair;
        var chars = new char[shown.Length];
        for (var i = 0; i < shown.Length; i++)
        {
            chars[i] = char.IsControl(shown[i]) ? '?' : shown[i];
        }

        return new string(chars) + (pair.Length > 64 ? "…" : string.Empty);
    }
}
