using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>Reads the caller's context from a received request's headers, through the provider's propagator.</summary>
internal sealed class RequestHeaderReader
{
    private static readonly Func<IDictionary<string, StringValues>, string, StringValues> Getter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? values : default;

    private readonly TextMapPropagator _propagator;
    private readonly BuiltInPropagation? _builtIn;

    public RequestHeaderReader(TextMapPropagator propagator)
    {
        _propagator = propagator;
        _builtIn = BuiltInPropagation.Of(propagator);
    }

    /// <summary>Gets the propagator's type name, to report its failure with.</summary>
    public string PropagatorName => _propagator.GetType().Name;

    /// <summary>Extracts the remote parent and baggage; may throw what a user's propagator throws.</summary>
    public PropagationContext Read(IDictionary<string, StringValues> headers) =>
        _builtIn is { } builtIn ? ReadBuiltIn(builtIn, headers) : _propagator.Extract(default, headers, Getter);

    /// <summary>
    /// Extracts what the built-in propagators would, reading the headers directly. Perf: the propagator's generic
    /// virtual Extract costs a runtime lookup per call (three with the default composite); see <see cref="BuiltInPropagation"/>.
    /// </summary>
    private static PropagationContext ReadBuiltIn(BuiltInPropagation builtIn, IDictionary<string, StringValues> headers)
    {
        PropagationContext extracted = default;
        if (builtIn.TraceContext
            && TraceContextPropagator.TryParseParent(Getter(headers, TraceContextPropagator.TraceParentHeader), out var traceId, out var spanId, out var flags))
        {
            extracted = TraceContextPropagator.WithRemoteParent(extracted, traceId, spanId, flags, Getter(headers, TraceContextPropagator.TraceStateHeader));
        }

        return builtIn.Baggage ? BaggagePropagator.WithBaggage(extracted, Getter(headers, BaggagePropagator.BaggageHeader)) : extracted;
    }
}
