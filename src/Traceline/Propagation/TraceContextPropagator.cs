using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>
/// W3C Trace Context (Level 1, and Level 2's <c>random</c> flag): reads and writes <c>traceparent</c> and
/// <c>tracestate</c>.
/// </summary>
/// <remarks>
/// <para>
/// Extract: exactly one valid <c>traceparent</c> value gives a remote <see cref="SpanContext"/>; anything else
/// (absent, several values, a bad version, uppercase, all-zero ids) leaves the context unchanged, and then
/// <c>tracestate</c> is not read at all. A bad <c>tracestate</c> is dropped without affecting <c>traceparent</c>.
/// </para>
/// <para>
/// Inject: writes <c>00-{trace-id}-{span-id}-{flags}</c> for a valid span context, and <c>tracestate</c> when the
/// context has a valid one; a trace state that breaks the grammar is not sent, so no header value ever carries CR, LF
/// or another character a header cannot hold.
/// </para>
/// </remarks>
internal sealed class TraceContextPropagator : TextMapPropagator
{
    public const string TraceParentHeader = "traceparent";
    public const string TraceStateHeader = "tracestate";

    private static readonly string[] FieldNames = [TraceParentHeader, TraceStateHeader];

    public static readonly TraceContextPropagator Instance = new();

    public override IReadOnlyCollection<string> Fields => FieldNames;

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
    {
        var spanContext = context.SpanContext;
        if (!spanContext.IsValid || carrier is null || setter is null)
        {
            return;
        }

        setter(carrier, TraceParentHeader, TraceParentFormat.Format(spanContext));

        // Perf: a trace state that came through Extract is already normalized, so this returns the same instance.
        if (TraceStateFormat.Normalize(spanContext.TraceState) is { } traceState)
        {
            setter(carrier, TraceStateHeader, traceState);
        }
    }

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter)
    {
        if (carrier is null || getter is null)
        {
            return context;
        }

        var traceParent = getter(carrier, TraceParentHeader);
        if (traceParent.Count != 1 || !TraceParentFormat.TryParse(traceParent[0], out var traceId, out var spanId, out var flags))
        {
            return context; // several traceparent values, or an invalid one: a new trace, and tracestate is ignored
        }

        var traceState = TraceStateFormat.Normalize(getter(carrier, TraceStateHeader));
        return new PropagationContext(new SpanContext(traceId, spanId, flags, traceState, isRemote: true), context.Baggage);
    }
}
