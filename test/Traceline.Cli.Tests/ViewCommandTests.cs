using System.Text;

namespace Traceline.Cli.Tests;

public sealed class ViewCommandTests
{
    private const string Trace = "4bf92f3577b34da6a3ce929d0e0e4736";

    private static string Compact(string service, string name, string spanId, string parentId, int kind, string start, string end, bool remote = false) =>
        $$$"""{"Name":"{{{name}}}","SpanContext":{"TraceID":"{{{Trace}}}","SpanID":"{{{spanId}}}","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"{{{Trace}}}","SpanID":"{{{parentId}}}","TraceFlags":"01","TraceState":"","Remote":{{{(remote ? "true" : "false")}}}},"SpanKind":{{{kind}}},"StartTime":"{{{start}}}","EndTime":"{{{end}}}","Attributes":[],"Events":[],"Links":[],"Status":{"Code":"Unset","Description":""},"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"{{{service}}}"}}]}""";

    private static (int Exit, string Output, string Errors) View(string input)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var view = new ViewCommand(output, errors);
        view.Read(new MemoryStream(Encoding.UTF8.GetBytes(input)), "log");
        var exit = view.Print();
        return (exit, output.ToString(), errors.ToString());
    }

    [Fact]
    public void View_WholeTraceFromTwoServices_IsOneTreeAndExitsZero()
    {
        var input = string.Join('\n',
            Compact("foo", "GET /a", "1111111111111111", "0000000000000000", 2, "2026-12-07T07:00:00.000000000Z", "2026-12-07T07:00:00.100000000Z"),
            "some other log line {not json}",
            Compact("foo", "GET", "2222222222222222", "1111111111111111", 3, "2026-12-07T07:00:00.010000000Z", "2026-12-07T07:00:00.090000000Z"),
            Compact("bar", "GET /b", "3333333333333333", "2222222222222222", 2, "2026-12-07T07:00:00.020000000Z", "2026-12-07T07:00:00.080000000Z", remote: true));

        var (exit, output, errors) = View(input);

        Assert.Equal(0, exit);
        Assert.Equal(string.Empty, errors);
        Assert.Contains("whole: one root, every parent recorded", output, StringComparison.Ordinal);
        Assert.Contains("      GET /b  server   bar", output, StringComparison.Ordinal);
    }

    [Fact]
    public void View_ParentNobodyRecorded_IsSplitNamingTheCallerAndExitsOne()
    {
        var input = string.Join('\n',
            Compact("foo", "GET /a", "1111111111111111", "0000000000000000", 2, "2026-12-07T07:00:00.000000000Z", "2026-12-07T07:00:00.100000000Z"),
            Compact("bar", "GET /b", "3333333333333333", "9999999999999999", 2, "2026-12-07T07:00:00.020000000Z", "2026-12-07T07:00:00.080000000Z", remote: true));

        var (exit, output, _) = View(input);

        Assert.Equal(1, exit);
        Assert.Contains("BROKEN: split: bar GET /b names parent 9999999999999999, which no service recorded; foo's client span is missing (it was in GET /a)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void View_HostileRecords_ReportsEachAndKeepsTheGoodOnes()
    {
        var good = Compact("foo", "GET /a", "1111111111111111", "0000000000000000", 2, "2026-12-07T07:00:00Z", "2026-12-07T07:00:01Z");
        var input = string.Join('\n',
            good[..40],                                 // truncated
            good,
            good,                                       // duplicate span id
            good.Replace("1111111111111111", "111"),    // wrong-length id
            good.Replace("2026-12-07T07:00:00Z", "yesterday"));

        var (exit, output, errors) = View(input);

        Assert.Equal(0, exit);
        Assert.Contains("log:1: truncated", errors, StringComparison.Ordinal);
        Assert.Contains("log:3: duplicate span id 1111111111111111", errors, StringComparison.Ordinal);
        Assert.Contains("log:4: bad span id '111'", errors, StringComparison.Ordinal);
        Assert.Contains("log:5: StartTime is not an RFC 3339 time", errors, StringComparison.Ordinal);
        Assert.Contains("1 span(s) read, 4 bad record(s)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void View_GoStdouttraceAndOtlpJson_AreMergedIntoOneTrace()
    {
        // Go's stdouttrace: pretty, tab-indented, local time with an offset and nanoseconds.
        var go = $$$"""
            {
            	"Name": "GET /a",
            	"SpanContext": {"TraceID": "{{{Trace}}}", "SpanID": "1111111111111111", "TraceFlags": "01", "TraceState": "", "Remote": false},
            	"Parent": {"TraceID": "00000000000000000000000000000000", "SpanID": "0000000000000000", "TraceFlags": "00", "TraceState": "", "Remote": false},
            	"SpanKind": 2,
            	"StartTime": "2026-12-07T08:00:00.000000001+01:00",
            	"EndTime": "2026-12-07T08:00:00.100000001+01:00",
            	"Attributes": [{"Key": "http.method", "Value": {"Type": "STRING", "Value": "GET"}}],
            	"Status": {"Code": "Unset", "Description": ""},
            	"ChildSpanCount": 1,
            	"Resource": [{"Key": "service.name", "Value": {"Type": "STRING", "Value": "go-svc"}}],
            	"InstrumentationScope": {"Name": "x", "Version": "", "SchemaURL": ""}
            }
            """;
        var otlp = $$$"""
            {"resourceSpans":[{"scopeSpans":[{"scope":{"name":"y"},"spans":[{"traceId":"{{{Trace}}}","spanId":"3333333333333333","parentSpanId":"1111111111111111","name":"GET /b","kind":2,"startTimeUnixNano":"1796626800020000000","endTimeUnixNano":"1796626800080000000","status":{"code":2,"message":"boom"}}]}],"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"otlp-svc"}}]}}]}
            """;

        var (exit, output, errors) = View(go + "\n" + otlp);

        Assert.Equal(string.Empty, errors);
        Assert.Equal(0, exit);
        Assert.Contains("trace 4bf92f3577b34da6a3ce929d0e0e4736  2 span(s)  100.0 ms", output, StringComparison.Ordinal);
        Assert.Contains("GET /b  server   otlp-svc", output, StringComparison.Ordinal);
        Assert.Contains("ERROR: boom", output, StringComparison.Ordinal);
    }
}
