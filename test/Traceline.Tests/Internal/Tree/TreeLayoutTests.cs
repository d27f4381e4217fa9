using System.Text;
using Microsoft.Extensions.Time.Testing;
using Traceline.Export;
using Traceline.Internal.Tree;
using Traceline.Tests.Shared;

namespace Traceline.Tests.Internal.Tree;

/// <summary>
/// The stdout tree layout, end to end through <see cref="StdoutSpanExporter"/>: spans with fixed ids and times (a
/// <see cref="FakeTimeProvider"/> drives the timeout), plain text as when stdout is redirected, compared with Golden/.
/// </summary>
public sealed class TreeLayoutTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 10, 0, 0, TimeSpan.Zero);
    private static readonly TraceId W3CTrace = TraceId.Parse("4bf92f3577b34da6a3ce929d0e0e4736");
    private static readonly SpanContext Caller = new(W3CTrace, SpanId.Parse("00f067aa0ba902b7"), TraceFlags.Sampled, isRemote: true);

    [Fact]
    public async Task Export_TraceWhoseRootEnds_PrintsOneBlockAtTheRootsEnd()
    {
        var (provider, tracer, time) = Provider();
        using var _ = provider;
        var writer = new StringWriter();
        using var exporter = new StdoutSpanExporter(new StdoutExporterOptions { Format = StdoutFormat.Tree, Writer = writer }, time, color: false);

        var server = Start(tracer, "GET /orders/{id}", SpanKind.Server, Caller, "a000000000000001", 0);
        var load = Start(tracer, "load-profile", SpanKind.Internal, server.Context, "a000000000000002", 10);
        load.RecordException(new InvalidOperationException("no profile 42"));
        load.SetStatus(SpanStatusCode.Error, "no profile 42");
        load.End(T0.AddMilliseconds(40));
        var client = Start(tracer, "GET", SpanKind.Client, server.Context, "a000000000000003", 45);
        client.End(T0.AddMilliseconds(110));
        SpanLink[] links = [new(new SpanContext(TraceId.Parse("0af7651916cd43dd8448eb211c80319c"), SpanId.Parse("b7ad6b7169203331"), TraceFlags.Sampled))];
        var render = Start(tracer, "render", SpanKind.Internal, server.Context, "a000000000000004", 111, links);
        render.End(T0.AddMilliseconds(118));

        await exporter.ExportAsync(new[] { load, client }, CancellationToken.None);
        Assert.Equal(string.Empty, writer.ToString()); // the root has not ended: nothing is printed yet
        Assert.Equal(1, exporter.Tree!.WaitingCount);

        server.End(T0.AddMilliseconds(120));
        await exporter.ExportAsync(new[] { render, server }, CancellationToken.None);

        Assert.Equal(0, exporter.Tree.WaitingCount);
        GoldenFile.AssertMatches("tree-whole.txt", writer.ToString());
    }

    [Fact]
    public async Task Export_RootThatNeverEnds_PrintsIncompleteAfterTheTimeoutAndAtShutdown()
    {
        var (provider, tracer, time) = Provider();
        using var _ = provider;
        var writer = new StringWriter();
        using var exporter = new StdoutSpanExporter(new StdoutExporterOptions { Format = StdoutFormat.Tree, Writer = writer }, time, color: false);

        // Trace 1: the root never ends; its child is exported and waits.
        var stuck = Start(tracer, "POST /upload", SpanKind.Server, default, "b000000000000001", 0, trace: "11111111111111111111111111111111");
        var child = Start(tracer, "store-blob", SpanKind.Client, stuck.Context, "b000000000000002", 5);
        child.End(T0.AddMilliseconds(2005));
        await exporter.ExportAsync(new[] { child }, CancellationToken.None);

        time.Advance(TreeLayout.DefaultTimeout - TimeSpan.FromSeconds(1));
        Assert.Equal(string.Empty, writer.ToString());
        time.Advance(TimeSpan.FromSeconds(2));
        var afterTimeout = writer.ToString();

        // Trace 2: still waiting when the exporter shuts down.
        var late = Start(tracer, "GET /report", SpanKind.Server, default, "c000000000000001", 0, trace: "22222222222222222222222222222222");
        var query = Start(tracer, "query", SpanKind.Internal, late.Context, "c000000000000002", 1);
        query.End(T0.AddMilliseconds(31));
        await exporter.ExportAsync(new[] { query }, CancellationToken.None);
        await exporter.ShutdownAsync(CancellationToken.None);

        GoldenFile.AssertMatches("tree-incomplete.txt", afterTimeout + "--- shutdown ---\n" + writer.ToString()[afterTimeout.Length..]);
    }

    [Fact]
    public void Add_MoreTracesWaitingThanTheCap_DropsAndCountsInTheNextBlock()
    {
        var (provider, tracer, time) = Provider();
        using var _ = provider;
        var writer = new StringWriter();
        using var layout = new TreeLayout(writer, color: false, time, maxWaitingTraces: 1);

        var rootA = Start(tracer, "GET /a", SpanKind.Server, default, "d000000000000001", 0, trace: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        var childA = Start(tracer, "a-work", SpanKind.Internal, rootA.Context, "d000000000000002", 1);
        childA.End(T0.AddMilliseconds(2));
        var rootB = Start(tracer, "GET /b", SpanKind.Server, default, "e000000000000001", 0, trace: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        var childB = Start(tracer, "b-work", SpanKind.Internal, rootB.Context, "e000000000000002", 1);
        childB.End(T0.AddMilliseconds(2));
        layout.Add([childA, childB]); // A waits; B finds no room
        rootA.End(T0.AddMilliseconds(3));
        layout.Add([rootA]);

        Assert.Equal(1, layout.Dropped);
        Assert.Equal(0, layout.WaitingCount);
        GoldenFile.AssertMatches("tree-dropped.txt", writer.ToString());
    }

    [Fact]
    public void Write_Color_UsesAnsiEscapesOnlyWhenAsked()
    {
        TraceSpan[] spans = [new() { TraceId = W3CTrace, SpanId = SpanId.Parse("a000000000000001"), Name = "GET /", Kind = SpanKind.Server, StartUnixNanos = 1, EndUnixNanos = 1_000_001, Status = SpanStatusCode.Error }];
        var plain = new StringBuilder();
        var colored = new StringBuilder();
        TraceTreeWriter.Write(plain, spans, color: false);
        TraceTreeWriter.Write(colored, spans, color: true);

        Assert.DoesNotContain('\e', plain.ToString());
        Assert.Contains("\e[31m", colored.ToString(), StringComparison.Ordinal);
        Assert.False(StdoutSpanExporter.UseColor(new StringWriter())); // a writer of one's own is never a terminal
    }

    private static (TracerProvider Provider, Tracer Tracer, FakeTimeProvider Time) Provider()
    {
        var time = new FakeTimeProvider(T0);
        var provider = TestProviders.Create(b => b.WithServiceName("orders").WithTimeProvider(time).UseInMemoryExporter(new InMemorySpanExporter()));
        return (provider, provider.GetTracer("tree-tests"), time);
    }

    private static Span Start(Tracer tracer, string name, SpanKind kind, SpanContext parent, string spanId, int startMs, ReadOnlySpan<SpanLink> links = default, string? trace = null) =>
        tracer.StartSpanCore(new SpanStartArguments(name, kind, parent, previous: null)
        {
            AdoptedTraceId = trace is null ? default : TraceId.Parse(trace),
            AdoptedSpanId = SpanId.Parse(spanId),
            StartTime = T0.AddMilliseconds(startMs),
            Links = links,
        });
}
