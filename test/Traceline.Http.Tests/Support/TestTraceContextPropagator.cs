using Microsoft.Extensions.Primitives;
using Traceline.Propagation;

namespace Traceline.Http.Tests.Support;

/// <summary>
/// A hand-written W3C-shaped propagator for these tests (traceparent, tracestate, baggage as name=value pairs), so the
/// handler's tests do not depend on the production propagators.
/// </summary>
internal sealed class TestTraceContextPropagator : TextMapPropagator
{
    public int InjectCalls;

    public override IReadOnlyCollection<string> Fields { get; } = ["traceparent", "tracestate", "baggage"];

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
    {
        Interlocked.Increment(ref InjectCalls);
        var span = context.SpanContext;
        if (!span.IsValid)
        {
            return;
        }

        setter(carrier, "traceparent", $"00-{span.TraceId}-{span.SpanId}-{(byte)span.TraceFlags:x2}");
        if (span.TraceState is { } state)
        {
            setter(carrier, "tracestate", state);
        }

        if (context.Baggage.Count > 0)
        {
            setter(carrier, "baggage", string.Join(",", context.Baggage.Select(i => i.Name + "=" + i.Value)));
        }
    }

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter)
    {
        var values = getter(carrier, "traceparent");
        if (values.Count != 1 || !Traceparent.TryParse(values[0], out var parsed))
        {
            return context;
        }

        var state = getter(carrier, "tracestate");
        return new PropagationContext(
            new SpanContext(parsed.TraceId, parsed.ParentId, parsed.Flags, state.Count > 0 ? state.ToString() : null, isRemote: true),
            context.Baggage);
    }
}

/// <summary>A propagator that always throws, to prove a broken propagator never breaks a request.</summary>
internal sealed class ThrowingPropagator : TextMapPropagator
{
    public override IReadOnlyCollection<string> Fields { get; } = ["traceparent"];

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter) =>
        throw new InvalidOperationException("propagator is broken");

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter) =>
        throw new InvalidOperationException("propagator is broken");
}

/// <summary>The test propagator, except that its second Inject throws (a propagator failing on a resend).</summary>
internal sealed class FailingOnceAfterFirstPropagator : TextMapPropagator
{
    private readonly TestTraceContextPropagator _inner = new();
    private int _calls;

    public override IReadOnlyCollection<string> Fields => _inner.Fields;

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
    {
        if (Interlocked.Increment(ref _calls) == 2)
        {
            throw new InvalidOperationException("propagator failed once");
        }

        _inner.Inject(context, carrier, setter);
    }

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter) =>
        _inner.Extract(context, carrier, getter);
}
