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
}
