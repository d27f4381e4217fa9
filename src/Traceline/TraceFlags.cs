namespace Traceline;

/// <summary>The W3C Trace Context <c>trace-flags</c> byte.</summary>
/// <remarks>
/// A context built in code keeps every bit it is given. The W3C propagator keeps <see cref="Sampled"/> and
/// <see cref="Random"/> as received and clears the bits the specification reserves, since W3C Trace Context requires
/// participants to set reserved flags to zero.
/// </remarks>
[Flags]
#pragma warning disable CA1028 // The wire format is one byte.
public enum TraceFlags : byte
#pragma warning restore CA1028
{
    /// <summary>No flag set: the caller did not record the trace.</summary>
    None = 0,

    /// <summary>The caller may have recorded this trace (<c>sampled</c>, bit 0).</summary>
    Sampled = 0x01,

    /// <summary>The right-most 7 bytes of the trace id are random (W3C Trace Context Level 2 <c>random</c>, bit 1).</summary>
    Random = 0x02,
}
