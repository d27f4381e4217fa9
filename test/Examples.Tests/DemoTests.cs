using System.Text.RegularExpressions;

namespace Traceline.Examples.Tests;

/// <summary>Runs <c>dotnet run --project examples/Demo</c>'s program as a process, as a newcomer would.</summary>
public sealed partial class DemoTests
{
    [Fact]
    public async Task Demo_Run_PrintsEachServicesPartOfEachTraceAsATree()
    {
        var result = await ExampleProcess.RunAsync("Demo", "Demo", TimeSpan.FromSeconds(60));
        var output = result.Output;

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}:{Environment.NewLine}{output}");

        // The tree layout: each of the three services prints one block for each of the three traces (foo and bar three
        // spans each, baz two), no JSON.
        Assert.Equal(6, Regex.Count(output, "^trace [0-9a-f]{32}  3 span\\(s\\)  ", RegexOptions.Multiline));
        Assert.Equal(3, Regex.Count(output, "^trace [0-9a-f]{32}  2 span\\(s\\)  ", RegexOptions.Multiline));
        Assert.Equal(7, Regex.Count(output, "^  <- [0-9a-f]{16} from the caller$", RegexOptions.Multiline)); // bar and baz in each trace, foo in the W3C example's
        Assert.Equal(0, SpanContextProperty().Count(output));
        Assert.Contains("OK: 3 traces, 24 spans from 3 services; every trace is whole.", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_RunWithJson_ExitsZeroWithSpansFromEveryServiceAndOnlyWholeTraces()
    {
        var result = await ExampleProcess.RunAsync("Demo", "Demo", TimeSpan.FromSeconds(60), "--json");
        var output = result.Output;

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}:{Environment.NewLine}{output}");

        // Every span printed by the stdout exporter (pretty JSON), from every service.
        foreach (var service in new[] { "foo-service", "bar-service", "baz-service" })
        {
            Assert.Matches(ServiceNameValue(service), output);
        }

        Assert.Equal(24, SpanContextProperty().Count(output));

        // The summary: three traces, all whole, one of them the W3C example's with its external parent.
        var summary = output[output.IndexOf("=== Trace summary ===", StringComparison.Ordinal)..];
        var headers = TraceHeader().Matches(summary);
        Assert.Equal(3, headers.Count);
        Assert.All(headers, h => Assert.Equal("8 span(s), whole", h.Groups["state"].Value));
        Assert.Contains("trace 4bf92f3577b34da6a3ce929d0e0e4736: 8 span(s), whole, root's parent 00f067aa0ba902b7 is external", summary, StringComparison.Ordinal);
        Assert.DoesNotContain("BROKEN", output, StringComparison.Ordinal);
        Assert.DoesNotContain("FAILED", output, StringComparison.Ordinal);
        Assert.Contains("OK: 3 traces, 24 spans from 3 services; every trace is whole.", summary, StringComparison.Ordinal);

        // baz-service's read-shelf is an Activity of its own ActivitySource, captured into each trace.
        Assert.Matches("Captured from ActivitySource \"Traceline\\.Examples\\.BazService\": read-shelf \\(parent [0-9a-f]{16}\\), read-shelf \\(parent [0-9a-f]{16}\\), read-shelf \\(parent [0-9a-f]{16}\\)", summary);
    }

    [Fact]
    public async Task Demo_WithSplitFlag_ReportsTheSplitTracesAndExitsOne()
    {
        var result = await ExampleProcess.RunAsync("Demo", "Demo", TimeSpan.FromSeconds(60), "--split");

        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}:{Environment.NewLine}{result.Output}");

        // bar-service's client has no handler and every-client tracing is off: it sends no traceparent (the runtime's
        // own header would name an Activity no service recorded), so baz-service starts a trace of its own per request.
        // No parent is missing anywhere; each request's trace is simply cut in two.
        Assert.Equal(3, Regex.Count(result.Output, "^trace [0-9a-f]{32}: 2 span\\(s\\), whole$", RegexOptions.Multiline));
        Assert.Equal(3, Regex.Count(result.Output, "^trace [0-9a-f]{32}: 5 span\\(s\\), ", RegexOptions.Multiline));
        Assert.DoesNotContain("BROKEN", result.Output, StringComparison.Ordinal);
        Assert.Contains("FAILED: trace 4bf92f3577b34da6a3ce929d0e0e4736 has no span from baz-service", result.Output, StringComparison.Ordinal);
        Assert.Contains("FAILED: expected 3 traces (one per request), found 6", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("OK:", result.Output, StringComparison.Ordinal);
    }

    private static Regex ServiceNameValue(string service) =>
        new("\"Key\": \"service.name\",\\s*\"Value\": \\{\\s*\"Type\": \"STRING\",\\s*\"Value\": \"" + Regex.Escape(service) + "\"");

    [GeneratedRegex("^  \"SpanContext\": \\{", RegexOptions.Multiline)]
    private static partial Regex SpanContextProperty();

    [GeneratedRegex("^trace (?<id>[0-9a-f]{32}): (?<state>[^,\\n]+, [a-z() ]+?)(,|$)", RegexOptions.Multiline)]
    private static partial Regex TraceHeader();
}
