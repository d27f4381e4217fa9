using Traceline.Export;

namespace Traceline;

public sealed partial class TracingBuilder
{
    /// <summary>
    /// Forgets every processor and exporter named so far and adds <paramref name="processor"/> alone. Traceline.Testing
    /// calls it last, so that a test sees the app's spans in its collector whatever the app named.
    /// </summary>
    internal TracingBuilder ReplacePipeline(SpanProcessor processor)
    {
        ArgumentNullException.ThrowIfNull(processor);
        _pipeline.Clear();
        _pipeline.Add(_ => processor);
        return this;
    }
}
