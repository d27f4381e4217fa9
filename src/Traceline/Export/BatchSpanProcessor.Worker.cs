namespace Traceline.Export;

// The background worker: waits for a full batch, the scheduled delay or a flush request, and exports one batch at a time.
public sealed partial class BatchSpanProcessor
{
    private async Task RunAsync()
    {
        try
        {
            while (true)
            {
                var delayElapsed = false;
                if (!HasWork())
                {
                    var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    Volatile.Write(ref _waiter, waiter);
                    if (!HasWork())
                    {
                        await waiter.Task.WaitAsync(_delay, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                        delayElapsed = !waiter.Task.IsCompleted;
                    }

                    Interlocked.CompareExchange(ref _waiter, null, waiter);
                }

                var shuttingDown = Volatile.Read(ref _shutdownRequested) != 0;
                long flushTarget;
                FlushRequest[] requests;
                lock (_flushLock)
                {
                    requests = [.. _flushRequests];
                    _flushRequests.Clear();
                }

                flushTarget = 0;
                foreach (var request in requests)
                {
                    flushTarget = Math.Max(flushTarget, request.Target);
                }

                if (shuttingDown)
                {
                    // Closing makes the target final: a span that races shutdown is either before it (exported) or
                    // refused by the queue (counted as dropped), never left behind uncounted.
                    flushTarget = Math.Max(flushTarget, _queue.Close());
                }

                // On the schedule delay, a flush or shutdown: everything queued. Woken at the batch threshold: full
                // batches only, the remainder waits for the next wake-up, so a slow collector gets few, full requests
                // (a partial batch costs a whole round trip of the one export in flight).
                var target = delayElapsed || requests.Length > 0 || shuttingDown
                    ? _queue.EnqueuedCount
                    : FullBatchesTarget();
                await DrainAsync(Math.Max(flushTarget, target)).ConfigureAwait(false);

                if (requests.Length > 0)
                {
                    var flushed = await FlushExporterAsync().ConfigureAwait(false);
                    foreach (var request in requests)
                    {
                        request.Completion.TrySetResult(flushed);
                    }
                }

                ReportDrops(force: shuttingDown);

                if (shuttingDown)
                {
                    _exporterStuckAtShutdown = _stuckExport is { IsCompleted: false };
                    await ShutdownExporterAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
#pragma warning disable CA1031 // The worker must survive anything an exporter does.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Diagnostics.CallbackFailed(_name, ex);
        }
        finally
        {
            lock (_flushLock)
            {
                foreach (var request in _flushRequests)
                {
                    request.Completion.TrySetResult(false);
                }

                _flushRequests.Clear();
                _workerDone = true; // a ForceFlush racing the worker's exit returns at once instead of waiting out its timeout
            }

            _stopped.TrySetResult();
        }
    }

    /// <summary>The dequeue count after exporting every full batch queued now.</summary>
    private long FullBatchesTarget()
    {
        var dequeued = _queue.DequeuedCount;
        var queued = _queue.EnqueuedCount - dequeued;
        return dequeued + (queued - (queued % _maxBatch));
    }

    private async Task DrainAsync(long target)
    {
        while (_queue.DequeuedCount < target && !_abort.IsCancellationRequested)
        {
            var count = 0;
            while (count < _maxBatch && _queue.DequeuedCount < target)
            {
                if (_queue.TryDequeue(out var span))
                {
                    _batch[count++] = span!;
                }
                else if (count > 0)
                {
                    break;
                }
                else
                {
                    // A producer claimed a slot and has not published it yet: a window of a few instructions.
                    await Task.Yield();
                }
            }

            if (count > 0)
            {
                if (await ExportBatchAsync(count).ConfigureAwait(false))
                {
                    for (var i = 0; i < count; i++)
                    {
                        _batch[i].Release();
                    }
                }

                Array.Clear(_batch, 0, count);
            }
        }
    }

    /// <summary>Exports one batch; returns whether the exporter is done with it (false while an abandoned export may still read it).</summary>
    private async Task<bool> ExportBatchAsync(int count)
    {
        if (_stuckExport is { IsCompleted: false })
        {
            Interlocked.Add(ref _dropped, count);
            return true;
        }

        _stuckExport = null;
        using var timeout = _exportTimeout == Timeout.InfiniteTimeSpan
            ? CancellationTokenSource.CreateLinkedTokenSource(_abort.Token)
            : new CancellationTokenSource(_exportTimeout, _time);
        using var link = _abort.Token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);

        Task<ExportResult> export;
        try
        {
            export = _exporter.ExportAsync(new ReadOnlyMemory<Span>(_batch, 0, count), timeout.Token).AsTask();
        }
#pragma warning disable CA1031 // An exporter's exception must never reach the app or stop the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Diagnostics.ExportFailed(_exporter.GetType().Name, count, ex.GetType().Name + ": " + ex.Message);
            return true;
        }

        await ((Task)export).WaitAsync(AddGrace(_exportTimeout), _time, _abort.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!export.IsCompleted)
        {
            // The exporter ignored cancellation. Never export concurrently: later batches are dropped until it returns.
            _stuckExport = export;
            Diagnostics.ExportFailed(_exporter.GetType().Name, count, "the export did not finish within its timeout");
            return false;
        }

        if (export.IsCompletedSuccessfully && export.Result == ExportResult.Success)
        {
            Interlocked.Add(ref _exportedCount, count);
        }
        else if (export.IsFaulted)
        {
            var ex = export.Exception!.InnerException ?? export.Exception;
            Diagnostics.ExportFailed(_exporter.GetType().Name, count, ex.GetType().Name + ": " + ex.Message);
        }
        else if (export.IsCanceled)
        {
            Diagnostics.ExportFailed(_exporter.GetType().Name, count, "the export was cancelled after its timeout");
        }
        else if (!_exporter.ReportsOwnFailures)
        {
            Diagnostics.ExportFailed(_exporter.GetType().Name, count, "the exporter reported failure");
        }

        return true;
    }

    private static TimeSpan AddGrace(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan ? timeout : timeout + TimeSpan.FromMilliseconds(100);

    private async Task<bool> FlushExporterAsync()
    {
        try
        {
            return await _exporter.ForceFlushAsync(_abort.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Diagnostics.CallbackFailed(_exporter.GetType().Name + ".ForceFlushAsync", ex);
            return false;
        }
    }

    private async Task ShutdownExporterAsync()
    {
        try
        {
            await _exporter.ShutdownAsync(_abort.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Diagnostics.CallbackFailed(_exporter.GetType().Name + ".ShutdownAsync", ex);
        }
    }
}
