namespace Traceline.Export;

// The background worker: waits for a full batch, the scheduled delay or a flush request, and hands each batch to a free
// export slot (one slot unless the exporter takes more exports at once), then keeps draining.
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

                if (requests.Length > 0 || shuttingDown)
                {
                    await WaitForExportsAsync().ConfigureAwait(false);
                }

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
                    _exporterStuckAtShutdown = HasStuckExport();
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
            var slot = await AcquireSlotAsync().ConfigureAwait(false);
            var batch = slot?.Batch ?? (_discard ??= new Span[_maxBatch]);
            var count = await FillAsync(batch, target).ConfigureAwait(false);
            if (count == 0)
            {
                continue;
            }

            if (slot is null)
            {
                // Every slot holds an export that ignored its timeout: drop rather than wait on the exporter.
                Interlocked.Add(ref _dropped, count);
                Release(batch, count);
                continue;
            }

            // Runs synchronously up to the exporter's first await (OTLP encodes there), then in the background.
            slot.Running = ExportBatchAsync(slot, count);
        }
    }

    /// <summary>Moves up to a batch of spans, and no further than <paramref name="target"/>, from the queue into <paramref name="batch"/>.</summary>
    private async ValueTask<int> FillAsync(Span[] batch, long target)
    {
        var count = 0;
        while (count < _maxBatch && _queue.DequeuedCount < target)
        {
            if (_queue.TryDequeue(out var span))
            {
                batch[count++] = span!;
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

        return count;
    }

    /// <summary>
    /// A slot with no export in it; waits for one while every slot is busy. <see langword="null"/> when every slot is
    /// held by an export abandoned at its timeout (the exporter ignored cancellation).
    /// </summary>
    private async ValueTask<ExportSlot?> AcquireSlotAsync()
    {
        while (true)
        {
            var running = false;
            foreach (var slot in _slots)
            {
                if (slot.IsFree)
                {
                    if (slot.Stuck is not null)
                    {
                        Array.Clear(slot.Batch); // an abandoned export that has returned since: its spans are not ours to reuse
                        slot.Stuck = null;
                    }

                    return slot;
                }

                running |= !slot.Running.IsCompleted;
            }

            if (!running)
            {
                return null;
            }

            // Each running export ends by its timeout (plus grace) or by shutdown's abort, so this wait is bounded.
            _ = await Task.WhenAny(PendingTasks()).ConfigureAwait(false);
        }
    }

    private List<Task> PendingTasks()
    {
        var pending = new List<Task>(_slots.Length * 2);
        foreach (var slot in _slots)
        {
            if (!slot.Running.IsCompleted)
            {
                pending.Add(slot.Running);
            }

            if (slot.Stuck is { IsCompleted: false } stuck)
            {
                pending.Add(stuck);
            }
        }

        return pending;
    }

    /// <summary>Waits until no export is running (abandoned ones aside): flush and shutdown wait for every export in flight.</summary>
    private async Task WaitForExportsAsync()
    {
        foreach (var slot in _slots)
        {
            await slot.Running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private bool HasStuckExport()
    {
        foreach (var slot in _slots)
        {
            if (slot.Stuck is { IsCompleted: false })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Exports the slot's batch and accounts for it; ends when the export does, or at its timeout plus grace.</summary>
    private async Task ExportBatchAsync(ExportSlot slot, int count)
    {
        slot.Stuck = null;
        var batch = slot.Batch;
        using var timeout = _exportTimeout == Timeout.InfiniteTimeSpan
            ? CancellationTokenSource.CreateLinkedTokenSource(_abort.Token)
            : new CancellationTokenSource(_exportTimeout, _time);
        using var link = _abort.Token.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);

        Task<ExportResult> export;
        try
        {
            export = _exporter.ExportAsync(new ReadOnlyMemory<Span>(batch, 0, count), timeout.Token).AsTask();
        }
#pragma warning disable CA1031 // An exporter's exception must never reach the app or stop the worker.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Diagnostics.ExportFailed(_exporter.GetType().Name, count, ex.GetType().Name + ": " + ex.Message);
            Release(batch, count);
            return;
        }

        await ((Task)export).WaitAsync(AddGrace(_exportTimeout), _time, _abort.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!export.IsCompleted)
        {
            // The exporter ignored cancellation: the slot and its spans stay with it until it returns, and when every
            // slot is held like this, later batches are dropped.
            slot.Stuck = export;
            Diagnostics.ExportFailed(_exporter.GetType().Name, count, "the export did not finish within its timeout");
            return;
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

        Release(batch, count);
    }

    private static void Release(Span[] batch, int count)
    {
        for (var i = 0; i < count; i++)
        {
            batch[i].Release();
        }

        Array.Clear(batch, 0, count);
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
