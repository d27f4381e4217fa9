using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>W3C Baggage: reads and writes the <c>baggage</c> header (see <see cref="BaggageFormat"/> for the rules).</summary>
/// <remarks>
/// Extract returns the baggage in the result and sets nothing global: making it <see cref="Baggage.Current"/> is the
/// caller's decision (the middleware does it for the request).
/// </remarks>
internal sealed class BaggagePropagator : TextMapPropagator
{
    public const string BaggageHeader = "baggage";

    private static readonly string[] FieldNames = [BaggageHeader];

    public static readonly BaggagePropagator Instance = new();

    public override IReadOnlyCollection<string> Fields => FieldNames;

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
    {
        if (carrier is null || setter is null || context.Baggage.Count == 0)
        {
            return;
        }

        if (HeaderValue(context.Baggage) is { } header)
        {
            setter(carrier, BaggageHeader, header);
        }
    }

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter)
    {
        if (carrier is null || getter is null)
        {
            return context;
        }

        return WithBaggage(context, getter(carrier, BaggageHeader));
    }

    /// <summary>The context with the received baggage, or unchanged when there is none or it is invalid (non-generic: see BuiltInPropagation).</summary>
    internal static PropagationContext WithBaggage(in PropagationContext context, StringValues values) =>
        values.Count != 0 && BaggageFormat.Parse(values) is { } baggage ? new PropagationContext(context.SpanContext, baggage) : context;

    /// <summary>The <c>baggage</c> header to send, or <see langword="null"/> when there is nothing to send.</summary>
    internal static string? HeaderValue(Baggage baggage) => baggage.Count == 0 ? null : BaggageFormat.Serialize(baggage);
}
