using Microsoft.Extensions.Primitives;
using Traceline.AspNetCore.Tests.Fakes;
using Traceline.Propagation;

namespace Traceline.AspNetCore.Tests.Internal;

/// <summary>
/// The middleware reads the built-in propagators' headers itself; any propagator of the user's, alone or inside a
/// composite, must still be called, and a composite's parts must each still do their share.
/// </summary>
public sealed class TracingMiddlewarePropagatorTests
{
    private const string TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string ParentId = "00f067aa0ba902b7";

    [Fact]
    public async Task CustomPropagatorInsideComposite_IsCalledBesideTheBuiltIns()
    {
        using var app = new TracingAppFactory
        {
            Tracing = t => t.WithPropagator(Propagators.Composite(Propagators.Baggage, new HeaderBaggagePropagator())),
        };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/baggage");
        request.Headers.Add("x-k", "from-custom");
        request.Headers.Add("traceparent", $"00-{TraceId}-{ParentId}-01");
        var body = await (await client.SendAsync(request)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();

        Assert.Equal("from-custom", body); // the custom propagator's baggage reached the request
        var span = app.WaitForServerSpan();
        Assert.False(span.ParentSpanId.IsValid); // no Trace Context in this composite: the traceparent is not read
    }

    [Fact]
    public async Task BaggageOnlyPropagator_ReadsBaggageAndNoTraceparent()
    {
        using var app = new TracingAppFactory { Tracing = t => t.WithPropagator(Propagators.Baggage) };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/baggage");
        request.Headers.Add("baggage", "k=v1");
        request.Headers.Add("traceparent", $"00-{TraceId}-{ParentId}-01");
        var body = await (await client.SendAsync(request)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();

        Assert.Equal("v1", body);
        Assert.False(app.WaitForServerSpan().ParentSpanId.IsValid);
    }

    [Fact]
    public async Task TraceContextAfterBaggageInComposite_ContinuesTheTraceWithItsState()
    {
        using var app = new TracingAppFactory
        {
            Tracing = t => t.WithPropagator(Propagators.Composite(Propagators.Baggage, Propagators.TraceContext)),
        };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/baggage");
        request.Headers.Add("traceparent", $"00-{TraceId}-{ParentId}-01");
        request.Headers.Add("tracestate", "congo=t61rcWkgMzE, rojo=00f067aa0ba902b7");
        request.Headers.Add("baggage", "k=v2");
        var body = await (await client.SendAsync(request)).EnsureSuccessStatusCode().Content.ReadAsStringAsync();

        Assert.Equal("v2", body);
        var span = app.WaitForServerSpan();
        Assert.Equal(TraceId, span.Context.TraceId.ToString());
        Assert.Equal(ParentId, span.ParentSpanId.ToString());
        Assert.Equal("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", span.Context.TraceState);
    }

    /// <summary>A user's propagator: the <c>x-k</c> header becomes baggage entry <c>k</c>.</summary>
    private sealed class HeaderBaggagePropagator : TextMapPropagator
    {
        public override IReadOnlyCollection<string> Fields => ["x-k"];

        public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
        {
        }

        public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter)
        {
            var value = getter(carrier, "x-k");
            return value.Count == 1 ? new PropagationContext(context.SpanContext, context.Baggage.SetItem("k", value[0]!)) : context;
        }
    }
}
