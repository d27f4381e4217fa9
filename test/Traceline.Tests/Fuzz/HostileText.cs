using System.Text;

namespace Traceline.Tests.Fuzz;

/// <summary>
/// A seeded, reproducible source of hostile header text: values built from a grammar, the same values mutated
/// (characters flipped, inserted, deleted, cased, repeated, cut), and noise over an alphabet that favours the
/// characters parsers trip on (separators, percent signs, whitespace, control characters, non-ASCII, lone surrogates).
/// A failure message carries the seed and the case number, so any input can be regenerated.
/// </summary>
internal sealed class HostileText(int seed)
{
    /// <summary>The number of inputs every fuzz test runs per parser.</summary>
    public const int Cases = 100_000;

    private const string Noise = "0123456789abcdefABCDEF-,;=%@*/_ \t\r\n\0\u007f\"\\:.+!~'`|^#$&()[]{}<>?zZéü\u00a0\u2028\u4e2d\ud800\udc00\ufeff";

    private readonly Random _random = new(seed);

    public Random Random => _random;

    public int Seed { get; } = seed;

    public bool Chance(int percent) => _random.Next(100) < percent;

    public char NoiseChar() => Noise[_random.Next(Noise.Length)];

    public string NoiseString(int maxLength)
    {
        var length = _random.Next(maxLength + 1);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = NoiseChar();
        }

        return new string(chars);
    }

    public string FromAlphabet(string alphabet, int minLength, int maxLength)
    {
        var length = _random.Next(minLength, maxLength + 1);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[_random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    public string Ows() => _random.Next(6) switch
    {
        0 => " ",
        1 => "\t",
        2 => "  \t",
        _ => string.Empty,
    };

    /// <summary>Applies one to three random edits.</summary>
    public string Mutate(string value)
    {
        var builder = new StringBuilder(value);
        var edits = _random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = builder.Length == 0 ? 0 : _random.Next(builder.Length);
            switch (_random.Next(7))
            {
                case 0 when builder.Length > 0:
                    builder[at] = NoiseChar();
                    break;
                case 1:
                    builder.Insert(at, NoiseChar());
                    break;
                case 2 when builder.Length > 0:
                    builder.Remove(at, 1);
                    break;
                case 3 when builder.Length > 0:
                    builder[at] = char.IsUpper(builder[at]) ? char.ToLowerInvariant(builder[at]) : char.ToUpperInvariant(builder[at]);
                    break;
                case 4 when builder.Length > 0:
                    var length = _random.Next(1, Math.Min(40, builder.Length - at) + 1);
                    builder.Insert(at, builder.ToString(at, length));
                    break;
                case 5 when builder.Length > 0:
                    builder.Length = at;
                    break;
                default:
                    builder.Append(NoiseChar());
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Picks a kind of input: 0 built by the grammar, 1 mutated, 2 noise.</summary>
    public int Kind() => _random.Next(3);

    public string Describe(int index, string input) =>
        $"seed {Seed}, case {index}: \"{Escape(input)}\"";

    public static string Escape(string input)
    {
        var builder = new StringBuilder(input.Length);
        foreach (var c in input.Length > 300 ? input[..300] : input)
        {
            builder.Append(c is < ' ' or > '~' ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return builder.ToString();
    }
}
