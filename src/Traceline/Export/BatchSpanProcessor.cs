namespace Traceline.Export;

/// <summary>
/// Queues ended spans and exports them in batches on a background worker, off the application's threads. The
/// processor for production.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="OnEnd"/> never blocks and takes no lock: it puts the span into a bounded lock-free queue, or drops and
/// counts it when the queue is full (the drop count is reported through diagnostics at most once per interval). The
/// worker exports when a batch is full or when <see cref="BatchSpanProcessorOptions.ScheduledDelay"/> has passed, one
/// export at a time, each cancelled after <see cref="BatchSpanProcessorOptions.ExportTimeout"/>. An exporter that
/// throws or hangs costs dropped batches, never the app's time.
/// </para>
/// <para>
/// <see cref="SpanProcessor.ForceFlush"/> and <see cref="SpanProcessor.Shutdown"/> export every span queued before
/// they were called, or return <see langword="false"/> when their timeout passes first.
/// </para>
/// </remarks>
public sealed class BatchSpanProcessor : SpanProcessor
{
    private readonly SpanExporter _exporter;
    private readonly BoundedQueue<Span> _queue;
    private readonly Span[] _batch;
    private readonly int _maxBatch;
    private readonly TimeSpan _delay;
    private readonly TimeSpan _exportTimeout;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _abort = new();
    private readonly List<FlushRequest> _flushRequests = [];
    private readonly Lock _flushLock = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _name;
    private TaskCompletionSource? _waiter;
    private Task? _stuckExport;
    private long _dropped;
    private long _droppedReported;
    private long _exportedCount;
    private int _shutdownRequested;
    private bool _exporterStuckAtShutdown;
    private bool _workerDone; // guarded by _flushLock

    /// <summary>Creates a batch processor and starts its worker.</summary>
    /// <param name="exporter">Where batches go. The processor owns it and shuts it down.</param>
    /// <param name="options">Queue and batch settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="exporter"/> is <see langword="null"/>.</exception>
    public BatchSpanProcessor(SpanExporter exporter, BatchSpanProcessorOptions? options = null)
        : this(exporter, options, TimeProvider.System, TracelineDiagnostics.Default)
    {
    }

    internal BatchSpanProcessor(SpanExporter exporter, BatchSpanProcessorOptions? options, TimeProvider time, TracelineDiagnostics diagnostics)
    {
        ArgumentNullException.ThrowIfNull(exporter);
        options ??= new BatchSpanProcessorOptions();
        _exporter = exporter;
        _time = time;
        Diagnostics = diagnostics;
        var queueSize = Math.Max(1, options.MaxQueueSize);
        _maxBatch = Math.Clamp(options.MaxExportBatchSize, 1, queueSize);
        _delay = options.ScheduledDelay > TimeSpan.Zero ? options.ScheduledDelay : TimeSpan.FromMilliseconds(1);
        _exportTimeout = options.ExportTimeout > TimeSpan.Zero ? options.ExportTimeout : Timeout.InfiniteTimeSpan;
        _queue = new BoundedQueue<Span>(queueSize);
        _batch = new Span[_maxBatch];
        _name = $"BatchSpanProcessor({exporter.GetType().Name})";
        // The worker must not capture the creator's execution context (its current span, Activity or baggage).
        using (ExecutionContext.SuppressFlow())
        {
            Worker = Task.Run(RunAsync);
        }
    }

    /// <summary>Gets how many spans were dropped because the queue was full or the exporter was stuck.</summary>
    public long DroppedCount => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many spans the exporter accepted.</summary>
    public long ExportedCount => Interlocked.Read(ref _exportedCount);

    /// <summary>Gets how many spans wait in the queue now.</summary>
    public int QueuedCount => _queue.Count;

    internal Task Worker { get; }

    /// <summary>Gets how many spans can be in the processor's hands at once: the queue plus the batch being exported.</summary>
    internal int QueueCapacity => _queue.Capacity + _maxBatch;

    internal override SpanExporter Exporter => _exporter;

    /// <inheritdoc/>
    public override void OnEnd(Span span)
    {
        if (!span.Context.IsSampled)
        {
            span.Release();
            return;
        }

        if (Volatile.Read(ref _shutdownRequested) != 0 || !_queue.TryEnqueue(span))
        {
            Interlocked.Increment(ref _dropped);
            span.Release();
            return;
        }

        if (_queue.Count >= _maxBatch)
        {
            Wake();
        }
    }

    /// <inheritdoc/>
    public override bool ForceFlush(TimeSpan timeout)
    {
        if (_stopped.Task.IsCompleted)
        {
            return true;
        }

        var request = new FlushRequest(_queue.EnqueuedCount);
        lock (_flushLock)
        {
            if (_workerDone)
            {
                return true; // the worker exported or counted everything on its way out: nothing is left to wait for
            }

            _flushRequests.Add(request);
        }

        Wake();
        return Wait(request.Completion.Task, timeout, "ForceFlush");
    }

    /// <inheritdoc/>
    public override bool Shutdown(TimeSpan timeout)
    {
        Interlocked.Exchange(ref _shutdownRequested, 1);
        Wake();
        if (Wait(_stopped.Task, timeout, "Shutdown"))
        {
            return !_exporterStuckAtShutdown;
        }

        // Give up on the exporter: cancel whatever it is doing so the worker can finish.
        _abort.Cancel();
        return false;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && _stopped.Task.IsCompleted)
        {
            _abort.Dispose();
            _exporter.Dispose();
        }
    }

    private bool Wait(Task task, TimeSpan timeout, string operation)
    {
        try
        {
            if (timeout == Timeout.InfiniteTimeSpan)
            {
                task.Wait();
                return true;
            }

            if (task.Wait(timeout < TimeSpan.Zero ? TimeSpan.Zero : timeout))
            {
                return true;
            }
        }
        catch (AggregateException)
        {
            return false;
        }

        Diagnostics.TimedOut($"{_name}.{operation}", timeout);
        return false;
    }

    private void Wake()
    {
        var waiter = Volatile.Read(ref _waiter);
        if (waiter is not null && Interlocked.CompareExchange(ref _waiter, null, waiter) == waiter)
        {
            waiter.TrySetResult();
        }
    }

    private bool HasWork() =>
        _queue.Count >= _maxBatch || Volatile.Read(ref _shutdownRequested) != 0 || HasFlushRequests();

    private bool HasFlushRequests()
    {
        lock (_flushLock)
        {
            return _flushRequests.Count > 0;
        }
    }

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

    private void ReportDrops(bool force)
    {
        var total = Interlocked.Read(ref _dropped);
        var since = total - _droppedReported;
        if (since > 0 && (force || Diagnostics.DropReportDue(_name)))
        {
            _droppedReported = total;
            Diagnostics.SpansDropped(_name, since, total, "the queue was full or the exporter was stuck");
        }
    }

    private sealed class FlushRequest(long target)
    {
        public long Target { get; } = target;

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
