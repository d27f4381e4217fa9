using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline.AspNetCore.Tests.Reliability;

/// <summary>
/// Hostile callers through the real middleware on Kestrel: they cannot force sampling, their baggage does not travel
/// on, request data cannot grow attributes past the length limit, and nothing they send can add or split an outbound
/// header.
/// </summary>
public class TrustAndAbuseTests
{
    private const string CallerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerTraceParent = "00-" + CallerTraceId + "-00f067aa0ba902b7-01";

    [Fact]
    public async Task UntrustedCaller_FloodOfSampledFlags_SamplesAtMostTheRateLimit()
    {
        const int Flood = 300;
        const int Rate = 5;
        var time = new FakeTimeProvider(); // frozen: the whole flood falls within one instant
        await using var service = await TracedService.StartAsync(
            "edge",
            app => app.MapGet("/", () => "ok"),
            tracing: t => t.WithTimeProvider(time).WithSampler(Sampler.ParentBased(Sampler.RateLimited(Rate))),
            middleware: o => o.TrustInboundContext = _ => false);

        await SendManyAsync(service.Address, Flood, r => r.Headers.Add("traceparent", CallerTraceParent));
        service.Flush();

        var spans = service.Exporter.Spans;
        Assert.Equal(Rate, spans.Count); // not 300: the caller's -01 bought nothing
        Assert.All(spans, s => Assert.NotEqual(CallerTraceId, s.Context.TraceId.ToString()));
        Assert.All(spans, s => Assert.Equal(CallerTraceId, Assert.Single(s.Links.ToArray()).Context.TraceId.ToString()));

        time.Advance(TimeSpan.FromSeconds(1));
        await SendManyAsync(service.Address, Flood, r => r.Headers.Add("traceparent", CallerTraceParent));
        service.Flush();
        Assert.Equal(2 * Rate, service.Exporter.Spans.Count); // the budget refills with time, and only by the rate
    }

    [Fact]
    public async Task TrustedCaller_SampledFlags_HonouredByTheSameSampler()
    {
        // The control for the test above: the limit applies to new roots, a trusted caller's decision is kept.
        await using var service = await TracedService.StartAsync(
            "inner",
            app => app.MapGet("/", () => "ok"),
            tracing: t => t.WithTimeProvider(new FakeTimeProvider()).WithSampler(Sampler.ParentBased(Sampler.RateLimited(5))));

        await SendManyAsync(service.Address, 50, r => r.Headers.Add("traceparent", CallerTraceParent));
        service.Flush();

        Assert.Equal(50, service.Exporter.Spans.Count);
        Assert.All(service.Exporter.Spans, s => Assert.Equal(CallerTraceId, s.Context.TraceId.ToString()));
    }

    [Fact]
    public async Task RateLimitedSamplerFromEnvironment_FloodWithoutTrust_Limited()
    {
        await using var service = await TracedService.StartAsync(
            "edge",
            app => app.MapGet("/", () => "ok"),
            tracing: t => t.WithTimeProvider(new FakeTimeProvider()),
            middleware: o => o.UntrustedPaths.Add("/"),
            environment: new Dictionary<string, string> { ["OTEL_TRACES_SAMPLER"] = "parentbased_traceline_ratelimited", ["OTEL_TRACES_SAMPLER_ARG"] = "3" });

        await SendManyAsync(service.Address, 100, r => r.Headers.Add("traceparent", CallerTraceParent));
        service.Flush();

        Assert.Equal(3, service.Exporter.Spans.Count);
    }

