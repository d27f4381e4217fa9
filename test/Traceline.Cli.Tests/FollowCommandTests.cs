using System.Globalization;
using System.IO.Pipes;
using System.Text;
using Traceline.Tests.Shared;

namespace Traceline.Cli.Tests;

/// <summary>
/// <c>traceline view --follow</c> on real files that the test writes while the tool reads them, on a fake clock:
/// traces are printed once settled, records written in pieces are parsed when whole, two services' files merge into
/// one tree, a truncated or rotated file is read again from the start, a trace without a root times out, filters
/// apply, the waiting traces are capped, and Ctrl+C or a closed stdin prints what is left.
/// </summary>
public sealed class FollowCommandTests
{
    private const string TraceA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string TraceB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string TraceC = "cccccccccccccccccccccccccccccccc";
    private const string NoParent = "0000000000000000";

    [Fact]
    public async Task Follow_GrowingFile_PrintsATraceOnceItsRootArrivedAndItSettled()
    {
        await using var follow = new Follower();
        await follow.StartAsync(["foo.log"]);

        follow.Append("foo.log", "starting foo-service\n" + Line("foo-service", "load", TraceA, "2222222222222222", "1111111111111111", 1, 10, 60));
        await follow.StepAsync();
        Assert.Equal(string.Empty, follow.Output); // no root yet

        follow.Append("foo.log", Line("foo-service", "GET /orders/{id}", TraceA, "1111111111111111", NoParent, 2, 0, 100));
        await follow.StepAsync();
        await follow.StepAsync();
        Assert.Equal(string.Empty, follow.Output); // the root arrived, but the settle time has not passed

        var output = await follow.AdvanceUntilAsync(o => o.Contains("whole: one root", StringComparison.Ordinal));
        Assert.Equal(1, Count(output, "trace " + TraceA));
        Assert.Equal(0, await follow.StopAsync());
        GoldenFile.AssertMatches("follow-growing-file.txt", Transcript(follow));
    }

    [Fact]
    public async Task Follow_LineWrittenInTwoPieces_IsParsedOnceWhole()
    {
        await using var follow = new Follower();
        await follow.StartAsync(["foo.log"]);
        var line = Line("foo-service", "GET /orders/{id}", TraceA, "1111111111111111", NoParent, 2, 0, 100);

        follow.Append("foo.log", line[..200]);
        await follow.StepAsync();
        await follow.StepAsync();
        Assert.Equal(0, follow.View.SpanCount);

        follow.Append("foo.log", line[200..]);
        await follow.AdvanceUntilAsync(o => o.Contains("whole: one root", StringComparison.Ordinal));
        Assert.Equal(1, follow.View.SpanCount);
        Assert.Equal(string.Empty, follow.Errors);
    }

    [Fact]
    public async Task Follow_TwoServicesInTwoFiles_MergesThemIntoOneTree()
    {
        await using var follow = new Follower();
        await follow.StartAsync(["foo.log", "bar.log"]);

        // The callee's span ends (and is logged) first; the caller's client span and root come later, in the other file.
        follow.Append("bar.log", Line("bar-service", "GET /stock", TraceA, "3333333333333333", "2222222222222222", 2, 20, 80, remote: true));
        await follow.StepAsync();
        follow.Append("foo.log", Line("foo-service", "GET", TraceA, "2222222222222222", "1111111111111111", 3, 10, 90));
        await follow.StepAsync();
        follow.Append("foo.log", Line("foo-service", "GET /orders/{id}", TraceA, "1111111111111111", NoParent, 2, 0, 100));

        var output = await follow.AdvanceUntilAsync(o => o.Contains("whole: one root", StringComparison.Ordinal));
        Assert.Contains($"trace {TraceA}  3 span(s)", output, StringComparison.Ordinal);
        Assert.Equal(0, await follow.StopAsync());
        GoldenFile.AssertMatches("follow-two-services.txt", Transcript(follow));
    }

