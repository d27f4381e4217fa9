namespace Traceline.Propagation;

/// <summary>The B3 sampling state: absent (deferred), <c>0</c> (deny), <c>1</c> (accept) or <c>d</c> / <c>X-B3-Flags: 1</c> (debug).</summary>
internal enum B3Sampling : byte
{
    /// <summary>No decision sent: the receiver decides.</summary>
    Deferred,

    /// <summary><c>0</c>: not sampled.</summary>
    Deny,

    /// <summary><c>1</c>: sampled.</summary>
    Accept,

    /// <summary><c>d</c> (single header) or <c>X-B3-Flags: 1</c> (multi header): sampled, and forced through.</summary>
    Debug,
}
