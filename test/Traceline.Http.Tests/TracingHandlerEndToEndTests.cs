using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Traceline.Http.Tests.Support;
using Traceline.Sampling;

namespace Traceline.Http.Tests;

/// <summary>
/// The handler through the real SocketsHttpHandler against real Kestrel services on 127.0.0.1, inside real ASP.NET Core
/// requests (which carry ASP.NET Core's own Activity), with UseTracing on every service.
/// </summary>
public sealed class TracingHandlerEndToEndTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AToBToC_RealKestrel_OneTraceByIdsAndExactlyOneTraceparentEachHop()
    {
        await using var c = await TestServer.StartAsync("C", null, app => app.MapGet("/echo", (HttpRequest r) => TestServer.EchoHeaders(r)));
        await using var b = await TestServer.StartAsync(
            "B",
            s => s.AddHttpClient("c", h => h.BaseAddress = c.BaseAddress).AddTracingHandler(),
            app => app.MapGet("/hop", async (HttpRequest r, IHttpClientFactory f) =>
                TestServer.EchoHeaders(r) + "\n--\n" + await f.CreateClient("c").GetStringAsync(new Uri("/echo", UriKind.Relative))));
        await using var a = await TestServer.StartAsync(
            "A",
            s => s.AddHttpClient("b", h => h.BaseAddress = b.BaseAddress).AddTracingHandler(),
            app => app.MapGet("/call", async (IHttpClientFactory f) => await f.CreateClient("b").GetStringAsync(new Uri("/hop", UriKind.Relative))));
        using var caller = new HttpClient { BaseAddress = a.BaseAddress };

        var body = await caller.GetStringAsync(new Uri("/call", UriKind.Relative));

        Assert.True(a.Exporter.WaitFor(s => s.Count == 2, Wait));
        Assert.True(b.Exporter.WaitFor(s => s.Count == 2, Wait));
        Assert.True(c.Exporter.WaitFor(s => s.Count == 1, Wait));
        var aServer = Assert.Single(a.Exporter.Spans, s => s.Kind == SpanKind.Server);
        var aClient = Assert.Single(a.Exporter.Spans, s => s.Kind == SpanKind.Client);
        var bServer = Assert.Single(b.Exporter.Spans, s => s.Kind == SpanKind.Server);
        var bClient = Assert.Single(b.Exporter.Spans, s => s.Kind == SpanKind.Client);
        var cServer = Assert.Single(c.Exporter.Spans);

        var trace = aServer.Context.TraceId;
        Assert.All([aClient, bServer, bClient, cServer], s => Assert.Equal(trace, s.Context.TraceId));
        Assert.False(aServer.ParentSpanId.IsValid);
        Assert.Equal(aServer.Context.SpanId, aClient.ParentSpanId);
        Assert.Equal(aClient.Context.SpanId, bServer.ParentSpanId);
        Assert.Equal(bServer.Context.SpanId, bClient.ParentSpanId);
        Assert.Equal(bClient.Context.SpanId, cServer.ParentSpanId);

        var hops = body.Split("\n--\n");
        Assert.Equal(aClient.Context.SpanId, ReceivedTraceparent(hops[0]).ParentId);
        Assert.Equal(bClient.Context.SpanId, ReceivedTraceparent(hops[1]).ParentId);
    }

    [Fact]
    public async Task AToB_AspNetCoreActivityCarriesForeignStateAndBaggage_BReceivesOnlyTraceline()
    {
        await using var b = await TestServer.StartAsync("B", null, app => app.MapGet("/echo", (HttpRequest r) => TestServer.EchoHeaders(r)));
        var sawActivity = false;
        await using var a = await TestServer.StartAsync(
            "A",
            s => s.AddHttpClient("b", h => h.BaseAddress = b.BaseAddress).AddTracingHandler(),
            app => app.MapGet("/call", async (IHttpClientFactory f) =>
            {
                // What other libraries do to the ambient Activity: the runtime's DiagnosticsHandler would send this along.
                var activity = Activity.Current;
                sawActivity = activity is not null;
                activity?.AddBaggage("foreign", "1");
                activity!.TraceStateString = "foreign=1";
                return await f.CreateClient("b").GetStringAsync(new Uri("/echo", UriKind.Relative));
            }));
        using var caller = new HttpClient { BaseAddress = a.BaseAddress };

        var received = await caller.GetStringAsync(new Uri("/call", UriKind.Relative));

        Assert.True(sawActivity);
        Assert.True(a.Exporter.WaitFor(s => s.Count == 2, Wait));
        var aClient = Assert.Single(a.Exporter.Spans, s => s.Kind == SpanKind.Client);
        Assert.Equal(aClient.Context.SpanId, ReceivedTraceparent(received).ParentId);
        Assert.Contains("tracestate:0:", received, StringComparison.Ordinal);
        Assert.Contains("baggage:0:", received, StringComparison.Ordinal);
        Assert.Contains("Correlation-Context:0:", received, StringComparison.Ordinal);
        Assert.Contains("Request-Id:0:", received, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AToB_500ChainedRequests64InFlight_EveryTraceCompleteExactlyOnce()
    {
        const int Requests = 500;
        await using var b = await TestServer.StartAsync("B", null, app => app.MapGet("/echo", (HttpRequest r) => TestServer.EchoHeaders(r)));
        await using var a = await TestServer.StartAsync(
            "A",
            s => s.AddHttpClient("b", h => h.BaseAddress = b.BaseAddress).AddTracingHandler(),
            app => app.MapGet("/call", async (IHttpClientFactory f) => await f.CreateClient("b").GetStringAsync(new Uri("/echo", UriKind.Relative))));
        using var caller = new HttpClient { BaseAddress = a.BaseAddress };
        var received = new ConcurrentBag<Traceparent>();

        await Parallel.ForAsync(0, Requests, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (_, ct) =>
            received.Add(ReceivedTraceparent(await caller.GetStringAsync(new Uri("/call", UriKind.Relative), ct))));

        Assert.True(a.Exporter.WaitFor(s => s.Count >= 2 * Requests, Wait));
        Assert.True(b.Exporter.WaitFor(s => s.Count >= Requests, Wait));
        var all = a.Exporter.Spans.Concat(b.Exporter.Spans).ToList();
        Assert.Equal(3 * Requests, all.Count);
        Assert.Equal(all.Count, all.Select(s => s.Context.SpanId).Distinct().Count()); // each span exported once
        var traces = all.GroupBy(s => s.Context.TraceId).ToList();
        Assert.Equal(Requests, traces.Count);
        var clientsById = all.Where(s => s.Kind == SpanKind.Client).ToDictionary(s => s.Context.SpanId);
        foreach (var trace in traces)
        {
            var spans = trace.ToList();
            Assert.Equal(3, spans.Count);
            var aServer = Assert.Single(spans, s => s.Kind == SpanKind.Server && !s.ParentSpanId.IsValid);
            var aClient = Assert.Single(spans, s => s.Kind == SpanKind.Client);
            var bServer = Assert.Single(spans, s => s.Kind == SpanKind.Server && s.ParentSpanId.IsValid);
            Assert.Equal(aServer.Context.SpanId, aClient.ParentSpanId);
            Assert.Equal(aClient.Context.SpanId, bServer.ParentSpanId);
        }

        Assert.Equal(Requests, received.Count);
        Assert.All(received, t => Assert.Equal(t.TraceId, clientsById[t.ParentId].Context.TraceId));
        Assert.Equal(Requests, received.Select(t => t.ParentId).Distinct().Count());
    }

    [Fact]
    public async Task AToB_RetryHandlerResendsSameMessage_OneTraceparentPerAttemptAndResendCount()
    {
        var attempts = new ConcurrentQueue<string>();
        await using var b = await TestServer.StartAsync("B", null, app => app.MapGet("/flaky", (HttpRequest r) =>
        {
            attempts.Enqueue(TestServer.EchoHeaders(r));
            return attempts.Count < 3 ? Results.StatusCode(503) : Results.Text(TestServer.EchoHeaders(r));
        }));
        await using var a = await TestServer.StartAsync(
            "A",
            s => s.AddHttpClient("b", h => h.BaseAddress = b.BaseAddress).AddHttpMessageHandler(() => new ResendingHandler(3)).AddTracingHandler(),
            app => app.MapGet("/call", async (IHttpClientFactory f) => await f.CreateClient("b").GetStringAsync(new Uri("/flaky", UriKind.Relative))));
        using var caller = new HttpClient { BaseAddress = a.BaseAddress };

        await caller.GetStringAsync(new Uri("/call", UriKind.Relative));

        Assert.True(a.Exporter.WaitFor(s => s.Count == 4, Wait));
        var clients = a.Exporter.Spans.Where(s => s.Kind == SpanKind.Client).ToList();
        Assert.Equal(3, clients.Count);
        Assert.Equal([0L, 1L, 2L], clients.Select(s => s.Long("http.request.resend_count")));
        Assert.Equal(clients.Select(s => s.Context.SpanId), attempts.Select(r => ReceivedTraceparent(r).ParentId));
        Assert.Equal(["503", "503", null], clients.Select(s => s.String("error.type")));
    }

    [Fact]
    public async Task AlwaysOffAtA_ParentBasedAtB_BRecordsNothingAndReceivesFlagsZero()
    {
        await using var b = await TestServer.StartAsync(
            "B", null, app => app.MapGet("/echo", (HttpRequest r) => TestServer.EchoHeaders(r)), Sampler.ParentBased(Sampler.AlwaysOn));
        await using var a = await TestServer.StartAsync(
            "A",
            s => s.AddHttpClient("b", h => h.BaseAddress = b.BaseAddress).AddTracingHandler(),
            app => app.MapGet("/call", async (IHttpClientFactory f) => await f.CreateClient("b").GetStringAsync(new Uri("/echo", UriKind.Relative))),
            Sampler.AlwaysOff);
        using var caller = new HttpClient { BaseAddress = a.BaseAddress };

        var received = ReceivedTraceparent(await caller.GetStringAsync(new Uri("/call", UriKind.Relative)));

        Assert.Equal(TraceFlags.None, received.Flags & TraceFlags.Sampled);
        Assert.True(received.TraceId.IsValid);
        a.Services.GetRequiredService<TracerProvider>().ForceFlush(Wait);
        b.Services.GetRequiredService<TracerProvider>().ForceFlush(Wait);
        Assert.Empty(a.Exporter.Spans);
        Assert.Empty(b.Exporter.Spans);
    }

    [Fact]
    public async Task InsideRequest_Suppressed_NoClientSpanAndNoTraceHeaderAtAll()
    {
        await using var b = await TestServer.StartAsync("B", null, app => app.MapGet("/echo", (HttpRequest r) => TestServer.EchoHeaders(r)));
        await using var a = await TestServer.StartAsync(
            "A",
            s => s.AddHttpClient("b", h => h.BaseAddress = b.BaseAddress).AddTracingHandler(),
            app => app.MapGet("/call", async (IHttpClientFactory f) =>
            {
                using (Tracing.Suppress())
                {
                    return await f.CreateClient("b").GetStringAsync(new Uri("/echo", UriKind.Relative));
                }
            }));
        using var caller = new HttpClient { BaseAddress = a.BaseAddress };

        var received = await caller.GetStringAsync(new Uri("/call", UriKind.Relative));

        Assert.Contains("traceparent:0:", received, StringComparison.Ordinal);
        Assert.Contains("Request-Id:0:", received, StringComparison.Ordinal);
        Assert.True(a.Exporter.WaitFor(s => s.Count == 1, Wait));
        Assert.DoesNotContain(a.Exporter.Spans, s => s.Kind == SpanKind.Client);
    }

    [Fact]
    public async Task InsideRequest_Filtered_NoClientSpanAndNoTraceHeaderAtAll()
    {
        await using var b = await TestServer.StartAsync("B", null, app => app.MapGet("/echo", (HttpRequest r) => TestServer.EchoHeaders(r)));
        await using var a = await TestServer.StartAsync(
            "A",
            s => s.AddHttpClient("b", h => h.BaseAddress = b.BaseAddress).AddTracingHandler(o => o.Filter = _ => false),
            app => app.MapGet("/call", async (IHttpClientFactory f) => await f.CreateClient("b").GetStringAsync(new Uri("/echo", UriKind.Relative))));
        using var caller = new HttpClient { BaseAddress = a.BaseAddress };

        var received = await caller.GetStringAsync(new Uri("/call", UriKind.Relative));

        // Neither Traceline nor .NET's own diagnostics (through ASP.NET Core's request Activity) sent a header.
        Assert.Contains("traceparent:0:", received, StringComparison.Ordinal);
        Assert.Contains("Request-Id:0:", received, StringComparison.Ordinal);
        Assert.True(a.Exporter.WaitFor(s => s.Count == 1, Wait));
        Assert.DoesNotContain(a.Exporter.Spans, s => s.Kind == SpanKind.Client);
    }

    [Fact]
    public async Task ConnectionRefused_ClientSpanConnectionErrorAndOriginalExceptionReachesCaller()
    {
        using var tracing = new TestTracing();
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = tracing.CreateClient(new SocketsHttpHandler());

        var caught = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri($"http://127.0.0.1:{port}/")));

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(HttpRequestError.ConnectionError, caught.HttpRequestError);
        Assert.Equal("connection_error", span.String("error.type"));
        Assert.Equal(SpanStatusCode.Error, span.Status);
        var recorded = Assert.Single(span.Events);
        Assert.Equal("exception", recorded.Name);
        Assert.Contains(recorded.Attributes.ToArray(), a => a.Key == "exception.message" && a.Value.StringValue == caught.Message);
    }

    [Fact]
    public async Task ServiceUnavailable_ClientSpanErrorStatusNoExceptionEvent()
    {
        await using var b = await TestServer.StartAsync("B", null, app => app.MapGet("/down", () => Results.StatusCode(503)));
        using var tracing = new TestTracing();
        using var client = tracing.CreateClient(new SocketsHttpHandler());

        using var response = await client.GetAsync(new Uri(b.BaseAddress, "/down"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(503, span.Long("http.response.status_code"));
        Assert.Equal("503", span.String("error.type"));
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Empty(span.Events);
    }

    [Fact]
    public async Task HttpClientTimeout_ClientSpanTimeoutAndCallerGetsTimeoutException()
    {
        using var tracing = new TestTracing();

        var caught = await TimeOutAgainstSlowServerAsync(tracing);

        Assert.IsType<TimeoutException>(caught.InnerException);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal("timeout", span.String("error.type"));
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Equal("The request timed out.", span.StatusDescription);
        Assert.Equal("exception", Assert.Single(span.Events).Name);
    }

    [Fact]
    public async Task HttpClientTimeout_ProviderOnItsOwnClock_StillToldApartFromCancellation()
    {
        // The handler measures the timeout from the span's start reading when the provider runs on the system clock;
        // a provider on any other clock (here a fake one that never moves) must not be mistaken for it.
        using var tracing = new TestTracing(time: new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        var caught = await TimeOutAgainstSlowServerAsync(tracing);

        Assert.IsType<TimeoutException>(caught.InnerException);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal("timeout", span.String("error.type"));
    }

    /// <summary>
    /// A factory client with a 300 ms timeout and <c>AddTracingHandler</c> calls a real server that never answers;
    /// returns what the caller caught.
    /// </summary>
    private static async Task<TaskCanceledException> TimeOutAgainstSlowServerAsync(TestTracing tracing)
    {
        await using var b = await TestServer.StartAsync("B", null, app => app.MapGet("/slow", async (HttpContext ctx) =>
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted)));
        var services = new ServiceCollection().AddSingleton(tracing.Provider);
        services.AddHttpClient("b", h => h.Timeout = TimeSpan.FromMilliseconds(300)).AddTracingHandler();
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("b");
        return await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync(new Uri(b.BaseAddress, "/slow")));
    }

    [Fact]
    public async Task CallerCancels_ClientSpanCanceledNotTimeoutAndCallerGetsItsCancellation()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var b = await TestServer.StartAsync("B", null, app => app.MapGet("/slow", async (HttpContext ctx) =>
        {
            arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, ctx.RequestAborted);
        }));
        using var tracing = new TestTracing();
        var services = new ServiceCollection().AddSingleton(tracing.Provider);
        services.AddHttpClient("b", h => h.Timeout = TimeSpan.FromSeconds(30)).AddTracingHandler();
        using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("b");
        using var cts = new CancellationTokenSource();

        var sending = client.GetAsync(new Uri(b.BaseAddress, "/slow"), cts.Token);
        await arrived.Task.WaitAsync(Wait);
        await cts.CancelAsync();
        var caught = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => sending);

        Assert.Equal(cts.Token, caught.CancellationToken);
        Assert.IsNotType<TimeoutException>(caught.InnerException);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(caught.GetType().FullName, span.String("error.type"));
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Equal("The request was canceled.", span.StatusDescription);
        Assert.Equal("exception", Assert.Single(span.Events).Name);
    }

    /// <summary>The single traceparent a service echoed; fails unless it received exactly one.</summary>
    private static Traceparent ReceivedTraceparent(string echoed)
    {
        var line = echoed.Split('\n').First(l => l.StartsWith("traceparent:", StringComparison.Ordinal));
        var parts = line.Split(':', 3);
        Assert.Equal("1", parts[1]);
        return Traceparent.Parse(parts[2]);
    }
}
