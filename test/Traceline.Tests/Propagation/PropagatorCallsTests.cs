using Microsoft.Extensions.Primitives;
using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

/// <summary>
/// PropagatorCalls calls the built-in propagators without a generic virtual dispatch: it must do exactly what the
/// virtual methods do, for every built-in, for a composite of them, and for a user's propagator on its own or inside a
/// composite (which it must still call).
/// </summary>
public class PropagatorCallsTests
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    public static TheoryData<string> PropagatorNames => ["default", "tracecontext", "baggage", "none", "custom", "composite with custom"];

    [Theory]
    [MemberData(nameof(PropagatorNames))]
    public void Extract_SameAsTheVirtualMethod(string name)
    {
        var propagator = Create(name);
        var carrier = TestCarrier.With(
            ("traceparent", [TraceParent]),
            ("tracestate", ["a=1,b=2"]),
            ("baggage", ["k=v"]),
            ("x-custom", ["custom-value"]));

        var direct = PropagatorCalls.Extract(propagator, default, carrier, TestCarrier.Getter);
        var viaVirtual = propagator.Extract(default, carrier, TestCarrier.Getter);

        Assert.Equal(viaVirtual.SpanContext, direct.SpanContext);
        Assert.Equal(viaVirtual.SpanContext.TraceState, direct.SpanContext.TraceState);
        Assert.Equal(Items(viaVirtual.Baggage), Items(direct.Baggage));
    }

    [Theory]
    [MemberData(nameof(PropagatorNames))]
    public void Inject_SameAsTheVirtualMethod(string name)
    {
        var propagator = Create(name);
        var context = new PropagationContext(
            new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled, "a=1", isRemote: false),
            Baggage.Empty.SetItem("k", "v"));
        var direct = new TestCarrier();
        var viaVirtual = new TestCarrier();

        PropagatorCalls.Inject(propagator, context, direct, TestCarrier.Setter);
        propagator.Inject(context, viaVirtual, TestCarrier.Setter);

        Assert.Equal(Headers(viaVirtual), Headers(direct));
    }

    [Fact]
    public void CustomInsideComposite_IsCalled()
    {
        var propagator = Create("composite with custom");
        var carrier = new TestCarrier();

        PropagatorCalls.Inject(propagator, new PropagationContext(default, Baggage.Empty), carrier, TestCarrier.Setter);
        var extracted = PropagatorCalls.Extract(propagator, default, TestCarrier.With(("x-custom", ["from-wire"])), TestCarrier.Getter);

        Assert.Equal("custom-injected", carrier.Get("x-custom"));
        Assert.Equal("from-wire", extracted.Baggage.GetValue("custom"));
    }

    private static TextMapPropagator Create(string name) => name switch
    {
        "default" => Propagators.Default,
        "tracecontext" => Propagators.TraceContext,
        "baggage" => Propagators.Baggage,
        "none" => Propagators.None,
        "custom" => new CustomPropagator(),
        _ => Propagators.Composite(Propagators.TraceContext, new CustomPropagator(), Propagators.Baggage),
    };

    private static string[] Headers(TestCarrier carrier) =>
        [.. carrier.Headers.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => h.Key + ": " + h.Value)];

    private static string[] Items(Baggage baggage)
    {
        var items = new List<string>();
        foreach (var item in baggage)
        {
            items.Add(item.Name + "=" + item.Value);
        }

        return [.. items];
    }

    /// <summary>A user's propagator: one header of its own, extracted into a baggage entry.</summary>
    private sealed class CustomPropagator : TextMapPropagator
    {
        public override IReadOnlyCollection<string> Fields => ["x-custom"];

        public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter) =>
            setter(carrier, "x-custom", "custom-injected");

        public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter)
        {
            var value = getter(carrier, "x-custom");
            return value.Count == 1 ? new PropagationContext(context.SpanContext, context.Baggage.SetItem("custom", value[0]!)) : context;
        }
    }
}
