namespace Traceline.Export;

/// <summary>Sends ended spans somewhere: stdout, an OpenTelemetry collector, memory.</summary>
/// <remarks>
/// <para>
/// A processor calls <see cref="ExportAsync"/> with one batch at a time, never concurrently (Traceline's own OTLP
/// exporter alone may opt in to more). The batch's memory belongs to the processor and is reused once the returned task
/// completes: copy what you keep.
/// </para>
/// <para>
/// Exporters should honour the cancellation token (the processor's export timeout) and report failures as
/// <see cref="ExportResult.Failure"/>; an exception is caught, counted and reported, and never reaches the app.
/// </para>
/// </remarks>
public abstract class SpanExporter : IDisposable
{
    /// <summary>Gets or sets where this exporter reports its problems; its processor sets it.</summary>
    internal TracelineDiagnostics Diagnostics { get; set; } = TracelineDiagnostics.Default;

    /// <summary>Exports one batch.</summary>
    /// <param name="batch">The spans, all ended and sampled.</param>
    /// <param name="cancellationToken">Cancelled when the export timeout passes or the provider shuts down.</param>
    /// <returns>Whether the batch was delivered.</returns>
    public abstract ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Gets whether this exporter is done with every span of a batch once <see cref="ExportAsync"/> has completed: it
    /// keeps no reference to a span or to what a span returns (attribute spans, events, links) after that.
    /// </summary>
    /// <remarks>
    /// When it is <see langword="true"/> and the exporter is the provider's only one (behind a
    /// <see cref="BatchSpanProcessor"/> or <see cref="SimpleSpanProcessor"/>), Traceline reuses the storage of exported
    /// spans for new ones, which saves an allocation per span. A <see cref="Span"/> object stays valid after that, but
    /// only its <see cref="Span.Context"/> keeps its value; what it recorded reads as empty. The default,
    /// <see langword="false"/>, is always safe; exporters that serialize each batch before they return (OTLP, stdout)
    /// return <see langword="true"/>.
    /// </remarks>
    public virtual bool ReleasesSpansAfterExport => false;

    /// <summary>The most exports a processor runs at once for any exporter.</summary>
    internal const int MaxConcurrentExportsLimit = 16;

    /// <summary>
    /// Gets how many <see cref="ExportAsync"/> calls may be in flight at once: 1 (the OpenTelemetry contract) unless the
    /// exporter keeps separate state per call. Each call still starts on the processor's worker, one after another.
    /// </summary>
    internal virtual int MaxConcurrentExports => 1;

    /// <summary>
    /// Gets whether the exporter reports each failure itself, with its cause, so that a processor adds no second,
    /// causeless report for a <see cref="ExportResult.Failure"/> (the OTLP exporter).
    /// </summary>
    internal virtual bool ReportsOwnFailures => false;

    /// <summary>Flushes anything the exporter buffers itself. The default does nothing.</summary>
    /// <param name="cancellationToken">Cancelled when the flush times out.</param>
    /// <returns><see langword="true"/> when everything was flushed.</returns>
    public virtual ValueTask<bool> ForceFlushAsync(CancellationToken cancellationToken) => ValueTask.FromResult(true);

    /// <summary>Releases what the exporter holds; called once, after the last export. The default does nothing.</summary>
    /// <param name="cancellationToken">Cancelled when the shutdown times out.</param>
    /// <returns>A task that completes when the exporter is shut down.</returns>
    public virtual ValueTask ShutdownAsync(CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>Releases the exporter's resources.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the exporter's resources.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }
}
