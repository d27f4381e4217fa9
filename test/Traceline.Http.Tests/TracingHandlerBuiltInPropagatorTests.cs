using System.Net;
using Microsoft.Extensions.Primitives;
using Traceline.Http.Tests.Support;
using Traceline.Propagation;

namespace Traceline.Http.Tests;

/// <summary>
/// With the built-in propagators the handler writes the headers itself (no generic virtual dispatch): it must write
/// exactly what the propagators would, replace what is there, count resends, and still call a user's propagator that
/// sits in a composite.
/// </summary>
public sealed class TracingHandlerBuiltInPropagatorTests
{
    [Fact]
    public async Task DefaultPropagator_WritesTraceparentTracestateAndBaggageOnce()
    {
        using var tracing = new TestTracing(propagator: Propagators.Default);
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);
        var parent = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled, "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE", isRemote: true);

        using (tracing.Tracer.StartSpan("parent", SpanKind.Server, parent))
        {
            Baggage.Current = Baggage.Empty.SetItem("k", "v w");
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));
            request.Headers.TryAddWithoutValidation("traceparent", "00-11111111111111111111111111111111-2222222222222222-01");
            request.Headers.TryAddWithoutValidation("baggage", "stale=1");
            using var response = await client.SendAsync(request);
        }

        var span = Assert.Single(tracing.ClientSpans);
        var sent = inner.Single;
        Assert.Equal(span.Context.SpanId, sent.Traceparent.ParentId);
        Assert.Equal(parent.TraceId, span.Context.TraceId);
        Assert.Equal(["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"], sent.Values("tracestate"));
        Assert.Equal(["k=v%20w"], sent.Values("baggage"));
    }

    [Fact]
    public async Task DefaultPropagator_Resent_OneTraceparentPerAttemptAndCounted()
    {
        using var tracing = new TestTracing(propagator: Propagators.Default);
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK]);
        var inner = new CapturingHandler((_, _) => Task.FromResult(new HttpResponseMessage(answers.Dequeue())));
        using var client = new HttpClient(new ResendingHandler(3)
        {
            InnerHandler = new TracingHandler(tracing.Provider) { InnerHandler = inner },
        });

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        var spans = tracing.ClientSpans;
        Assert.Equal([0L, 1L, 2L], spans.Select(s => s.Long("http.request.resend_count")));
        Assert.Equal(spans.Select(s => s.Context.SpanId), inner.Sends.Select(c => c.Traceparent.ParentId));
        Assert.All(inner.Sends, c => Assert.Empty(c.Values("tracestate")));
    }

    [Fact]
    public async Task UserPropagatorInsideComposite_IsCalledBesideTheBuiltIns()
    {
        using var tracing = new TestTracing(propagator: Propagators.Composite(Propagators.TraceContext, new TenantPropagator()));
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(span.Context.SpanId, inner.Single.Traceparent.ParentId);
        Assert.Equal(["acme"], inner.Single.Values("x-tenant"));
    }

    [Fact]
    public async Task MarkCountAboutToWrap_FirstSendStillStoresNothingOnTheMessage()
    {
        // The handler learns that it wrote its header from a per-thread count around Inject; the count wraps after 2^32
        // writes on one thread (days of traffic), and a send then must still be recognized as marked, not fall back to
        // storing a send count in the message's Options on every request.
        var count = typeof(Traceline.Propagation.RequestHeaderWriter).GetField("t_marksWritten", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        using var tracing = new TestTracing(propagator: Propagators.Default);
        using var invoker = new HttpMessageInvoker(new TracingHandler(tracing.Provider) { InnerHandler = new CapturingHandler() });

        foreach (var start in new[] { int.MaxValue, -1 })
        {
            count.SetValue(null, start);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));
            var sending = invoker.SendAsync(request, CancellationToken.None); // Start and Inject run on this thread
            Assert.NotEqual(start, (int)count.GetValue(null)!);
            using var response = await sending;

            Assert.False(request.Options.TryGetValue(ResendCounter.Key, out _));
        }
    }

    /// <summary>A user's propagator that writes one header of its own.</summary>
    private sealed class TenantPropagator : TextMapPropagator
    {
        public override IReadOnlyCollection<string> Fields => ["x-tenant"];

        public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter) =>
            setter(carrier, "x-tenant", "acme");

        public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter) => context;
    }
}
