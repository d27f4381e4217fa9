using System.Text;
using Traceline.Tests.Shared;

namespace Traceline.Cli.Tests;

/// <summary>
/// <c>traceline view</c> on logs recorded from real programs (Inputs/): the demo's three Traceline services in pretty
/// JSON and, with <c>--split</c>, compact; two Go services' <c>stdouttrace</c> output (pretty, tab-indented, local time,
/// Go's trimmed nanoseconds, <c>null</c> lists); an OTLP/JSON file; and a hostile log. Output, messages and exit code
/// are compared with Golden/ exactly.
/// </summary>
public sealed class GoldenOutputTests
{
    [Theory]
    [InlineData("traceline-pretty.txt", "traceline-pretty.log")]
    [InlineData("traceline-compact-split.txt", "traceline-compact-split.log")]
    [InlineData("go-stdouttrace.txt", "go-frontend.log", "go-backend.log")]
    [InlineData("otlp-json.txt", "otlp.json")]
    [InlineData("hostile.txt", "hostile.log")]
    [InlineData("all-inputs.txt", "go-frontend.log", "traceline-compact-split.log", "otlp.json", "go-backend.log")]
    public void View_RecordedInput_MatchesGoldenOutput(string golden, params string[] inputs)
    {
        GoldenFile.AssertMatches(golden, Run(configure: null, inputs));
    }

    [Fact]
    public void View_ErrorsAndServiceFilters_MatchGoldenOutput()
    {
        var golden = Run(v => (v.ErrorsOnly, v.ServiceFilter) = (true, "payments"), "otlp.json", "go-frontend.log", "go-backend.log");
        GoldenFile.AssertMatches("filtered-errors-payments.txt", golden);
    }

    private static string Run(Action<ViewCommand>? configure, params string[] inputs)
    {
        var output = new StringWriter();
        var errors = new StringWriter();
        var configured = new ViewCommand(output, errors);
        configure?.Invoke(configured);
        foreach (var input in inputs)
        {
            using var stream = File.OpenRead(Path.Combine(AppContext.BaseDirectory, "Inputs", input));
            configured.Read(stream, input);
        }

        var exit = configured.Print();
        return new StringBuilder()
            .Append("$ traceline view --no-color ").AppendJoin(' ', inputs).Append('\n')
            .Append(output).Append("--- stderr ---\n").Append(errors).Append("--- exit code ").Append(exit).Append(" ---\n")
            .ToString();
    }
}
