using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>Reads and writes nothing (<c>OTEL_PROPAGATORS=none</c>).</summary>
internal sealed class NoopPropagator : TextMapPropagator
{
    public static readonly NoopPropagator Instance = new();

    public override IReadOnlyCollection<string> Fields => [];

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
    {
    }

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter) => context;
}
