namespace Traceline;

/// <summary>The role of a span in a trace, as OpenTelemetry defines it.</summary>
public enum SpanKind
{
    /// <summary>An operation inside the application (the default).</summary>
    Internal = 0,

    /// <summary>The handling of a remote request, such as an inbound HTTP request.</summary>
    Server = 1,

    /// <summary>A request to a remote service, such as an outbound HTTP call.</summary>
    Client = 2,

    /// <summary>The sending of a message that a consumer handles later.</summary>
    Producer = 3,

    /// <summary>The handling of a message sent by a producer.</summary>
    Consumer = 4,
}
