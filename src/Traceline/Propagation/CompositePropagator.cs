using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>Runs several propagators in order: each injects its fields; each extracts from what the previous found.</summary>
internal sealed class CompositePropagator : TextMapPropagator
{
    private readonly TextMapPropagator[] _propagators;
    private readonly string[] _fields;

    public CompositePropagator(TextMapPropagator[] propagators)
    {
        _propagators = propagators;
        var fields = new List<string>();
        foreach (var propagator in propagators)
        {
            foreach (var field in propagator.Fields)
            {
                if (!fields.Contains(field, StringComparer.OrdinalIgnoreCase))
                {
                    fields.Add(field);
                }
            }
        }

        _fields = [.. fields];
    }

    public override IReadOnlyCollection<string> Fields => _fields;

    internal ReadOnlySpan<TextMapPropagator> Propagators => _propagators;

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
    {
        foreach (var propagator in _propagators)
        {
            propagator.Inject(context, carrier, setter);
        }
    }

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter)
    {
        var result = context;
        foreach (var propagator in _propagators)
        {
            result = propagator.Extract(result, carrier, getter);
        }

        return result;
    }
}
