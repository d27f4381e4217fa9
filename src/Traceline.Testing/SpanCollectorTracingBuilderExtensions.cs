using Traceline.Export;
using Traceline.Testing.Internal;

namespace Traceline.Testing;

/// <summary>Feeds a <see cref="SpanCollector"/> from a <see cref="TracingBuilder"/>: <see cref="UseSpanCollector"/>.</summary>
public static class SpanCollectorTracingBuilderExtensions
{
    /// <summary>
    /// Adds <paramref name="collector"/> beside the exporters named so far: each span reaches it as soon as it ends
    /// (a <see cref="SimpleSpanProcessor"/>). Use it without dependency injection
    /// (<c>TracerProvider.Create(t =&gt; t.UseSpanCollector(spans))</c>), or to keep the app's stdout exporter while a
    /// program reads its own spans.
    /// </summary>
    /// <param name="builder">The tracing builder.</param>
    /// <param name="collector">Where the spans go; it may serve several providers.</param>
    /// <returns><paramref name="builder"/>, for chaining.</returns>
    /// <remarks>
    /// As any processor named in code, it replaces the exporter named by configuration (<c>OTEL_TRACES_EXPORTER</c>):
    /// name <c>UseStdoutExporter()</c> too to keep printing. To replace the exporters an app names in code, use
    /// <c>services.AddTracingCollector(collector)</c>.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    public static TracingBuilder UseSpanCollector(this TracingBuilder builder, SpanCollector collector)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(collector);
        return builder.AddProcessor(new SimpleSpanProcessor(new CollectorExporter(collector)));
    }
}
