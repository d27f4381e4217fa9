using System.Globalization;

namespace Traceline.Cli;

/// <summary>The command line's help text and value parsing.</summary>
internal static class Usage
{
    public const string Text = """
        usage: traceline view [options] [files... | -]
          Reads span logs (Traceline pretty/compact JSON, Go stdouttrace, OTLP/JSON) from files or stdin,
          merges them by trace and prints each trace as one tree with a diagnosis. Exit code 1 when a trace is broken.
          --trace <id>          only traces whose id starts with <id>
          --service <name>      only traces with a span from <name>
          --errors              only traces with an error
          --slower-than <time>  only traces longer than <time> (250ms, 1.5s, 800us)
          --no-color            plain text (also when redirected, or NO_COLOR is set)

        """;

    /// <summary>Parses <c>250ms</c>, <c>1.5s</c>, <c>800us</c> to nanoseconds.</summary>
    public static long ParseDuration(string text)
    {
        (string Suffix, double Nanos)[] units = [("ms", 1e6), ("us", 1e3), ("µs", 1e3), ("ns", 1), ("s", 1e9)];
        foreach (var (suffix, nanos) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text.AsSpan(0, text.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value >= 0)
            {
                return (long)(value * nanos);
            }
        }

        throw new ArgumentException($"'{text}' is not a duration such as 250ms or 1.5s");
    }
}
