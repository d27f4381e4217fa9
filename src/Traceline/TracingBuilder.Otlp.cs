using Traceline.Export;

namespace Traceline;

public sealed partial class TracingBuilder
{
    private static partial SpanProcessor CreateOtlpProcessor(BuildContext context)
    {
        // Replaced by the OTLP exporter. Until then OTEL_TRACES_EXPORTER=otlp is reported and stdout is used.
        context.Diagnostics.InvalidConfiguration("OTEL_TRACES_EXPORTER", "otlp", "console", "The OTLP exporter is not available in this build.");
        return new BatchSpanProcessor(new StdoutSpanExporter(new StdoutExporterOptions { Format = context.Settings.StdoutFormat }), context.BatchOptions, context.Time, context.Diagnostics);
    }
}
