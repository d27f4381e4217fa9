namespace Traceline.Benchmarks.EndToEnd;

/// <summary>How the end-to-end app is traced.</summary>
internal enum EndToEndMode
{
    /// <summary>No tracing at all, and ASP.NET Core's own per-request Activity off too: the true zero.</summary>
    None,

    /// <summary>Traceline: UseTracing + AddTracingHandler, always-on sampler, batch processor into a counting exporter.</summary>
    Traceline,

    /// <summary>OpenTelemetry .NET SDK: AspNetCore + Http instrumentation, always on, batch processor into a counting exporter.</summary>
    Otel,

    /// <summary>
    /// No tracing, as <see cref="None"/>, but every outbound request carries a fresh <c>traceparent</c> (new random ids,
    /// formatted per request): what sending the context costs by itself, the client writing the header and Kestrel
    /// reading it on the next hop. Both tracing libraries pay it; opt in with <c>--modes none,headers,...</c>.
    /// </summary>
    Headers,

    /// <summary>
    /// A second server exactly like <see cref="None"/>: how far two identical servers drift apart on this machine,
    /// the noise floor under every ratio the harness prints. Opt in with <c>--modes none,none2,...</c>.
    /// </summary>
    None2,

    /// <summary>Traceline as <see cref="Traceline"/>, with the change under A/B (see EndToEndServer): opt in with <c>--modes traceline,traceline-b,...</c>.</summary>
    TracelineB,
}
