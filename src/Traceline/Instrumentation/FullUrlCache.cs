namespace Traceline;

/// <summary>
/// <c>url.full</c> of the last URL, reused while requests go to it. Perf: a change of URL allocates nothing more than
/// url.full itself needs: a URL that is its own url.full is kept as it is, and only a rewritten one (user info
/// removed, a query value redacted) as a pair with its rewrite. Benign races: every value is valid.
/// </summary>
internal sealed class FullUrlCache(string[] redactedQueryKeys)
{
    private string? _lastUnchanged;
    private Rewritten? _lastRewritten;

    /// <summary>Returns <c>url.full</c> for <paramref name="uri"/>.</summary>
    public string Get(Uri uri)
    {
        var absolute = uri.AbsoluteUri; // cached by Uri once computed
        if (string.Equals(_lastUnchanged, absolute, StringComparison.Ordinal))
        {
            return absolute;
        }

        var last = _lastRewritten;
        if (last is not null && string.Equals(last.Absolute, absolute, StringComparison.Ordinal))
        {
            return last.Full;
        }

        var full = HttpClientConventions.FullUrl(uri, redactedQueryKeys);
        if (ReferenceEquals(full, absolute))
        {
            _lastUnchanged = absolute;
        }
        else
        {
            _lastRewritten = new Rewritten(absolute, full);
        }

        return full;
    }

    private sealed class Rewritten(string absolute, string full)
    {
        public string Absolute { get; } = absolute;

        public string Full { get; } = full;
    }
}
