using System.Text.RegularExpressions;
using CsCheck;
using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

/// <summary>
/// <c>tracestate</c> normalization (its bit-mask path for short lists in normal form, and the complete reading) against
/// the W3C grammar written as regular expressions, on near-valid lists.
/// </summary>
public partial class TraceStateFormatTests
{
    private const string KeyChars = "abcdefghijklmnopqrstuvwxyz0123456789_-*/@";

    /// <summary>Delimiters, whitespace, the edges of printable ASCII and of the key set, and characters above 0xFF.</summary>
    private const string Tricky = ",=@ \t\u001f\u007f!~A`{/_-*.\u00a0\u00e9\u012c\u013d\u0120\u0161\u0430\uff0c\uffff";

    [Fact]
    public void Normalize_OneCharacterReplacedAnywhere_AgreesWithTheGrammar()
    {
        string[] lists =
        [
            "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE",
            "t@v=1,a1=x y,b_-*/=~!,c=" + new string('v', 20),
            "1tenant@vendor=v,z=" + new string('q', 40),
        ];
        foreach (var list in lists)
        {
            for (var position = 0; position < list.Length; position++)
            {
                foreach (var c in Tricky + "az09")
                {
                    AssertAgrees(list[..position] + c + list[(position + 1)..]);
                }
            }
        }
    }

    [Fact]
    public void Normalize_NearValidLists_AgreesWithTheGrammar()
    {
        var keyChar = Gen.Char[KeyChars];
        var simpleKey = Gen.Select(Gen.Char["az09"], keyChar.Array[0, 8], (f, r) => f + new string(r));
        var tenantKey = Gen.Select(Gen.Char["a1"], keyChar.Array[0, 5], keyChar.Array[0, 15],
            (t, tr, sr) => t + new string(tr) + "@" + new string(sr));
        var key = Gen.Frequency((4, simpleKey), (1, tenantKey), (1, Gen.Const("dup")));
        var value = Gen.Char[' ', '~'].Where(c => c is not ',' and not '=').Array[1, 24].Select(c => new string(c));
        var separator = Gen.Frequency((12, Gen.Const(",")), (1, Gen.Const(" , ")), (1, Gen.Const(",,")), (1, Gen.Const(",\t")));
        var list = Gen.Select(Gen.Select(key, value, (k, v) => k + "=" + v).Array[1, 8], separator.Array[8],
            (members, separators) => string.Concat(members.Select((m, i) => i == 0 ? m : separators[i] + m)));

        // Up to two edits with tricky characters.
        var edit = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 200], Gen.Char[Tricky]);
        Gen.Select(list, edit.Array[0, 2]).Sample((header, edits) =>
        {
            AssertAgrees(TextEdits.Apply(header, edits));
        }, iter: 20_000);
    }

    [Fact]
    public void Normalize_NormalizedListOf16To64Characters_ReturnsTheSameInstance()
    {
        foreach (var list in new[] { "abcdefghij=klmno", "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", "a=1,b=2,c=3,d=4,e=5,f=6,g=7,h=8,i=9,j=0,k=1,l=2,m=3,n=4,o=5,p=6" })
        {
            Assert.Same(list, TraceStateFormat.Normalize(list));
        }
    }

    private static void AssertAgrees(string input) =>
        Assert.True(Grammar(input) == TraceStateFormat.Normalize(input), $"\"{input}\": expected \"{Grammar(input)}\", got \"{TraceStateFormat.Normalize(input)}\"");

    /// <summary>The reference: split on ',', trim OWS, drop empty members, every member matches the ABNF, at most 32, later duplicates dropped; then shortened to 512.</summary>
    private static string? Grammar(string input)
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

        while (members.Count > 0 && string.Join(',', members).Length > 512)
        {
            var large = members.FindLastIndex(m => m.Length > 128);
            members.RemoveAt(large >= 0 ? large : members.Count - 1);
        }

        return members.Count == 0 ? null : string.Join(',', members);
    }

    [GeneratedRegex(@"\A(?<key>[a-z0-9][a-z0-9_\-*/@]{0,255})=[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]\z")]
    private static partial Regex Member();
}
