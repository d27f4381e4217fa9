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
/// export at a time (the OTLP exporter: up to <see cref="OtlpExporterOptions.MaxConcurrentExports"/> at once, 2 by
/// default, which may complete out of order), each cancelled after <see cref="BatchSpanProcessorOptions.ExportTimeout"/>.
/// An exporter that throws or hangs costs dropped batches, never the app's time.
/// </para>
/// <para>
/// <see cref="SpanProcessor.ForceFlush"/> and <see cref="SpanProcessor.Shutdown"/> export every span queued before
/// they were called and wait for every export in flight, or return <see langword="false"/> when their timeout passes
/// first.
/// </para>
/// </remarks>
public sealed partial class BatchSpanProcessor : SpanProcessor
{
    private readonly SpanExporter _exporter;
    private readonly BoundedQueue<Span> _queue;
    private readonly ExportSlot[] _slots;
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
    private Span[]? _discard;
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
        _slots = new ExportSlot[Math.Clamp(exporter.MaxConcurrentExports, 1, SpanExporter.MaxConcurrentExportsLimit)];
        for (var i = 0; i < _slots.Length; i++)
        {
            _slots[i] = new ExportSlot(_maxBatch);
        }

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

    /// <summary>Gets whether <see cref="SpanProcessor.Shutdown"/> has been called (tests wait on it).</summary>
    internal bool IsShuttingDown => Volatile.Read(ref _shutdownRequested) != 0;

    /// <summary>Gets how many spans can be in the processor's hands at once: the queue plus the batches being exported.</summary>
    internal int QueueCapacity => _queue.Capacity + (_slots.Length * _maxBatch);

    /// <summary>Gets how many exports may run at once: the exporter's <see cref="SpanExporter.MaxConcurrentExports"/>, bounded.</summary>
    internal int ExportSlots => _slots.Length;

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

        // Give up on the exporter: cancel whatever it is doing so the worker can finish. The worker drains no more
        // after that, so what is still queued is lost: say how much, or it would vanish without a report.
        _abort.Cancel();
        var left = _queue.Count;
        if (left > 0)
        {
            Diagnostics.SpansDropped(_name, left, Interlocked.Read(ref _dropped) + left, "shutdown timed out before they were exported");
        }

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

    /// <summary>One export in flight: its batch's storage and the task that exports and accounts for it.</summary>
    private sealed class ExportSlot(int batchSize)
    {
        public Span[] Batch { get; } = new Span[batchSize];

        /// <summary>Gets or sets the export and its accounting; it ends when the export does, or at its timeout plus grace.</summary>
        public Task Running { get; set; } = Task.CompletedTask;

        /// <summary>Gets or sets an export abandoned at its timeout that still reads <see cref="Batch"/>.</summary>
        public Task? Stuck { get; set; }

        public bool IsFree => Running.IsCompleted && Stuck is null or { IsCompleted: true };
    }

    private sealed class FlushRequest(long target)
    {
        public long Target { get; } = target;

        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
