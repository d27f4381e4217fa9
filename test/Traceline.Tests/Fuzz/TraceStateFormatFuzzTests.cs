using System.Text.RegularExpressions;
using Traceline.Propagation;

namespace Traceline.Tests.Fuzz;

/// <summary>100,000 seeded hostile <c>tracestate</c> values against the W3C grammar, written here as regular expressions.</summary>
public partial class TraceStateFormatFuzzTests
{
    private const string KeyChars = "abcdefghijklmnopqrstuvwxyz0123456789_-*/@";
    private const string ValueChars = " !\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";

    [Theory]
    [InlineData(20261124)]
    public void Normalize_HostileInputs_AcceptsOnlyValidListsAndEmitsValidHeaders(int seed)
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

            var normalized = TraceStateFormat.Normalize(input);
            var members = SpecMembers(input);
            if (members is null || members.Count == 0)
            {
                Assert.True(normalized is null, $"accepted \"{normalized}\"; {text.Describe(i, input)}");
                continue;
            }

            // Valid per the grammar: kept, shortened only by whole members to at most 512 characters.
            Assert.True(normalized is not null, text.Describe(i, input));
            accepted++;
            var output = SpecMembers(normalized);
            Assert.True(output is { Count: > 0 } && normalized.Length <= TraceStateFormat.MaxLength, text.Describe(i, input));
            Assert.Equal(string.Join(",", output), normalized); // no whitespace, no empty members
            Assert.All(output, m => Assert.Contains(m, members));
            Assert.Equal(output.Count, output.Select(m => m[..m.IndexOf('=', StringComparison.Ordinal)]).Distinct(StringComparer.Ordinal).Count()); // one member per key
            Assert.Same(normalized, TraceStateFormat.Normalize(normalized)); // normal form is stable
        }

        Assert.InRange(accepted, HostileText.Cases / 5, HostileText.Cases);
    }

    private static string Valid(HostileText text)
    {
        var count = text.Random.Next(1, text.Chance(5) ? 40 : 6);
        var parts = new List<string>();
        var keys = new HashSet<string>();
        for (var m = 0; m < count; m++)
        {
            var key = text.Chance(70)
                ? text.FromAlphabet("abcdefghijklmnopqrstuvwxyz0123456789", 1, 1) + text.FromAlphabet(KeyChars, 0, text.Chance(5) ? 255 : 10)
                : text.FromAlphabet("abcdefghijklmnopqrstuvwxyz0123456789", 1, 1) + text.FromAlphabet(KeyChars, 0, 8) + "@" + text.FromAlphabet(KeyChars, 0, 6);
            if (!keys.Add(key) && text.Chance(50))
            {
                continue;
            }

            var value = text.FromAlphabet(ValueChars, 0, text.Chance(5) ? 255 : 12) + text.FromAlphabet("abcdefxyz0123456789!~", 1, 1);
            parts.Add(text.Ows() + key + "=" + value + text.Ows());
            if (text.Chance(10))
            {
                parts.Add(text.Ows());
            }
        }

        return string.Join(",", parts);
    }

    /// <summary>The list's members in order when it is valid, an empty list when it has none, null when invalid.</summary>
    private static List<string>? SpecMembers(string input)
    {
        var members = new List<string>();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var received = 0;
        foreach (var raw in input.Split(','))
        {
            var member = raw.Trim(' ', '\t');
            if (member.Length == 0)
            {
                continue;
            }

            var match = Member().Match(member);
            if (!match.Success || ++received > 32)
            {
                return null;
            }

            if (keys.Add(match.Groups["key"].Value))
            {
                members.Add(member); // a repeated key keeps its first member
            }
        }

        return members;
    }

    // W3C Trace Context (current): key = (lcalpha / DIGIT) 0*255(keychar) "=" value (1-256 chars, no trailing space).
    [GeneratedRegex(@"^(?<key>[a-z0-9][a-z0-9_\-*/@]{0,255})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]\z", RegexOptions.CultureInvariant)]
    private static partial Regex Member();
}
