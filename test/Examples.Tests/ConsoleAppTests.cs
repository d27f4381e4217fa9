using System.Text.RegularExpressions;

namespace Traceline.Examples.Tests;

/// <summary>Runs the console example (no host, no DI) as a process.</summary>
public sealed partial class ConsoleAppTests
{
    [Fact]
    public async Task ConsoleApp_Run_SendsItsTraceOverTheWireAndPrintsEverySpan()
    {
        var result = await ExampleProcess.RunAsync("console-app", "ConsoleApp", TimeSpan.FromSeconds(60));

        Assert.True(result.ExitCode == 0, $"exit code {result.ExitCode}:{Environment.NewLine}{result.Output}");
        var traceId = TraceLine().Match(result.Output).Groups["id"].Value;
        Assert.Matches("^[0-9a-f]{32}$", traceId);

        // Both requests carried the job's trace id to the server in traceparent.
        var seen = SeenLine().Matches(result.Output);
        Assert.Equal(2, seen.Count);
        Assert.All(seen, m => Assert.Equal(traceId, m.Groups["id"].Value));

        // nightly-job, two process-item, two GET: five spans, all in that trace, exported when the provider is disposed.
        Assert.Equal(5, Regex.Count(result.Output, "^  \"SpanContext\": \\{\\s*\"TraceID\": \"" + traceId + "\"", RegexOptions.Multiline));
    }

    [GeneratedRegex("^trace (?<id>[0-9a-f]{32}):", RegexOptions.Multiline)]
    private static partial Regex TraceLine();

    [GeneratedRegex("saw traceparent 00-(?<id>[0-9a-f]{32})-[0-9a-f]{16}-0[0-9a-f]")]
    private static partial Regex SeenLine();
}
