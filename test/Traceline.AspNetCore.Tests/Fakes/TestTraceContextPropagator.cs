using Microsoft.Extensions.Primitives;
using Traceline.Propagation;

namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>
/// A hand-written W3C <c>traceparent</c> + simple <c>baggage</c> reader, so the middleware's tests have a real-format
/// propagator to extract with. Only the rules these tests exercise: length, lowercase hex, all-zero ids, version ff.
/// </summary>
internal sealed class TestTraceContextPropagator : TextMapPropagator
{
    public static readonly TestTraceContextPropagator Instance = new();

    public override IReadOnlyCollection<string> Fields => ["traceparent", "baggage"];

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter) =>
        setter(carrier, "traceparent", "00-" + context.SpanContext + "");

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter)
    {
        var spanContext = context.SpanContext;
        var header = getter(carrier, "traceparent");
        if (header.Count == 1 && TryParse(header[0], out var parsed))
        {
            spanContext = parsed;
        }

        var baggage = context.Baggage;
        foreach (var value in getter(carrier, "baggage"))
        {
            foreach (var member in (value ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var equals = member.IndexOf('=', StringComparison.Ordinal);
                if (equals > 0)
                {
                    baggage = baggage.SetItem(member[..equals], member[(equals + 1)..]);
                }
            }
        }

        return new PropagationContext(spanContext, baggage);
    }

    private static bool TryParse(string? value, out SpanContext context)
    {
        context = default;
        if (value is null || value.Length != 55 || value[2] != '-' || value[35] != '-' || value[52] != '-' || value.StartsWith("ff", StringComparison.Ordinal))
        {
            return false;
        }

        if (!TraceId.TryParse(value.AsSpan(3, 32), out var traceId) || !SpanId.TryParse(value.AsSpan(36, 16), out var spanId)
            || !traceId.IsValid || !spanId.IsValid || !byte.TryParse(value.AsSpan(53, 2), System.Globalization.NumberStyles.AllowHexSpecifier, null, out var flags)
            || value.AsSpan(53, 2).ContainsAnyInRange('A', 'F'))
        {
            return false;
        }

        context = new SpanContext(traceId, spanId, (TraceFlags)flags, null, isRemote: true);
        return true;
    }
}
