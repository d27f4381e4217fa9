using System.Runtime.InteropServices;

namespace Traceline.Propagation;

/// <summary>What crosses a process boundary: the span context and the baggage.</summary>
/// <param name="spanContext">The span context; <see langword="default"/> when none.</param>
/// <param name="baggage">The baggage; <see langword="null"/> is read as <see cref="Baggage.Empty"/>.</param>
[StructLayout(LayoutKind.Auto)]
public readonly struct PropagationContext(SpanContext spanContext, Baggage? baggage) : IEquatable<PropagationContext>
{
    private readonly Baggage? _baggage = baggage;

    /// <summary>Gets the span context.</summary>
    public SpanContext SpanContext { get; } = spanContext;

    /// <summary>Gets the baggage.</summary>
    public Baggage Baggage => _baggage ?? Baggage.Empty;

    /// <inheritdoc/>
    public bool Equals(PropagationContext other) => SpanContext.Equals(other.SpanContext) && Baggage.Equals(other.Baggage);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is PropagationContext other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(SpanContext, Baggage);

    /// <summary>Compares two contexts.</summary>
    /// <param name="left">The first context.</param>
    /// <param name="right">The second context.</param>
    /// <returns><see langword="true"/> when equal.</returns>
    public static bool operator ==(PropagationContext left, PropagationContext right) => left.Equals(right);

    /// <summary>Compares two contexts.</summary>
    /// <param name="left">The first context.</param>
    /// <param name="right">The second context.</param>
    /// <returns><see langword="true"/> when different.</returns>
    public static bool operator !=(PropagationContext left, PropagationContext right) => !left.Equals(right);
}
