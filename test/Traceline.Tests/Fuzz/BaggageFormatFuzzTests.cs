using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Primitives;
using Traceline.Propagation;

namespace Traceline.Tests.Fuzz;

/// <summary>100,000 seeded hostile <c>baggage</c> values against the W3C Baggage grammar, written here as regular expressions.</summary>
public partial class BaggageFormatFuzzTests
{
    private const string TokenChars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private const string OctetChars = "!#$&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";

    [Theory]
    [InlineData(20261125)]
    public void Parse_HostileInputs_KeepsOnlyValidMembersAndSerializesAValidHeader(int seed)
    {
        var text = new HostileText(seed);
        var accepted = 0;
        for (var i = 0; i < HostileText.Cases; i++)
        {
            var kind = text.Kind();
            var input = kind switch
            {
                0 => Valid(text),
                1 => text.Mutate(Valid(text)),
                _ => text.NoiseString(80),
            };

            var baggage = BaggageFormat.Parse(new StringValues(input));
            var valid = ValidMembers(input);
            if (baggage is null)
            {
                Assert.True(valid.Count == 0, $"rejected a valid list; {text.Describe(i, input)}");
                continue;
            }

            accepted++;

            // Nothing the grammar rejects is kept: every item is the last valid member with its name.
            Assert.True(valid.Count == baggage.Count, $"kept [{string.Join(" | ", baggage.Select(b => b.Name + "=" + b.Value))}]; {text.Describe(i, input)}");
            foreach (var item in baggage)
            {
                Assert.True(valid.TryGetValue(item.Name, out var expected), text.Describe(i, input));
                Assert.Equal(expected, item.Value);
            }

            // It re-serializes to a header the grammar accepts, within the limits, and reads back the same.
            var header = BaggageFormat.Serialize(baggage);
            Assert.NotNull(header);
            Assert.True(header.Length <= BaggageFormat.MaxTotalBytes, text.Describe(i, input));
            Assert.All(header.Split(','), m => Assert.Matches(Member(), m));
            var again = BaggageFormat.Parse(new StringValues(header));
            Assert.NotNull(again);
            Assert.Equal(baggage.Select(b => (b.Name, b.Value)), again.Select(b => (b.Name, b.Value)));
        }

        Assert.InRange(accepted, HostileText.Cases / 5, HostileText.Cases);
    }

    private static string Valid(HostileText text)
    {
        var count = text.Random.Next(1, 6);
        var parts = new List<string>();
        for (var m = 0; m < count; m++)
        {
            var value = text.Chance(30) ? Uri.EscapeDataString(text.NoiseString(6).Replace("\ud800", "", StringComparison.Ordinal).Replace("\udc00", "", StringComparison.Ordinal)) : text.FromAlphabet(OctetChars.Replace("%", "", StringComparison.Ordinal), 0, 12);
            var member = text.FromAlphabet(TokenChars.Replace("%", "", StringComparison.Ordinal), 1, 8) + text.Ows() + "=" + text.Ows() + value;
            if (text.Chance(30))
            {
                member += text.Ows() + ";" + text.Ows() + text.FromAlphabet(TokenChars, 1, 5) + (text.Chance(50) ? "=" + text.FromAlphabet(OctetChars, 0, 5) : string.Empty);
            }

            parts.Add(text.Ows() + member + text.Ows());
        }

        return string.Join(",", parts);
    }

    /// <summary>The valid members of the list (the last value per name wins), decoded as the spec says.</summary>
    private static Dictionary<string, string> ValidMembers(string input)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var raw in input.Split(','))
        {
            var member = raw.Trim(' ', '\t');
            var match = Member().Match(member);
            if (member.Length == 0 || member.Length > BaggageFormat.MaxMemberBytes || !match.Success)
            {
                continue;
            }

            result[match.Groups["key"].Value] = Decode(match.Groups["value"].Value);
        }

        return result;
    }

    private static string Decode(string value)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '%')
            {
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.Add((byte)value[i]);
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    // W3C Baggage 3.3.1: key OWS "=" OWS value *( OWS ";" OWS property ); property = key OWS "=" OWS value / key OWS.
    // Values are baggage-octets, and a '%' must start a percent-encoded octet.
    [GeneratedRegex(@"^(?<key>[!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*(?<value>(?:[\x21\x23-\x24\x26-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]|%[0-9A-Fa-f]{2})*)(?:[ \t]*;[ \t]*[!#$%&'*+\-.^_`|~0-9A-Za-z]+(?:[ \t]*=[ \t]*[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*)?[ \t]*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Member();
}
