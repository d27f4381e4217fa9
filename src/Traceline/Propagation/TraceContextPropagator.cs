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
        if (TraceStateValue(spanContext) is { } traceState)
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

        if (!TryParseParent(getter(carrier, TraceParentHeader), out var traceId, out var spanId, out var flags))
        {
            return context; // several traceparent values, or an invalid one: a new trace, and tracestate is ignored
        }

        return WithRemoteParent(context, traceId, spanId, flags, getter(carrier, TraceStateHeader));
    }

    // The non-generic steps of Extract and Inject, shared with instrumentation that reads and writes its headers itself
    // (see BuiltInPropagation): no generic virtual dispatch, no runtime generic lookup.

    /// <summary>Parses the received <c>traceparent</c> values: exactly one valid value, or nothing.</summary>
    internal static bool TryParseParent(StringValues traceParent, out TraceId traceId, out SpanId spanId, out TraceFlags flags)
    {
        if (traceParent.Count == 1)
        {
            return TraceParentFormat.TryParse(traceParent[0], out traceId, out spanId, out flags);
        }

        traceId = default;
        spanId = default;
        flags = default;
        return false;
    }

    /// <summary>The extracted context: the remote parent, its trace state (dropped when invalid), the baggage kept.</summary>
    internal static PropagationContext WithRemoteParent(in PropagationContext context, TraceId traceId, SpanId spanId, TraceFlags flags, StringValues traceState) =>
        new(new SpanContext(traceId, spanId, flags, TraceStateFormat.Normalize(traceState), isRemote: true), context.Baggage);

    /// <summary>The <c>tracestate</c> to send, or <see langword="null"/> for none or an invalid one.</summary>
    /// <remarks>Perf: a trace state that came through Extract is already normalized, so this returns the same instance.</remarks>
    internal static string? TraceStateValue(in SpanContext spanContext) => TraceStateFormat.Normalize(spanContext.TraceState);
}
