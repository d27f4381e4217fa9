namespace Traceline;

/// <summary>The status of a span, as OpenTelemetry defines it.</summary>
public enum SpanStatusCode
{
    /// <summary>No status was set (the default).</summary>
    Unset = 0,

    /// <summary>The application marked the operation as successful; later <see cref="Error"/> is ignored.</summary>
    Ok = 1,

    /// <summary>The operation failed.</summary>
    Error = 2,
}
