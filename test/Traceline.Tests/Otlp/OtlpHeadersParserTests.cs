using CsCheck;
using Traceline.Export;

namespace Traceline.Tests.Otlp;

public sealed class OtlpHeadersParserTests
{
    [Theory]
    [InlineData("a=b", "a:b", 0)] // one key=value pair
    [InlineData("a=b,c=d", "a:b|c:d", 0)] // comma-separated list
    [InlineData(" a = b ,\tc=d\t", "a:b|c:d", 0)] // spaces and tabs around keys and values are trimmed
    [InlineData("api-key=va%2Clue%3D", "api-key:va,lue=", 0)] // values are percent-decoded
    [InlineData("caf%C3%A9-ok=caf%C3%A9", "", 1)] // a key must be an HTTP token after decoding
    [InlineData("k=caf%C3%A9", "k:café", 0)] // UTF-8 percent-encoding decodes
    [InlineData("a=b=c", "a:b=c", 0)] // the first '=' splits key from value
    [InlineData("a=", "a:", 0)] // an empty value is a value
    [InlineData("=b", "", 1)] // an empty key is skipped and reported
    [InlineData("novalue", "", 1)] // an entry without '=' is skipped and reported
    [InlineData("a=%ZZ", "", 1)] // invalid percent-encoding is skipped and reported
    [InlineData("a=%E9", "", 1)] // percent-encoded bytes that are not UTF-8 are skipped
    [InlineData("a=x%0D%0Ab: evil", "", 1)] // CR/LF (header injection) is skipped and reported
    [InlineData("a=x%00", "", 1)] // NUL is skipped
    [InlineData("bad key=v,ok=1", "ok:1", 1)] // a bad entry does not spoil the others
    [InlineData(",,a=b,,", "a:b", 0)] // empty entries are ignored silently
    [InlineData("", "", 0)] // empty input
    public void Parse_Entry_FollowsTheRule(string raw, string expected, int reports)
    {
        var problems = new List<string>();

        var headers = OtlpHeadersParser.Parse(raw, problems.Add);

        Assert.Equal(expected, string.Join("|", headers.Select(h => h.Key + ":" + h.Value)));
        Assert.Equal(reports, problems.Count);
    }

    [Fact]
    public void Parse_BadValue_ReportNeverContainsTheValue()
    {
        var problems = new List<string>();

        OtlpHeadersParser.Parse("authorization=Bearer%20topsecret%0A", problems.Add);

        var problem = Assert.Single(problems);
        Assert.Contains("authorization", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("topsecret", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ManyEntries_StopsAtTheLimit()
    {
        var raw = string.Join(",", Enumerable.Range(0, 1000).Select(i => $"k{i}=v"));
        var problems = new List<string>();

        var headers = OtlpHeadersParser.Parse(raw, problems.Add);

        Assert.Equal(OtlpHeadersParser.MaxEntries, headers.Count);
        Assert.Single(problems);
    }

    [Fact]
    public void Parse_AnyInput_NeverThrowsAndYieldsOnlySafeHeaders() =>
        Gen.String[Gen.Char["=,% \t\r\nabcAZ09%-_:é\0"], 0, 200].Sample(raw =>
        {
            foreach (var header in OtlpHeadersParser.Parse(raw, null))
            {
                Assert.True(OtlpHeadersParser.IsToken(header.Key));
                Assert.True(OtlpHeadersParser.IsSafeValue(header.Value));
            }
        });

    [Fact]
    public void Parse_PercentEncodedPairs_RoundTrip() =>
        Gen.Select(Gen.String[Gen.Char.AlphaNumeric, 1, 20], Gen.String[Gen.Char[' ', '~'], 0, 40]).Array[0, 8].Sample(pairs =>
        {
            var raw = string.Join(",", pairs.Select(p => p.Item1 + "=" + Uri.EscapeDataString(p.Item2)));

            var headers = OtlpHeadersParser.Parse(raw, _ => Assert.Fail("nothing should be reported"));

            // Encoded spaces are data: trimming happens before decoding, so they survive.
            Assert.Equal(pairs.Select(p => (p.Item1, p.Item2)), headers.Select(h => (h.Key, h.Value)));
        });
}
