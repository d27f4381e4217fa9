using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Traceline;

/// <summary>
/// What identifies a span and travels with it across process boundaries: trace id, span id, trace flags and
/// trace state.
/// </summary>
/// <remarks>
/// <see langword="default"/> is the invalid context: <see cref="IsValid"/> is <see langword="false"/>.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct SpanContext : IEquatable<SpanContext>
{
    /// <summary>Creates a span context.</summary>
    /// <param name="traceId">The trace id.</param>
    /// <param name="spanId">The span id.</param>
    /// <param name="traceFlags">The trace flags, kept bit for bit.</param>
    /// <param name="traceState">The W3C <c>tracestate</c> header value, already validated, or <see langword="null"/>.</param>
    /// <param name="isRemote">Whether the context was received from another process.</param>
    public SpanContext(TraceId traceId, SpanId spanId, TraceFlags traceFlags, string? traceState = null, bool isRemote = false)
    {
        TraceId = traceId;
        SpanId = spanId;
        TraceFlags = traceFlags;
        TraceState = string.IsNullOrEmpty(traceState) ? null : traceState;
        IsRemote = isRemote;
    }

    /// <summary>Gets the trace id.</summary>
    public TraceId TraceId { get; }

    /// <summary>Gets the span id.</summary>
    public SpanId SpanId { get; }

    /// <summary>Gets the trace flags.</summary>
    public TraceFlags TraceFlags { get; }

    /// <summary>Gets the W3C <c>tracestate</c> value (vendor entries), or <see langword="null"/> when there is none.</summary>
    public string? TraceState { get; }

    /// <summary>Gets whether this context was received from another process (extracted by a propagator).</summary>
    public bool IsRemote { get; }

    /// <summary>Gets whether both ids are valid (not all zero).</summary>
    public bool IsValid => TraceId.IsValid && SpanId.IsValid;

    /// <summary>Gets whether the <see cref="TraceFlags.Sampled"/> flag is set.</summary>
    public bool IsSampled => (TraceFlags & TraceFlags.Sampled) != 0;

    /// <inheritdoc/>
    public bool Equals(SpanContext other) =>
        TraceId == other.TraceId && SpanId == other.SpanId && TraceFlags == other.TraceFlags
        && IsRemote == other.IsRemote && string.Equals(TraceState, other.TraceState, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is SpanContext other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(TraceId, SpanId, TraceFlags, IsRemote);

    /// <summary>Returns <c>{trace-id}-{span-id}-{flags}</c>, the shape of a <c>traceparent</c> without its version.</summary>
    /// <returns>A readable form for logs and debugging.</returns>
    public override string ToString() => $"{TraceId}-{SpanId}-{(byte)TraceFlags:x2}";

    /// <summary>Compares two contexts for equality.</summary>
    /// <param name="left">The first context.</param>
    /// <param name="right">The second context.</param>
    /// <returns><see langword="true"/> when all fields are equal.</returns>
    public static bool operator ==(SpanContext left, SpanContext right) => left.Equals(right);

    /// <summary>Compares two contexts for inequality.</summary>
    /// <param name="left">The first context.</param>
    /// <param name="right">The second context.</param>
    /// <returns><see langword="true"/> when any field differs.</returns>
    public static bool operator !=(SpanContext left, SpanContext right) => !left.Equals(right);
}
