namespace Traceline;

/// <summary>
/// Which ActivitySources Traceline captures: names listed with <c>AddSource</c> or <c>Tracing:Sources</c>, exact or with
/// <c>*</c> wildcards (any run of characters, dots included), compared ignoring case as the OpenTelemetry SDK does.
/// </summary>
internal sealed class SourceFilter
{
    /// <summary>
    /// Sources never captured, even by <c>*</c>: the unnamed one (where span mirrors live), and HttpClient's and
    /// ASP.NET Core's request Activities, which Traceline's client and server spans already record.
    /// </summary>
    internal static readonly string[] Excluded = [string.Empty, "System.Net.Http", "Microsoft.AspNetCore"];

    private readonly string[] _patterns;

    public SourceFilter(IEnumerable<string> patterns)
    {
        var list = new List<string>();
        foreach (var pattern in patterns)
        {
            if (!string.IsNullOrWhiteSpace(pattern) && !list.Contains(pattern.Trim(), StringComparer.OrdinalIgnoreCase))
            {
                list.Add(pattern.Trim());
            }
        }

        _patterns = [.. list];
    }

    /// <summary>Gets whether no source is listed.</summary>
    public bool IsEmpty => _patterns.Length == 0;

    /// <summary>Gets the listed names and patterns.</summary>
    public IReadOnlyList<string> Patterns => _patterns;

    /// <summary>Whether the source named <paramref name="name"/> is captured. Called once per source by the runtime.</summary>
    public bool Matches(string name)
    {
        foreach (var excluded in Excluded)
        {
            if (string.Equals(name, excluded, StringComparison.Ordinal))
            {
                return false;
            }
        }

        foreach (var pattern in _patterns)
        {
            if (Glob(pattern, name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Matches <paramref name="text"/> against a pattern where <c>*</c> stands for any run of characters.</summary>
    internal static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        // Greedy matching with one backtrack point per star: linear for the patterns people write ("MyCompany.*").
        int p = 0, t = 0, star = -1, resume = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = t;
            }
            else if (p < pattern.Length && char.ToUpperInvariant(pattern[p]) == char.ToUpperInvariant(text[t]))
            {
                p++;
                t++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                t = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
