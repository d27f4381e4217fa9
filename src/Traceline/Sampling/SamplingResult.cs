using System.Runtime.InteropServices;

namespace Traceline.Sampling;

/// <summary>A sampler's answer: the decision, attributes to add to the span, and optionally a new trace state.</summary>
[StructLayout(LayoutKind.Auto)]
public readonly struct SamplingResult : IEquatable<SamplingResult>
{
    private readonly SpanAttribute[]? _attributes;

    /// <summary>Creates a result that keeps the parent's trace state and adds no attributes.</summary>
    /// <param name="decision">The decision.</param>
    public SamplingResult(SamplingDecision decision)
    {
        Decision = decision;
    }

    /// <summary>Creates a result with attributes to add and an optional new trace state.</summary>
    /// <param name="decision">The decision.</param>
    /// <param name="attributes">Attributes the sampler adds to the span (for example the sampling probability), or <see langword="null"/>.</param>
    /// <param name="traceState">The trace state for the new span, or <see langword="null"/> to keep the parent's.</param>
    public SamplingResult(SamplingDecision decision, SpanAttribute[]? attributes, string? traceState = null)
    {
        Decision = decision;
        _attributes = attributes;
        TraceState = traceState;
    }

    /// <summary>Gets the decision.</summary>
    public SamplingDecision Decision { get; }

    /// <summary>Gets the attributes the sampler adds to the span.</summary>
    public ReadOnlySpan<SpanAttribute> Attributes => _attributes;

    /// <summary>Gets the trace state for the new span, or <see langword="null"/> to keep the parent's.</summary>
    public string? TraceState { get; }

    /// <inheritdoc/>
    public bool Equals(SamplingResult other) =>
        Decision == other.Decision && ReferenceEquals(_attributes, other._attributes) && TraceState == other.TraceState;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is SamplingResult other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Decision, TraceState);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(SamplingResult left, SamplingResult right) => left.Equals(right);

    /// <summary>Compares two results.</summary>
    /// <param name="left">The first result.</param>
    /// <param name="right">The second result.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(SamplingResult left, SamplingResult right) => !left.Equals(right);
}
