using System.Text;
using Traceline.Internal.Tree;

namespace Traceline.Cli.Tests;

/// <summary>The attributes the tree does not need are skipped without tokenizing them; what it needs is still read.</summary>
public sealed class SpanParserTests
{
    private const string Context = """
        "SpanContext":{"TraceID":"4bf92f3577b34da6a3ce929d0e0e4736","SpanID":"1111111111111111"},"StartTime":"2026-12-07T07:00:00Z","EndTime":"2026-12-07T07:00:01Z"
        """;

    private static (List<TraceSpan> Spans, List<string> Problems) Parse(string json)
    {
        var spans = new List<TraceSpan>();
        var problems = new List<string>();
        new SpanParser().Parse(Encoding.UTF8.GetBytes(json), spans.Add, problems.Add);
        return (spans, problems);
    }

    private static string Attribute(string key, string value) => $$"""{"Key":"{{key}}","Value":{{value}}}""";

    [Fact]
    public void Parse_NeededAttributesAfterSkippedOnes_AreRead()
    {
        // Skipped values holding brackets and quotes in strings, escapes, nesting and long text (past 32-byte steps).
        var skipped = string.Join(',',
            Attribute("url.full", """{"Type":"STRING","Value":"http://x/{id}]\"}[{"}"""),
            Attribute("list", """{"Type":"STRINGSLICE","Value":["a]","{b",["c"],{"d":"\\"}]}"""),
            Attribute("long", $$"""{"Type":"STRING","Value":"{{new string('}', 100)}}"}"""));
        var json = $$"""
            {"Name":"GET",{{Context}},"Attributes":[{{skipped}},{{Attribute("error.type", """{"Type":"STRING","Value":"timeout"}""")}},{{skipped}}],"Resource":[{{skipped}},{{Attribute("service.name", """{"Type":"STRING","Value":"foo"}""")}}]}
            """;

        var (spans, problems) = Parse(json);

        Assert.Empty(problems);
        var span = Assert.Single(spans);
        Assert.Equal("timeout", span.ErrorType);
        Assert.Equal("foo", span.Service);
    }

    [Fact]
    public void Parse_PrettyAttributes_AreSkippedAndRead()
    {
        var json = $$"""
            {
              "Name": "GET", {{Context}},
              "Attributes": [
                { "Key": "step", "Value": { "Type": "INT64", "Value": 1 } },
                { "Value": { "Type": "STRING", "Value": "before its key" }, "Key": "other" },
                { "Key": "exception.type", "Value": { "Type": "STRING", "Value": "System.IO.IOException" } }
              ],
              "Resource": [ { "Key": "service.name", "Value": { "Type": "STRING", "Value": "bar" } } ]
            }
            """;

        var (spans, problems) = Parse(json);

        Assert.Empty(problems);
        var span = Assert.Single(spans);
        Assert.Equal("System.IO.IOException", span.ErrorType);
        Assert.Equal("bar", span.Service);
    }

    [Fact]
    public void Parse_UnbalancedSkippedValue_IsReportedAsInvalidJson()
    {
        var json = $$"""{"Name":"GET",{{Context}},"Attributes":[{{Attribute("x", """{"Type":"STRING","Value":[}""")}}]}""";

        var (spans, problems) = Parse(json);

        Assert.Empty(spans);
        Assert.StartsWith("invalid JSON: ", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadValueTheTreeDoesNotRead_IsNotValidated()
    {
        // The price of skipping: a value the tree never reads is checked for its strings and nesting only.
        var json = $$"""{"Name":"GET",{{Context}},"Attributes":[{{Attribute("x", """{"Type":"STRING","Value":nonsense}""")}}]}""";

        var (spans, problems) = Parse(json);

        Assert.Empty(problems);
        Assert.Single(spans);
    }

    [Fact]
    public void Parse_BadValueOfANeededAttribute_IsReported()
    {
        var json = $$"""{"Name":"GET",{{Context}},"Attributes":[{{Attribute("error.type", """{"Type":"STRING","Value":nonsense}""")}}]}""";

        var (spans, problems) = Parse(json);

        Assert.Empty(spans);
        Assert.StartsWith("invalid JSON: ", Assert.Single(problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ResourceAfterItsServiceName_IsSkipped()
    {
        var service = Attribute("service.name", """{"Type":"STRING","Value":"first"}""");
        var json = $$"""{"Name":"GET",{{Context}},"Resource":[{{service}},{{Attribute("host.name", "nonsense")}},{{service.Replace("first", "second", StringComparison.Ordinal)}}]}""";

        var (spans, problems) = Parse(json);

        Assert.Empty(problems);
        Assert.Equal("first", Assert.Single(spans).Service);
    }

    [Fact]
    public void Parse_EscapedPropertyNames_AreUnescapedFirst()
    {
        var json = """
            {"N\u0061me":"GET","\u0053\u0070\u0061\u006e\u0043\u006f\u006e\u0074\u0065\u0078\u0074":{"TraceID":"4bf92f3577b34da6a3ce929d0e0e4736","SpanID":"1111111111111111"},"StartTime":"2026-12-07T07:00:00Z","EndTime":"2026-12-07T07:00:01Z"}
            """;

        var (spans, problems) = Parse(json);

        Assert.Empty(problems);
        Assert.Equal("GET", Assert.Single(spans).Name);
    }
}
