namespace Traceline.Export;

/// <summary>Sees every recording span when it starts and when it ends; the export pipeline is a processor.</summary>
/// <remarks>
/// <see cref="OnStart"/> and <see cref="OnEnd"/> run on the application's thread, inside its request: they must be
/// fast, thread-safe, and must not block. An exception from them is caught and reported, and never reaches the app.
/// </remarks>
public abstract class SpanProcessor : IDisposable
{
    private TracelineDiagnostics _diagnostics = TracelineDiagnostics.Default;

    /// <summary>Gets or sets where this processor reports its problems; the provider sets it when it is built.</summary>
    internal TracelineDiagnostics Diagnostics
    {
        get => _diagnostics;
        set
        {
            _diagnostics = value;
            if (Exporter is { } exporter)
            {
                exporter.Diagnostics = value;
            }
        }
    }

    /// <summary>Gets the exporter this processor owns, if any; it reports through the processor's diagnostics.</summary>
    internal virtual SpanExporter? Exporter => null;

    /// <summary>Called when a recording span starts. The default does nothing.</summary>
    /// <param name="span">The span (still running: it may be enriched here).</param>
    public virtual void OnStart(Span span)
    {
    }

    /// <summary>Called when a recording span ends.</summary>
    /// <param name="span">The span, now read-only.</param>
    public abstract void OnEnd(Span span);

    /// <summary>Exports everything received so far.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <returns><see langword="true"/> when it finished within <paramref name="timeout"/>.</returns>
    public virtual bool ForceFlush(TimeSpan timeout) => true;

    /// <summary>Exports everything received so far and stops; later spans are ignored. Idempotent.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <returns><see langword="true"/> when it finished within <paramref name="timeout"/>.</returns>
    public virtual bool Shutdown(TimeSpan timeout) => true;

    /// <summary>Shuts the processor down (with a 5 second limit) and releases its resources.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the processor's resources.</summary>
    /// <param name="disposing"><see langword="true"/> when called from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            Shutdown(TimeSpan.FromSeconds(5));
        }
    }
}