    [Theory]
    [InlineData(false, null)] // untrusted: the caller's baggage is dropped, not propagated onward
    [InlineData(true, "tenant=acme,role=admin")] // trusted: it travels on (the control)
    public async Task CallersBaggage_UntrustedDroppedTrustedPropagated(bool trusted, string? expectedAtNext)
    {
        await using var next = await EchoService.StartAsync();
        await using var service = await TracedService.StartAsync(
            "edge",
            app => app.MapGet("/", async (IHttpClientFactory clients) => await clients.CreateClient("next").GetStringAsync("/echo")),
            next: next.Address,
            middleware: o => o.TrustInboundContext = _ => trusted);

        using var client = new HttpClient { BaseAddress = service.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("traceparent", CallerTraceParent);
        request.Headers.Add("baggage", "tenant=acme,role=admin");
        var echoed = await (await client.SendAsync(request)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();

        var headers = EchoService.Parse(echoed);
        Assert.Equal(expectedAtNext, headers.GetValueOrDefault("baggage"));
        Assert.Equal(trusted, headers["traceparent"].Contains(CallerTraceId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RequestData_LongerThanTheValueLengthLimit_EveryAttributeTruncated()
    {
        const int Limit = 32;
        var huge = new string('u', 4000);
        await using var service = await TracedService.StartAsync(
            "edge",
            app => app.MapGet("/{**path}", () => "ok"),
            middleware: o => o.RecordedRequestHeaders.Add("x-client-note"),
            environment: new Dictionary<string, string> { ["OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        using var client = new HttpClient { BaseAddress = service.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/" + huge + "?q=" + huge);
        request.Headers.UserAgent.ParseAdd(huge);
        request.Headers.Add("x-client-note", [huge, huge]);
        (await client.SendAsync(request)).EnsureSuccessStatusCode();
        service.Flush();

        var span = Assert.Single(service.Exporter.Spans);
        var attributes = span.Attributes.ToArray();
        Assert.Contains(attributes, a => a.Key == "user_agent.original");
        Assert.Contains(attributes, a => a.Key == "url.path");
        Assert.Contains(attributes, a => a.Key == "url.query");
        var note = Assert.Single(attributes, a => a.Key == "http.request.header.x-client-note");
        Assert.NotEmpty(note.Value.StringArrayValue.ToArray());
        foreach (var attribute in attributes)
        {
            foreach (var text in Strings(attribute.Value))
            {
                Assert.True(text.Length <= Limit, $"{attribute.Key} has {text.Length} characters");
            }
        }
    }

    [Theory]
    [InlineData("baggage", "k=v%0D%0AX-Injected:%20yes")] // percent-encoded CR LF in a baggage value
    [InlineData("baggage", "k%0D%0AX-Injected=yes,ok=1")] // and in a name
    [InlineData("tracestate", "congo=t61rcWkgMzE%0D%0AX-Injected: yes")] // tracestate values are not decoded: an invalid list is dropped
    [InlineData("baggage", "k=\u00e9\u00e8")] // non-ASCII, sent raw by the client as Latin-1/UTF-8 bytes
    public async Task InboundContext_CarryingHeaderSmuggling_NoOutboundHeaderAddedOrSplit(string header, string value)
    {
        await using var next = await EchoService.StartAsync();
        await using var service = await TracedService.StartAsync(
            "edge",
            app => app.MapGet("/", async (IHttpClientFactory clients) => await clients.CreateClient("next").GetStringAsync("/echo")),
            next: next.Address);

        // A client that sends raw UTF-8 bytes in headers, as an attacker's would.
        using var client = new HttpClient(new SocketsHttpHandler { RequestHeaderEncodingSelector = (_, _) => System.Text.Encoding.UTF8 }) { BaseAddress = service.Address };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("traceparent", CallerTraceParent);
        request.Headers.TryAddWithoutValidation(header, value);
        var response = await client.SendAsync(request);

        // Kestrel may refuse raw non-ASCII itself (400); anything it lets through must not leak into outbound headers.
        if (response.StatusCode == HttpStatusCode.OK)
        {
            var headers = EchoService.Parse(await response.Content.ReadAsStringAsync());
            Assert.DoesNotContain(headers.Keys, k => k.Contains("injected", StringComparison.OrdinalIgnoreCase));
            Assert.All(headers.Values, v => Assert.DoesNotContain(v, c => c is '\r' or '\n' or '\0' or > '~'));
        }
    }

    [Fact]
    public async Task AppCode_BaggageFromRequestDataWithCrLf_OutboundHeaderPercentEncoded()
    {
        await using var next = await EchoService.StartAsync();
        await using var service = await TracedService.StartAsync(
            "edge",
            app => app.MapGet("/", async (IHttpClientFactory clients, HttpRequest request) =>
            {
                // App code copies request data into baggage: the name is not a token and the value holds CR LF.
                using var scope = Baggage.Use(Baggage.Current
                    .SetItem("note", request.Query["note"].ToString())
                    .SetItem("bad\r\nX-Injected", "yes"));
                return await clients.CreateClient("next").GetStringAsync("/echo");
            }),
            next: next.Address);

        using var client = new HttpClient { BaseAddress = service.Address };
        var echoed = await client.GetStringAsync("/?note=" + Uri.EscapeDataString("a\r\nX-Injected: yes"));

        var headers = EchoService.Parse(echoed);
        Assert.Equal("note=a%0D%0AX-Injected:%20yes", headers["baggage"]); // ':' is a baggage-octet; CR, LF and space are encoded
        Assert.DoesNotContain(headers.Keys, k => k.Contains("injected", StringComparison.OrdinalIgnoreCase));
    }

    private static IEnumerable<string> Strings(AttributeValue value) =>
        value.StringValue is { } single ? [single] : value.StringArrayValue.ToArray();

    private static async Task SendManyAsync(Uri address, int count, Action<HttpRequestMessage> prepare)
    {
        using var client = new HttpClient { BaseAddress = address };
        var failures = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (_, token) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            prepare(request);
            using var response = await client.SendAsync(request, token);
            if (!response.IsSuccessStatusCode)
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
    }
}
