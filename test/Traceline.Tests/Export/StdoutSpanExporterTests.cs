using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Traceline.Export;

namespace Traceline.Tests.Export;

public sealed class StdoutSpanExporterTests
{
    private static Span RichSpan(TracerProvider provider, out SpanContext remoteParent)
    {
        remoteParent = new SpanContext(TraceId.Parse("4bf92f3577b34da6a3ce929d0e0e4736"), SpanId.Parse("00f067aa0ba902b7"), TraceFlags.Sampled, "congo=t61rcWkgMzE", isRemote: true);
        var span = provider.GetTracer("scope", "2.0").StartSpan("GET /users/{id}", SpanKind.Server, remoteParent);
        span.SetAttribute("http.route", "/users/{id}").SetAttribute("n", 7).SetAttribute("ok", true).SetAttribute("ratio", 0.25).SetAttribute("tags", new[] { "a", "b" });
        span.AddEvent("cache-miss", new SpanAttribute("key", "user:7"));
        span.AddLink(new SpanLink(new SpanContext(TraceId.Parse("0af7651916cd43dd8448eb211c80319c"), SpanId.Parse("b7ad6b7169203331"), TraceFlags.None), new SpanAttribute("why", "retry")));
        span.SetStatus(SpanStatusCode.Error, "boom");
        span.End();
        return span;
    }

    [Fact]
    public async Task Export_Pretty_WritesGoStdouttraceLayout()
    {
        var writer = new StringWriter();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero));
        using var provider = TestProviders.Create(b => b.WithServiceName("foo-service").WithTimeProvider(time).UseInMemoryExporter(new InMemorySpanExporter()));
        var span = RichSpan(provider, out _);
        using var exporter = new StdoutSpanExporter(new StdoutExporterOptions { Writer = writer });
        Assert.Equal(ExportResult.Success, await exporter.ExportAsync(new[] { span }, CancellationToken.None));

        var text = writer.ToString();
        Assert.Contains("\n  \"Name\"", text, StringComparison.Ordinal); // indented
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        Assert.Equal("GET /users/{id}", root.GetProperty("Name").GetString());
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", root.GetProperty("SpanContext").GetProperty("TraceID").GetString());
        Assert.Equal(span.Context.SpanId.ToString(), root.GetProperty("SpanContext").GetProperty("SpanID").GetString());
        Assert.Equal("01", root.GetProperty("SpanContext").GetProperty("TraceFlags").GetString());
        Assert.Equal("congo=t61rcWkgMzE", root.GetProperty("SpanContext").GetProperty("TraceState").GetString());
        Assert.False(root.GetProperty("SpanContext").GetProperty("Remote").GetBoolean());
        Assert.Equal("00f067aa0ba902b7", root.GetProperty("Parent").GetProperty("SpanID").GetString());
        Assert.True(root.GetProperty("Parent").GetProperty("Remote").GetBoolean());
        Assert.Equal(2, root.GetProperty("SpanKind").GetInt32()); // Go's numbering: server = 2
        Assert.Equal("2026-11-23T10:00:00.000000000Z", root.GetProperty("StartTime").GetString());
        var attributes = root.GetProperty("Attributes").EnumerateArray().ToDictionary(a => a.GetProperty("Key").GetString()!, a => a.GetProperty("Value"));
        Assert.Equal("STRING", attributes["http.route"].GetProperty("Type").GetString());
        Assert.Equal("INT64", attributes["n"].GetProperty("Type").GetString());
        Assert.Equal(7, attributes["n"].GetProperty("Value").GetInt64());
        Assert.Equal("BOOL", attributes["ok"].GetProperty("Type").GetString());
        Assert.Equal("FLOAT64", attributes["ratio"].GetProperty("Type").GetString());
        Assert.Equal("STRINGSLICE", attributes["tags"].GetProperty("Type").GetString());
        Assert.Equal("cache-miss", root.GetProperty("Events")[0].GetProperty("Name").GetString());
        Assert.Equal("b7ad6b7169203331", root.GetProperty("Links")[0].GetProperty("SpanContext").GetProperty("SpanID").GetString());
        Assert.Equal("Error", root.GetProperty("Status").GetProperty("Code").GetString());
        Assert.Equal("boom", root.GetProperty("Status").GetProperty("Description").GetString());
        Assert.Equal(0, root.GetProperty("DroppedAttributes").GetInt32());
        Assert.Contains(root.GetProperty("Resource").EnumerateArray(), a => a.GetProperty("Key").GetString() == "service.name" && a.GetProperty("Value").GetProperty("Value").GetString() == "foo-service");
        Assert.Equal("scope", root.GetProperty("InstrumentationScope").GetProperty("Name").GetString());
        Assert.Equal("2.0", root.GetProperty("InstrumentationScope").GetProperty("Version").GetString());
    }

    [Fact]
    public async Task Export_Compact_OneJsonObjectPerLine_RootParentAllZero()
    {
        var writer = new StringWriter();
        using var provider = TestProviders.Create(b => b.UseInMemoryExporter(new InMemorySpanExporter()));
        var tracer = provider.GetTracer("t");
        var a = tracer.StartRootSpan("a");
        a.End();
        var b = tracer.StartRootSpan("b");
        b.End();
        using var exporter = new StdoutSpanExporter(new StdoutExporterOptions { Writer = writer, Format = StdoutFormat.Compact });
        await exporter.ExportAsync(new[] { a, b }, CancellationToken.None);
        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        foreach (var line in lines)
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal("00000000000000000000000000000000", json.RootElement.GetProperty("Parent").GetProperty("TraceID").GetString());
            Assert.Equal("0000000000000000", json.RootElement.GetProperty("Parent").GetProperty("SpanID").GetString());
        }
    }

    [Fact]
    public async Task Export_NonFiniteDoublesAndControlCharacters_StillValidJson()
    {
        var writer = new StringWriter();
        using var provider = TestProviders.Create(b => b.UseInMemoryExporter(new InMemorySpanExporter()));
        var span = provider.GetTracer("t").StartSpan("x\r\ny").SetAttribute("nan", double.NaN).SetAttribute("ctl", "a\u0001b\"c");
        span.End();
        using var exporter = new StdoutSpanExporter(new StdoutExporterOptions { Writer = writer, Format = StdoutFormat.Compact });
        await exporter.ExportAsync(new[] { span }, CancellationToken.None);
        using var json = JsonDocument.Parse(writer.ToString());
        Assert.Equal("x\r\ny", json.RootElement.GetProperty("Name").GetString());
        Assert.Single(writer.ToString().Trim().Split('\n'));
    }

    [Fact]
    public void StdoutFormat_FromConfiguration_Compact()
    {
        using var provider = TestProviders.Create(configuration: new Dictionary<string, string> { ["Stdout:Format"] = "compact" });
        var processor = Assert.IsType<BatchSpanProcessor>(Assert.Single(provider.Processors));
        var exporter = Assert.IsType<StdoutSpanExporter>(processor.Exporter);
        var span = provider.GetTracer("t").StartSpan("x");
        span.End();
        Assert.DoesNotContain("\n ", exporter.Render([span]), StringComparison.Ordinal);
    }
}
