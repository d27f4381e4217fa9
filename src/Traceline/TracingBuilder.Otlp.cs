using Traceline.Export;

namespace Traceline;

public sealed partial class TracingBuilder
{
    /// <summary>
    /// Exports spans to an OpenTelemetry collector by OTLP (HTTP/protobuf by default, HTTP/JSON or gRPC), batched on a
    /// background worker. <c>OTEL_TRACES_EXPORTER=otlp</c> does the same without code.
    /// </summary>
    /// <param name="configure">
    /// Changes the options, which arrive filled from the <c>Tracing:Otlp</c> configuration section and the
    /// <c>OTEL_EXPORTER_OTLP_*</c> variables (endpoint <c>http://localhost:4318</c>, 10 s timeout by default).
    /// </param>
    /// <returns>This builder.</returns>
    /// <remarks>The options are read when the provider is built; an invalid endpoint or header set in code throws then.</remarks>
    public TracingBuilder UseOtlpExporter(Action<OtlpExporterOptions>? configure = null)
    {
        _pipeline.Add(context => CreateOtlpProcessor(context, configure));
        return this;
    }

    private static partial SpanProcessor CreateOtlpProcessor(BuildContext context) => CreateOtlpProcessor(context, null);

    private static BatchSpanProcessor CreateOtlpProcessor(BuildContext context, Action<OtlpExporterOptions>? configure)
    {
        var options = new OtlpExporterOptions();
        context.Settings.ApplyTo(options);
        context.Settings.ApplyTlsTo(options);
        configure?.Invoke(options);
        var exporter = new OtlpSpanExporter(options, context.Time, context.Diagnostics);
        return new BatchSpanProcessor(exporter, context.BatchOptions, context.Time, context.Diagnostics);
    }
}
