using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>
/// Reads and writes a trace's context in a carrier of string headers: HTTP requests, message-queue properties, or
/// anything a getter and a setter can reach.
/// </summary>
/// <remarks>
/// <para>
/// Propagators never throw on bad input: a value that breaks the specification is ignored (extract gives back what it
/// was given), so a bad header starts a new trace instead of failing the request.
/// </para>
/// <para>
/// Getters return <see cref="StringValues"/> so that ASP.NET Core headers are read without allocating; a header that
/// appears several times gives several values. Setters replace: after <c>Inject</c> each field appears once.
/// </para>
/// </remarks>
public abstract class TextMapPropagator
{
    /// <summary>Gets the header names this propagator reads and writes (for example <c>traceparent</c>, <c>tracestate</c>).</summary>
    public abstract IReadOnlyCollection<string> Fields { get; }

    /// <summary>Writes <paramref name="context"/> into <paramref name="carrier"/>.</summary>
    /// <typeparam name="TCarrier">The carrier type.</typeparam>
    /// <param name="context">The span context and baggage to send.</param>
    /// <param name="carrier">The carrier, for example an <c>HttpRequestMessage</c>.</param>
    /// <param name="setter">Sets one header, replacing any value it had.</param>
    public abstract void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter);

    /// <summary>Reads a context from <paramref name="carrier"/>.</summary>
    /// <typeparam name="TCarrier">The carrier type.</typeparam>
    /// <param name="context">What is known so far (composite propagators pass the result of the previous one).</param>
    /// <param name="carrier">The carrier, for example ASP.NET Core's request headers.</param>
    /// <param name="getter">Returns every value of one header, or <see cref="StringValues.Empty"/>.</param>
    /// <returns><paramref name="context"/> with what this propagator found; unchanged when the carrier holds nothing valid.</returns>
    public abstract PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter);
}
