using Microsoft.Extensions.Primitives;
using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

/// <summary>Which propagators the middleware and the handler may bypass: only those made entirely of the built-ins.</summary>
public class BuiltInPropagationTests
{
    [Fact]
    public void Of_BuiltIns_DescribesTheirFields()
    {
        AssertFields(Propagators.Default, traceContext: true, baggage: true);
        AssertFields(Propagators.TraceContext, traceContext: true, baggage: false);
        AssertFields(Propagators.Baggage, traceContext: false, baggage: true);
        AssertFields(Propagators.None, traceContext: false, baggage: false);
        AssertFields(Propagators.Composite(Propagators.Baggage, Propagators.TraceContext, Propagators.Baggage), traceContext: true, baggage: true);
        AssertFields(Propagators.Composite(Propagators.Composite(Propagators.TraceContext, Propagators.None), Propagators.None), traceContext: true, baggage: false);
    }

    [Fact]
    public void Of_AnyPropagatorOfTheUsers_IsNotBuiltIn()
    {
        Assert.Null(BuiltInPropagation.Of(new UserPropagator()));
        Assert.Null(BuiltInPropagation.Of(Propagators.Composite(Propagators.TraceContext, new UserPropagator())));
        Assert.Null(BuiltInPropagation.Of(Propagators.Composite(Propagators.Composite(Propagators.Baggage, new UserPropagator()), Propagators.TraceContext)));
    }

    private static void AssertFields(TextMapPropagator propagator, bool traceContext, bool baggage)
    {
        var builtIn = BuiltInPropagation.Of(propagator);
        Assert.NotNull(builtIn);
        Assert.Equal(traceContext, builtIn.TraceContext);
        Assert.Equal(baggage, builtIn.Baggage);
    }

    private sealed class UserPropagator : TextMapPropagator
    {
        public override IReadOnlyCollection<string> Fields => [];

        public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
        {
        }

        public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter) => context;
    }
}
