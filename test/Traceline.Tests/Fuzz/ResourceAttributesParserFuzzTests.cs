using System.Text;

namespace Traceline.Tests.Fuzz;

/// <summary>100,000 seeded hostile <c>OTEL_RESOURCE_ATTRIBUTES</c> values: comma-separated, percent-encoded key=value pairs.</summary>
public class ResourceAttributesParserFuzzTests
{
    [Theory]
    [InlineData(20261126)]
    public void Parse_HostileInputs_KeepsOnlyWellFormedPairsThatRoundTrip(int seed)
    {
        var text = new HostileText(seed);
        var accepted = 0;
        for (var i = 0; i < HostileText.Cases; i++)
        {
            var input = text.Kind() switch
            {
                0 => Valid(text),
                1 => text.Mutate(Valid(text)),
                _ => text.NoiseString(80),
            };

            var reports = 0;
            var pairs = ResourceAttributesParser.Parse(input, _ => reports++);
            var expected = SpecPairs(input);
            Assert.True(expected.SequenceEqual(pairs), $"got [{string.Join(" | ", pairs)}], expected [{string.Join(" | ", expected)}]; {text.Describe(i, input)}");
            Assert.True(reports <= input.Split(',').Length);
            accepted += pairs.Count;

            // Every accepted pair percent-encodes back into a value that parses to the same pairs, with nothing reported.
            var serialized = string.Join(",", pairs.Select(p => Uri.EscapeDataString(p.Key) + "=" + Uri.EscapeDataString(p.Value)));
            var again = ResourceAttributesParser.Parse(serialized, _ => Assert.Fail("a serialized pair was reported: " + text.Describe(i, input)));
            Assert.Equal(pairs.Select(p => (p.Key, p.Value)), again.Select(p => (p.Key, p.Value)));
        }

        Assert.InRange(accepted, HostileText.Cases / 5, int.MaxValue);
    }

    private static string Valid(HostileText text)
    {
        var count = text.Random.Next(1, 5);
        var parts = new string[count];
        for (var m = 0; m < count; m++)
        {
            var value = text.Chance(30) ? Uri.EscapeDataString(text.FromAlphabet("abc é中,=;%\u00a0", 0, 8)) : text.FromAlphabet("abcdefghijklmnopqrstuvwxyz0123456789.-_/:", 0, 12);
            parts[m] = text.Ows() + text.FromAlphabet("abcdefghijklmnopqrstuvwxyz.", 1, 12) + text.Ows() + "=" + text.Ows() + value + text.Ows();
        }

        return string.Join(",", parts);
    }

    /// <summary>
    /// The reference: split on ',', trim, split at the first '='; key and value strictly percent-decoded as UTF-8; the
    /// key not empty; no control characters in either (they could forge log lines or headers downstream).
    /// </summary>
    private static List<KeyValuePair<string, string>> SpecPairs(string input)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var raw in input.Split(','))
        {
            var pair = raw.Trim();
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (pair.Length == 0 || equals <= 0)
            {
                continue;
            }

            var key = Decode(pair[..equals].Trim());
            var value = Decode(pair[(equals + 1)..].Trim());
            if (key is { Length: > 0 } && value is not null && !key.Any(char.IsControl) && !value.Any(char.IsControl))
            {
                result.Add(new(key, value));
            }
        }

        return result;
    }

    private static string? Decode(string text)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%')
            {
                if (i + 2 >= text.Length || !Uri.IsHexDigit(text[i + 1]) || !Uri.IsHexDigit(text[i + 2]))
                {
                    return null;
                }

                bytes.Add(Convert.ToByte(text.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                if (char.IsSurrogate(text[i]) && !(char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])))
                {
                    return null;
                }

                var length = char.IsHighSurrogate(text[i]) ? 2 : 1;
                bytes.AddRange(Encoding.UTF8.GetBytes(text.Substring(i, length)));
                i += length - 1;
            }
        }

        try
        {
            return new UTF8Encoding(false, throwOnInvalidBytes: true).GetString([.. bytes]);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }
}
