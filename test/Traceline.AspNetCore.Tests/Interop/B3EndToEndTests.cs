using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Traceline.AspNetCore.Tests.Reliability;
using Traceline.Propagation;

namespace Traceline.AspNetCore.Tests.Interop;

/// <summary>
/// A mixed fleet on real Kestrel (127.0.0.1, random ports) and real HttpClients: a caller that sends only B3 headers,
/// a Traceline service (UseTracing, a client with AddTracingHandler) set to B3, and a plain Kestrel callee that knows
/// nothing of tracing and answers with the headers it received.
/// </summary>
public sealed class B3EndToEndTests
{
    private const string CallerTraceId = "80f198ee56343ba864fe8b2a57d3eff7";
    private const string CallerSpanId = "e457b5a2e4d86bd1";
    private const string CallerParentId = "05e3ac9a4f6e3b90";
    private const string W3cTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string W3cSpanId = "00f067aa0ba902b7";

    [Theory]
    [InlineData(CallerTraceId, CallerTraceId)]
    [InlineData("a3ce929d0e0e4736", "0000000000000000a3ce929d0e0e4736")] // a 64-bit trace id goes on left-padded
    public async Task SingleHeader_B3OnlyCallerToB3OnlyCallee_OneTraceThroughTheClientSpan(string callerTraceId, string traceId)
    {
        await using var callee = await EchoService.StartAsync();
        await using var service = await StartServiceAsync(callee, environment: "b3");

        var received = await CallAsync(service, ("b3", callerTraceId + "-" + CallerSpanId + "-1-" + CallerParentId));

        var (server, client) = ServerAndClientSpans(service);
        Assert.Equal(traceId, server.Context.TraceId.ToString());
        Assert.Equal(CallerSpanId, server.ParentSpanId.ToString());
        Assert.True(server.Parent.IsRemote);
        Assert.NotEqual(CallerSpanId, server.Context.SpanId.ToString()); // OpenTelemetry's B3 rules: never reuse X-B3-SpanId
        Assert.Equal(server.Context.SpanId, client.ParentSpanId);
        Assert.Equal(traceId + "-" + client.Context.SpanId + "-1", received["b3"]); // the callee's parent is the client span
        Assert.False(received.ContainsKey("traceparent"));
        Assert.DoesNotContain(received.Keys, k => k.StartsWith("x-b3-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task MultiHeader_B3OnlyCallerToB3OnlyCallee_OneTraceThroughTheClientSpan()
    {
        await using var callee = await EchoService.StartAsync();
        await using var service = await StartServiceAsync(callee, tracing: t => t.WithPropagator(Propagators.B3Multi));

        var received = await CallAsync(
            service,
            ("X-B3-TraceId", CallerTraceId),
            ("X-B3-SpanId", CallerSpanId),
            ("X-B3-ParentSpanId", CallerParentId),
            ("X-B3-Sampled", "1"));

        var (server, client) = ServerAndClientSpans(service);
        Assert.Equal(CallerTraceId, server.Context.TraceId.ToString());
        Assert.Equal(CallerSpanId, server.ParentSpanId.ToString());
        Assert.Equal(server.Context.SpanId, client.ParentSpanId);
        Assert.Equal(CallerTraceId, received["x-b3-traceid"]);
        Assert.Equal(client.Context.SpanId.ToString(), received["x-b3-spanid"]);
        Assert.Equal("1", received["x-b3-sampled"]);
        Assert.False(received.ContainsKey("x-b3-parentspanid")); // OpenTelemetry's B3 rules: MUST NOT propagate it
        Assert.False(received.ContainsKey("b3"));
        Assert.False(received.ContainsKey("traceparent"));
    }

    [Fact]
    public async Task MultiHeader_EnvironmentB3Multi_DenyCarriedOn()
    {
        await using var callee = await EchoService.StartAsync();
        await using var service = await StartServiceAsync(callee, environment: "b3multi");

        var received = await CallAsync(service, ("X-B3-TraceId", CallerTraceId), ("X-B3-SpanId", CallerSpanId), ("X-B3-Sampled", "0"));

        // Not sampled, so nothing is exported; the ids and the deny still reach the callee.
        Assert.Equal(CallerTraceId, received["x-b3-traceid"]);
        Assert.Matches("^[0-9a-f]{16}$", received["x-b3-spanid"]);
        Assert.NotEqual(CallerSpanId, received["x-b3-spanid"]);
        Assert.Equal("0", received["x-b3-sampled"]);
    }

    [Theory]
    [InlineData("tracecontext,b3", CallerTraceId, CallerSpanId)] // the later extractor wins
    [InlineData("b3,tracecontext", W3cTraceId, W3cSpanId)]
    public async Task BothHeaders_ComposedPropagators_LaterOneWinsAndBothAreSentForOneSpan(string propagators, string traceId, string parentId)
    {
        await using var callee = await EchoService.StartAsync();
        await using var service = await StartServiceAsync(callee, environment: propagators);

        var received = await CallAsync(
            service,
            ("traceparent", "00-" + W3cTraceId + "-" + W3cSpanId + "-01"),
            ("b3", CallerTraceId + "-" + CallerSpanId + "-1"));

        var (server, client) = ServerAndClientSpans(service);
        Assert.Equal(traceId, server.Context.TraceId.ToString());
        Assert.Equal(parentId, server.ParentSpanId.ToString());
        Assert.Equal("00-" + traceId + "-" + client.Context.SpanId + "-01", received["traceparent"]);
        Assert.Equal(traceId + "-" + client.Context.SpanId + "-1", received["b3"]);
    }

    [Theory]
    [InlineData("b3", "80F198EE56343BA864FE8B2A57D3EFF7-E457B5A2E4D86BD1-1")] // uppercase hex
    [InlineData("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1-")] // empty parent
    [InlineData("b3", "00000000000000000000000000000000-e457b5a2e4d86bd1-1")] // all-zero trace id
    [InlineData("b3", "0")] // a deny decision alone: no ids to continue
    [InlineData("b3", "80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1 garbage")]
    [InlineData("X-B3-TraceId", "80f198ee56343ba864fe8b2a57d3eff7;x")]
    [InlineData("X-B3-TraceId", "")]
    public async Task BadB3Header_NewTraceAndTheAppAnswers(string header, string value)
    {
        await using var callee = await EchoService.StartAsync();
        await using var service = await StartServiceAsync(callee, environment: "b3");

        var received = await CallAsync(service, (header, value), ("X-B3-SpanId", CallerSpanId), ("X-B3-Sampled", "1"));

        var (server, client) = ServerAndClientSpans(service);
        Assert.False(server.ParentSpanId.IsValid); // a new root, by the service's own sampler
        Assert.NotEqual(CallerTraceId, server.Context.TraceId.ToString());
        Assert.Equal(server.Context.TraceId + "-" + client.Context.SpanId + "-1", received["b3"]);
    }

    private static Task<TracedService> StartServiceAsync(EchoService callee, string? environment = null, Action<TracingBuilder>? tracing = null) =>
        TracedService.StartAsync(
            "b3-service",
            app => app.MapGet("/", async (IHttpClientFactory clients) => await clients.CreateClient("next").GetStringAsync("/echo")),
            next: callee.Address,
            tracing: tracing,
            environment: environment is null ? null : new Dictionary<string, string> { ["OTEL_PROPAGATORS"] = environment });

    /// <summary>Calls the service with only the given headers; returns the headers the callee received.</summary>
    private static async Task<Dictionary<string, string>> CallAsync(TracedService service, params (string Name, string Value)[] headers)
    {
        using var client = new HttpClient { BaseAddress = service.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        foreach (var (name, value) in headers)
        {
            Assert.True(request.Headers.TryAddWithoutValidation(name, value));
        }

        using var response = await client.SendAsync(request);
        return EchoService.Parse(await response.EnsureSuccessStatusCode().Content.ReadAsStringAsync());
    }

    private static (Span Server, Span Client) ServerAndClientSpans(TracedService service)
    {
        // The server span ends as the response completes, which can be just after the caller has read it.
        IReadOnlyList<Span> spans = [];
        Assert.True(
            SpinWait.SpinUntil(
                () =>
                {
                    service.Flush();
                    spans = service.Exporter.Spans;
                    return spans.Any(s => s.Kind == SpanKind.Server) && spans.Any(s => s.Kind == SpanKind.Client);
                },
                TimeSpan.FromSeconds(10)),
            "The server and client spans were not exported.");
        var server = Assert.Single(spans, s => s.Kind == SpanKind.Server);
        var client = Assert.Single(spans, s => s.Kind == SpanKind.Client);
        Assert.Equal(server.Context.TraceId, client.Context.TraceId);
        return (server, client);
    }
}