    [Fact]
    public async Task Follow_FileTruncatedThenRotated_StartsOverAndSaysSoOnceEachTime()
    {
        await using var follow = new Follower();
        await follow.StartAsync(["foo.log"]);
        follow.Append("foo.log", Line("foo-service", "GET /first", TraceA, "1111111111111111", NoParent, 2, 0, 100));
        await follow.AdvanceUntilAsync(o => o.Contains("GET /first", StringComparison.Ordinal));

        // copytruncate: the same file, emptied, then written again (shorter than what was read).
        using (var file = new FileStream(follow.PathOf("foo.log"), FileMode.Open, FileAccess.Write, FileShare.ReadWrite))
        {
            file.SetLength(0);
        }

        follow.Append("foo.log", Line("foo-service", "GET /2nd", TraceB, "2222222222222222", NoParent, 2, 0, 100));
        await follow.AdvanceUntilAsync(o => o.Contains("GET /2nd", StringComparison.Ordinal));
        await follow.StepAsync();

        // Rename and create: the old file keeps its name's data, a new file takes the name.
        File.Move(follow.PathOf("foo.log"), follow.PathOf("foo.log.1"));
        follow.Append("foo.log", Line("foo-service", "GET /3", TraceC, "3333333333333333", NoParent, 2, 0, 100));
        var output = await follow.AdvanceUntilAsync(o => o.Contains("GET /3", StringComparison.Ordinal));
        await follow.StepAsync();

        var message = $"traceline: {follow.PathOf("foo.log")} was truncated or replaced: reading it again from the start";
        Assert.Equal(2, Count(follow.Errors, message));
        Assert.Equal(1, Count(output, "GET /first"));
        Assert.Equal(1, Count(output, "GET /2nd"));
    }

    [Fact]
    public async Task Follow_TraceWhoseRootNeverArrives_IsPrintedAfterTheTimeoutMarkedIncomplete()
    {
        await using var follow = new Follower();
        follow.Command.Timeout = TimeSpan.FromSeconds(10);
        await follow.StartAsync(["bar.log"]);
        var start = follow.Time.GetTimestamp();
        follow.Append("bar.log", Line("bar-service", "GET /stock", TraceA, "3333333333333333", "2222222222222222", 2, 20, 80, remote: true));

        var output = await follow.AdvanceUntilAsync(o => o.Contains("trace " + TraceA, StringComparison.Ordinal), TimeSpan.FromSeconds(1));
        Assert.InRange(follow.Time.GetElapsedTime(start), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(14));
        Assert.Contains("whole, root's parent 2222222222222222 is external", output, StringComparison.Ordinal);
        Assert.Contains("incomplete: no root span arrived within 10.00 s; printed as it is", output, StringComparison.Ordinal);
        Assert.Equal(0, await follow.StopAsync());
    }

