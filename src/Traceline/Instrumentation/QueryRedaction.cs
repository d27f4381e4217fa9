namespace Traceline;

/// <summary>
/// Replaces the values of sensitive query-string keys with <c>REDACTED</c>, as the OpenTelemetry HTTP semantic
/// conventions ask for <c>url.query</c> and <c>url.full</c>. Shared by the middleware and the HttpClient handler.
/// </summary>
internal static class QueryRedaction
{
    public const string Replacement = "REDACTED";

    /// <summary>The keys the semantic conventions name as sensitive.</summary>
    public static readonly string[] DefaultSensitiveKeys =
    [
        "AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature", "X-Amz-Signature", "X-Amz-Credential", "X-Amz-Security-Token",
    ];

    /// <summary>
    /// Returns <paramref name="query"/> (with or without its leading <c>?</c>) with sensitive values replaced. Perf: the
    /// same string instance comes back, with no allocation, when there is nothing to redact.
    /// </summary>
    public static string Redact(string query, IReadOnlyList<string>? extraKeys = null)
    {
        if (string.IsNullOrEmpty(query))
        {
            return query;
        }

        var span = query.AsSpan();
        var needsWork = false;
        foreach (var range in span.Split('&'))
        {
            var pair = span[range];
            if (pair.Length > 0 && pair[0] == '?')
            {
                pair = pair[1..];
            }

            var equals = pair.IndexOf('=');
            if (equals >= 0 && IsSensitive(pair[..equals], extraKeys) && !pair[(equals + 1)..].SequenceEqual(Replacement))
            {
                needsWork = true;
                break;
            }
        }

        if (!needsWork)
        {
            return query;
        }

        var builder = new System.Text.StringBuilder(query.Length);
        var first = true;
        foreach (var range in span.Split('&'))
        {
            if (!first)
            {
                builder.Append('&');
            }

            first = false;
            var pair = span[range];
            var prefix = pair.Length > 0 && pair[0] == '?';
            if (prefix)
            {
                builder.Append('?');
                pair = pair[1..];
            }

            var equals = pair.IndexOf('=');
            if (equals >= 0 && IsSensitive(pair[..equals], extraKeys))
            {
                builder.Append(pair[..(equals + 1)]).Append(Replacement);
            }
            else
            {
                builder.Append(pair);
            }
        }

        return builder.ToString();
    }

    /// <summary>
    /// Whether <paramref name="key"/> names a sensitive value. A percent-encoded key (<c>%73ig</c>) is compared decoded,
    /// since servers decode it before reading it.
    /// </summary>
    internal static bool IsSensitive(ReadOnlySpan<char> key, IReadOnlyList<string>? extraKeys)
    {
        if (key.Contains('%') && PercentDecoding.TryDecode(key, out var decoded))
        {
            key = decoded;
        }

        foreach (var candidate in DefaultSensitiveKeys)
        {
            if (key.Equals(candidate, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        if (extraKeys is not null)
        {
            for (var i = 0; i < extraKeys.Count; i++)
            {
                if (key.Equals(extraKeys[i], StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
