namespace Traceline.Export;

/// <summary>
/// Exports each span as it ends, on the thread that ends it. For tests and debugging: in production use
/// <see cref="BatchSpanProcessor"/>, which never makes the app wait for an exporter.
/// </summary>
/// <remarks>Exports are serialized (an exporter is never called concurrently), and each is cancelled after 30 seconds.</remarks>
public sealed class SimpleSpanProcessor : SpanProcessor
{
    private static readonly TimeSpan ExportTimeout = TimeSpan.FromSeconds(30);

    private readonly SpanExporter _exporter;
    private readonly Lock _lock = new();
    private readonly Span[] _one = new Span[1];
    private int _shutdown;

    /// <summary>Creates a simple processor.</summary>
    /// <param name="exporter">Where each span goes. The processor owns it and shuts it down.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exporter"/> is <see langword="null"/>.</exception>
    public SimpleSpanProcessor(SpanExporter exporter)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        _exporter = exporter;
    }

    internal override SpanExporter Exporter => _exporter;

    /// <inheritdoc/>
    public override void OnEnd(Span span)
    {
        if (!span.Context.IsSampled || Volatile.Read(ref _shutdown) != 0)
        {
            span.Release();
            return;
        }

        lock (_lock)
        {
            _one[0] = span;
            try
            {
                using var timeout = new CancellationTokenSource(ExportTimeout);
                var result = _exporter.ExportAsync(_one, timeout.Token);
                var outcome = result.IsCompleted ? result.Result : result.AsTask().GetAwaiter().GetResult();
                if (outcome != ExportResult.Success && !_exporter.ReportsOwnFailures)
                {
                    Diagnostics.ExportFailed(_exporter.GetType().Name, 1, "the exporter reported failure");
                }
            }
            catch (Exception ex) // An exporter's exception must never reach the app.
            {
                Diagnostics.ExportFailed(_exporter.GetType().Name, 1, ex.GetType().Name + ": " + ex.Message);
            }
            finally
            {
                _one[0] = null!;
            }
        }

        span.Release();
    }

    /// <inheritdoc/>
    public override bool ForceFlush(TimeSpan timeout)
    {
        try
        {
            using var cts = new CancellationTokenSource(timeout);
            return _exporter.ForceFlushAsync(cts.Token).AsTask().Wait(timeout) ;
        }
        catch (Exception ex)
        {
            Diagnostics.CallbackFailed(_exporter.GetType().Name + ".ForceFlushAsync", ex);
            return false;
        }
    }

    /// <inheritdoc/>
    public override bool Shutdown(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return true;
        }

        try
        {
            using var cts = new CancellationTokenSource(timeout);
            lock (_lock)
            {
                return _exporter.ShutdownAsync(cts.Token).AsTask().Wait(timeout);
            }
        }
        catch (Exception ex)
        {
            Diagnostics.CallbackFailed(_exporter.GetType().Name + ".ShutdownAsync", ex);
            return false;
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _exporter.Dispose();
        }
    }
}