    [Fact]
    public async Task Follow_ErrorsAndServiceFilters_PrintOnlyTheTracesThatPass()
    {
        await using var follow = new Follower(v => (v.ErrorsOnly, v.ServiceFilter) = (true, "bar-service"));
        await follow.StartAsync(["all.log"]);
        follow.Append("all.log", string.Concat(
            Line("foo-service", "GET /failing", TraceA, "1111111111111111", NoParent, 2, 0, 100, error: true),
            Line("bar-service", "GET /fine", TraceB, "2222222222222222", NoParent, 2, 0, 100),
            Line("bar-service", "GET /failing", TraceC, "3333333333333333", NoParent, 2, 0, 100, error: true)));

        var output = await follow.AdvanceUntilAsync(o => o.Contains("trace " + TraceC, StringComparison.Ordinal));
        Assert.Equal(0, await follow.StopAsync());
        Assert.DoesNotContain("trace " + TraceA, output, StringComparison.Ordinal);
        Assert.DoesNotContain("trace " + TraceB, output, StringComparison.Ordinal);
        Assert.Contains("1 trace(s) shown, 0 broken; 3 span(s) read", follow.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_CtrlC_PrintsTheWaitingTracesAndExitsOneForABrokenOne()
    {
        await using var follow = new Follower();
        await follow.StartAsync(["foo.log"]);
        follow.Append("foo.log", string.Concat(
            Line("foo-service", "GET /orders/{id}", TraceA, "1111111111111111", NoParent, 2, 0, 100),
            Line("baz-service", "GET /shelves/{id}", TraceA, "4444444444444444", "9999999999999999", 2, 20, 40, remote: true),
            Line("foo-service", "GET /cut", TraceB, "2222222222222222", NoParent, 2, 0, 100)[..150]));
        await follow.StepAsync();
        Assert.Equal(string.Empty, follow.Output);

        var exit = await follow.StopAsync();

        Assert.Equal(1, exit);
        Assert.Contains("BROKEN: split: baz-service GET /shelves/{id} names parent 9999999999999999", follow.Output, StringComparison.Ordinal);
        Assert.Contains("1 trace(s) shown, 1 broken; 2 span(s) read, 1 bad record(s)", follow.Output, StringComparison.Ordinal);
        Assert.Contains("foo.log:3: truncated: the input ended inside this object", follow.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_StdinClosed_EndsWithTheWaitingTracesPrinted()
    {
        await using var follow = new Follower();
        using var pipe = new AnonymousPipeServerStream(PipeDirection.Out);
        using var stdin = new AnonymousPipeClientStream(PipeDirection.In, pipe.ClientSafePipeHandle);
        await follow.StartAsync([], stdin);

        pipe.Write(Encoding.UTF8.GetBytes(Line("foo-service", "GET /done", TraceA, "1111111111111111", NoParent, 2, 0, 100)));
        await follow.AdvanceUntilAsync(o => o.Contains("GET /done", StringComparison.Ordinal));
        pipe.Write(Encoding.UTF8.GetBytes(Line("bar-service", "GET /orphan", TraceB, "3333333333333333", "2222222222222222", 2, 20, 80, remote: true)));
        await follow.StepAsync();
        pipe.Dispose();

        var exit = await follow.WaitForEndAsync();

        Assert.Equal(0, exit);
        Assert.Contains("GET /orphan", follow.Output, StringComparison.Ordinal);
        Assert.Contains("incomplete: no root span arrived before the end (Ctrl+C, or the input closed)", follow.Output, StringComparison.Ordinal);
        Assert.Contains("2 trace(s) shown, 0 broken; 2 span(s) read", follow.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Follow_MoreTracesWaitingThanTheCap_DropsAndCountsTheRest()
    {
        await using var follow = new Follower(v => v.MaxTraces = 2);
        await follow.StartAsync(["bar.log"]);
        follow.Append("bar.log", string.Concat(
            Line("bar-service", "GET /1", TraceA, "1111111111111111", "9999999999999991", 2, 0, 10, remote: true),
            Line("bar-service", "GET /2", TraceB, "2222222222222222", "9999999999999992", 2, 0, 10, remote: true),
            Line("bar-service", "GET /3", TraceC, "3333333333333333", "9999999999999993", 2, 0, 10, remote: true)));
        await follow.StepAsync();
        Assert.Equal(2, follow.View.Traces.Count);

        Assert.Equal(0, await follow.StopAsync());
        Assert.StartsWith("traceline: 1 trace(s) dropped: more than 2 were waiting", follow.Output, StringComparison.Ordinal);
        Assert.Contains("2 trace(s) shown, 0 broken; 2 span(s) read, 0 bad record(s), 0 span(s) over the limit skipped, 0 other JSON object(s) ignored, 1 trace(s) dropped (2 were waiting).", follow.Output, StringComparison.Ordinal);
    }

    internal static string Line(string service, string name, string trace, string span, string parent, int kind, int startMs, int endMs, bool remote = false, bool error = false) =>
        $$$"""{"Name":"{{{name}}}","SpanContext":{"TraceID":"{{{trace}}}","SpanID":"{{{span}}}","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"{{{trace}}}","SpanID":"{{{parent}}}","TraceFlags":"01","TraceState":"","Remote":{{{(remote ? "true" : "false")}}}},"SpanKind":{{{kind}}},"StartTime":"{{{Time(startMs)}}}","EndTime":"{{{Time(endMs)}}}","Attributes":[],"Events":[],"Links":[],"Status":{"Code":"{{{(error ? "Error" : "Unset")}}}","Description":""},"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"{{{service}}}"}}]}""" + "\n";

    private static string Time(int ms) => new DateTime(2026, 12, 7, 12, 0, 0, DateTimeKind.Utc).AddMilliseconds(ms).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static int Count(string text, string part)
    {
        var count = 0;
        for (var i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + part.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    private static string Transcript(Follower follow) =>
        new StringBuilder().Append(follow.Output).Append("--- stderr ---\n").Append(follow.Errors).ToString();
}
