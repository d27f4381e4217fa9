namespace Traceline.Propagation;

/// <summary>The propagators Traceline ships, ready to pass to <see cref="TracingBuilder.WithPropagator"/>.</summary>
/// <remarks>
/// Every instance is stateless and thread-safe. Extract returns what it found and sets nothing global (neither the
/// current span nor <see cref="Propagation.Baggage.Current"/>): the caller, usually the middleware, decides.
/// </remarks>
public static class Propagators
{
    /// <summary>
    /// Gets the W3C Trace Context propagator: <c>traceparent</c> and <c>tracestate</c> (Level 1, with Level 2's
    /// <c>random</c> flag). Invalid headers are ignored, so a bad header starts a new trace.
    /// </summary>
    public static TextMapPropagator TraceContext => TraceContextPropagator.Instance;

    /// <summary>Gets the W3C Baggage propagator: the <c>baggage</c> header. A bad list-member is skipped, not the whole header.</summary>
    public static TextMapPropagator Baggage => BaggagePropagator.Instance;

    /// <summary>
    /// Gets the Zipkin B3 propagator that injects the single <c>b3</c> header (<c>OTEL_PROPAGATORS=b3</c>):
    /// <c>{trace-id}-{span-id}-{1|0}</c>, no parent span id. Extract reads the <c>b3</c> header, then the
    /// <c>X-B3-*</c> headers; 64-bit trace ids are left-padded with zeros; debug (<c>d</c>) is read as sampled.
    /// </summary>
    /// <remarks>
    /// Combine it with W3C Trace Context for a mixed fleet: <c>Composite(TraceContext, Baggage, B3)</c> writes both
    /// header sets, and when both arrive, the later propagator in the list (here B3) wins on extract.
    /// </remarks>
    public static TextMapPropagator B3 => B3Propagator.Single;

    /// <summary>
    /// Gets the Zipkin B3 propagator that injects the multi header (<c>OTEL_PROPAGATORS=b3multi</c>):
    /// <c>X-B3-TraceId</c>, <c>X-B3-SpanId</c> and <c>X-B3-Sampled</c>, no parent span id. Extract is that of
    /// <see cref="B3"/>: the single header first, then the multi header.
    /// </summary>
    public static TextMapPropagator B3Multi => B3Propagator.Multi;

    /// <summary>Gets a propagator that reads and writes nothing (<c>OTEL_PROPAGATORS=none</c>).</summary>
    public static TextMapPropagator None => NoopPropagator.Instance;

    /// <summary>Gets the default: W3C Trace Context, then W3C Baggage (<c>OTEL_PROPAGATORS=tracecontext,baggage</c>).</summary>
    public static TextMapPropagator Default { get; } = new CompositePropagator([TraceContextPropagator.Instance, BaggagePropagator.Instance]);

    /// <summary>Combines propagators: each injects its own fields, and each extracts from the result of the one before.</summary>
    /// <param name="propagators">The propagators, in order.</param>
    /// <returns>The combined propagator (the only one, when one is given).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="propagators"/> or one of its items is <see langword="null"/>.</exception>
    public static TextMapPropagator Composite(params TextMapPropagator[] propagators)
    {
        ArgumentNullException.ThrowIfNull(propagators);
        foreach (var propagator in propagators)
        {
            ArgumentNullException.ThrowIfNull(propagator, nameof(propagators));
        }

        return propagators.Length switch
        {
            0 => NoopPropagator.Instance,
            1 => propagators[0],
            _ => new CompositePropagator((TextMapPropagator[])propagators.Clone()),
        };
    }
}
