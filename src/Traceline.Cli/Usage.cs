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
          -f, --follow          keep reading as the files (or stdin) grow, like tail -f; print each trace once its
                                root arrived and no span came for --settle, or after --timeout marked incomplete;
                                Ctrl+C (or stdin closing) prints the traces still waiting and ends
          --settle <time>       with --follow: the quiet time after a trace's root before it is printed (2s)
          --timeout <time>      with --follow: how long a trace waits for its root at most (10s)
          --max-traces <n>      with --follow: how many traces may wait at once; more are dropped and counted (10000)

        """;

    /// <summary>Parses a duration as <see cref="ParseDuration"/> does, to a <see cref="TimeSpan"/>.</summary>
    public static TimeSpan ParseTimeSpan(string text) => TimeSpan.FromTicks(ParseDuration(text) / 100);

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
