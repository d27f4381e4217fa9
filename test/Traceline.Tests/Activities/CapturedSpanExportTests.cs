using System.Diagnostics;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Traceline.Export;
using Traceline.Tests.Otlp;
using ProtoTrace = Traceline.Tests.Otlp.Proto.Trace;

namespace Traceline.Tests.Activities;

/// <summary>
/// A captured Activity, its data copied by the exporter's first read, exports exactly as the same span made through
/// the Tracer API does: OTLP (decoded by Google.Protobuf) and stdout (parsed JSON), ids aside.
/// </summary>
[Collection(ActivityCollection.Name)]
public sealed class CapturedSpanExportTests
{
    private const string SourceName = "Export.Captured";
    private const string SourceVersion = "4.5.6";

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task Otlp_CapturedSpan_SameAsTheTracerApisTwin(OtlpExportProtocol protocol)
    {
        var grpc = protocol == OtlpExportProtocol.Grpc;
        await using var receiver = await OtlpTestReceiver.StartAsync(grpc ? HttpProtocols.Http2 : HttpProtocols.Http1);
        var (provider, captured, twin) = CaptureWithTwin();
        using var _ = provider;
        using var exporter = new OtlpSpanExporter(new OtlpExporterOptions { Endpoint = receiver.Address, Protocol = protocol });

        Assert.True(captured.HasPendingActivity); // the exporter is the first reader
        Assert.Equal(ExportResult.Success, await exporter.ExportAsync(new[] { captured, twin }, CancellationToken.None));

        var scope = Assert.Single(Assert.Single(Assert.Single(receiver.Requests).DecodeProtobuf().ResourceSpans).ScopeSpans);
        Assert.Equal(SourceName, scope.Scope.Name);
        Assert.Equal(2, scope.Spans.Count);
        var (fromActivity, fromApi) = (scope.Spans[0], scope.Spans[1]);
        Assert.Equal(captured.Context.SpanId.ToString(), Convert.ToHexStringLower(fromActivity.SpanId.ToByteArray()));
        Assert.Equal(5, fromActivity.Attributes.Count);
        Assert.Equal(2, fromActivity.Events.Count);
        Assert.Single(fromActivity.Links);
        Assert.Equal(ProtoTrace.Status.Types.StatusCode.Error, fromActivity.Status.Code);
        fromActivity.SpanId = fromApi.SpanId;
        fromActivity.Flags = fromApi.Flags;
        Assert.Equal(fromApi, fromActivity);
    }

    [Fact]
    public async Task Stdout_CapturedSpan_SameAsTheTracerApisTwin()
    {
        var (provider, captured, twin) = CaptureWithTwin();
        using var _ = provider;
        var writer = new StringWriter();
        using var exporter = new StdoutSpanExporter(new StdoutExporterOptions { Writer = writer, Format = StdoutFormat.Compact });

        Assert.True(captured.HasPendingActivity);
        Assert.Equal(ExportResult.Success, await exporter.ExportAsync(new[] { captured, twin }, CancellationToken.None));

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var (fromActivity, fromApi) = (JsonNode.Parse(lines[0])!.AsObject(), JsonNode.Parse(lines[1])!.AsObject());
        Assert.Equal("SELECT orders", fromActivity["Name"]!.GetValue<string>());
        Assert.Equal(captured.Context.SpanId.ToString(), fromActivity["SpanContext"]!["SpanID"]!.GetValue<string>());
        fromActivity["SpanContext"]!["SpanID"] = fromApi["SpanContext"]!["SpanID"]!.DeepClone();
        fromActivity["SpanContext"]!["TraceFlags"] = fromApi["SpanContext"]!["TraceFlags"]?.DeepClone();
        Assert.Equal(fromApi.ToJsonString(), fromActivity.ToJsonString());
    }

    /// <summary>
    /// One Activity captured under a remote parent with tags, events, a link, a status and explicit times, and its twin
    /// made through the Tracer API with the same data in the same order. The captured span is still uncopied.
    /// </summary>
    private static (TracerProvider Provider, Span Captured, Span Twin) CaptureWithTwin()
    {
        var memory = new InMemorySpanExporter();
        var provider = TestProviders.Create(b => b.AddSource(SourceName).UseInMemoryExporter(memory));
        using var source = new ActivitySource(SourceName, SourceVersion);
        var start = new DateTimeOffset(2026, 12, 8, 9, 10, 11, TimeSpan.Zero).AddTicks(1234);
        var end = start.AddMilliseconds(12.5);
        var eventTime = start.AddMilliseconds(3);
        var parent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "vendor=abc", isRemote: true);
        var linked = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, "linked=1", isRemote: true);

        using (var activity = source.StartActivity("query", ActivityKind.Client, parent, [new("db.system.name", "postgresql")], [new ActivityLink(linked, new ActivityTagsCollection { ["link.kind"] = "cause" })], start)!)
        {
            activity.SetTag("db.response.returned_rows", 3);
            activity.SetTag("db.cached", true);
            activity.SetTag("db.ratio", 0.5);
            activity.SetTag("db.names", new[] { "a", "b" });
            activity.AddEvent(new ActivityEvent("fetched", eventTime, new ActivityTagsCollection { ["rows"] = 3 }));
            activity.AddEvent(new ActivityEvent("closed", end));
            activity.SetStatus(ActivityStatusCode.Error, "deadlock");
            activity.DisplayName = "SELECT orders";
            activity.SetEndTime(end.UtcDateTime);
        }

        var captured = Assert.Single(memory.Spans);
        var remote = new SpanContext(TraceId.Parse(parent.TraceId.ToHexString()), SpanId.Parse(parent.SpanId.ToHexString()), TraceFlags.Sampled, "vendor=abc", isRemote: true);
        var link = new SpanContext(TraceId.Parse(linked.TraceId.ToHexString()), SpanId.Parse(linked.SpanId.ToHexString()), TraceFlags.None, "linked=1", isRemote: true);
        var twin = provider.GetTracer(SourceName, SourceVersion).StartSpan("query", SpanKind.Client, remote, [new("db.system.name", "postgresql")], [new SpanLink(link, new SpanAttribute("link.kind", "cause"))], start);
        twin.SetAttribute("db.response.returned_rows", 3L)
            .SetAttribute("db.cached", true)
            .SetAttribute("db.ratio", 0.5)
            .SetAttribute("db.names", new[] { "a", "b" })
            .AddEventAt("fetched", eventTime, new SpanAttribute("rows", 3L))
            .AddEventAt("closed", end)
            .SetStatus(SpanStatusCode.Error, "deadlock")
            .UpdateName("SELECT orders")
            .End(end);
        return (provider, captured, twin);
    }
}
