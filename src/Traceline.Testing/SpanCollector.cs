using System.Globalization;
using System.Text;

namespace Traceline.Testing;

/// <summary>
/// Holds the spans that one or more apps ended, each as soon as it ends (no batching), for tests to read and wait on.
/// </summary>
/// <remarks>
/// <para>
/// Hand it to <c>services.AddTracingCollector(collector)</c> (it replaces the app's exporters) or to
/// <c>tracing.UseSpanCollector(collector)</c> (it joins them). One collector may serve several apps, for example a
/// front service and the services it calls, each hosted by its own <c>WebApplicationFactory</c>: their spans then
/// share one list, and <see cref="Traces"/> rebuilds each trace across them.
/// </para>
/// <para>
/// A server span ends after the response has been written, so it can arrive a moment after the client has read the
/// response: wait with <see cref="WaitForSpansAsync"/>, <see cref="WaitForTraceAsync"/> or <see cref="WaitForAsync"/>
/// rather than reading <see cref="Spans"/> at once. Thread-safe.
/// </para>
/// </remarks>
public sealed class SpanCollector
{
    /// <summary>How long the waiting methods wait when no timeout is given: 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    private readonly List<Span> _spans = [];
    private readonly Lock _lock = new();
    private TaskCompletionSource _changed = NewSignal();

    /// <summary>Gets a snapshot of the spans collected so far, in the order they ended.</summary>
    public IReadOnlyList<Span> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    /// <summary>Gets how many spans were collected so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _spans.Count;
            }
        }
    }

    /// <summary>Gets the spans collected so far grouped into traces, in the order each trace's first span ended.</summary>
    public IReadOnlyList<TraceTree> Traces => Spans.ToTraces();

    /// <summary>Returns the spans collected so far of one trace, as a tree.</summary>
    /// <param name="traceId">The trace id.</param>
    /// <returns>The trace; it has no spans when none of that trace was collected.</returns>
    public TraceTree GetTrace(TraceId traceId)
    {
        var spans = new List<Span>();
        foreach (var span in Spans)
        {
            if (span.Context.TraceId == traceId)
            {
                spans.Add(span);
            }
        }

        return new TraceTree(traceId, spans);
    }

    /// <summary>Forgets every span collected so far (for example between two requests of one test).</summary>
    public void Clear()
    {
        lock (_lock)
        {
            _spans.Clear();
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> spans were collected.</summary>
    /// <param name="count">How many spans to wait for.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> for <see cref="DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>A snapshot of the spans (at least <paramref name="count"/>).</returns>
    /// <exception cref="TimeoutException">The spans did not arrive in time; the message lists those that did.</exception>
    public Task<IReadOnlyList<Span>> WaitForSpansAsync(int count, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return WaitCoreAsync(spans => spans.Count >= count, $"{count} span(s)", timeout, cancellationToken);
    }

    /// <summary>Waits until the spans collected satisfy <paramref name="condition"/>.</summary>
    /// <param name="condition">Evaluated on a snapshot now and each time a span arrives.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> for <see cref="DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The snapshot that satisfied the condition.</returns>
    /// <exception cref="TimeoutException">The condition did not hold in time; the message lists the spans collected.</exception>
    public Task<IReadOnlyList<Span>> WaitForAsync(Func<IReadOnlyList<Span>, bool> condition, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return WaitCoreAsync(condition, "the condition", timeout, cancellationToken);
    }

    /// <summary>Waits until <paramref name="spanCount"/> spans of one trace were collected, and returns the trace.</summary>
    /// <param name="traceId">The trace id, for example the one a test sent in <c>traceparent</c>.</param>
    /// <param name="spanCount">How many spans the whole trace has.</param>
    /// <param name="timeout">How long to wait; <see langword="null"/> for <see cref="DefaultTimeout"/>.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The trace, with at least <paramref name="spanCount"/> spans.</returns>
    /// <exception cref="TimeoutException">The spans did not arrive in time; the message lists those that did.</exception>
    public async Task<TraceTree> WaitForTraceAsync(TraceId traceId, int spanCount, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(spanCount);
        await WaitCoreAsync(
            spans =>
            {
                var found = 0;
                foreach (var span in spans)
                {
                    if (span.Context.TraceId == traceId)
                    {
                        found++;
                    }
                }

                return found >= spanCount;
            },
            $"{spanCount} span(s) of trace {traceId}",
            timeout,
            cancellationToken).ConfigureAwait(false);
        return GetTrace(traceId);
    }

    /// <summary>Adds one ended span and wakes the waiters.</summary>
    internal void Add(Span span)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _spans.Add(span);
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();
    }

    /// <summary>Lists spans one a line: service, name, kind, ids; what a failed wait shows.</summary>
    internal static string Describe(IReadOnlyList<Span> spans)
    {
        if (spans.Count == 0)
        {
            return "  (none)";
        }

        var text = new StringBuilder();
        foreach (var span in spans)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {span.Resource?.ServiceName ?? "?"} | {span.Name} | {span.Kind} | trace {span.Context.TraceId} span {span.Context.SpanId} parent {span.ParentSpanId}")
                .AppendLine();
        }

        return text.ToString().TrimEnd();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task<IReadOnlyList<Span>> WaitCoreAsync(Func<IReadOnlyList<Span>, bool> condition, string what, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var limit = timeout ?? DefaultTimeout;
        var started = TimeProvider.System.GetTimestamp();
        while (true)
        {
            IReadOnlyList<Span> snapshot;
            Task changed;
            lock (_lock)
            {
                snapshot = [.. _spans];
                changed = _changed.Task;
            }

            // The condition runs outside the lock: it is the caller's code. A span added meanwhile completes `changed`.
            if (condition(snapshot))
            {
                return snapshot;
            }

            var remaining = limit == Timeout.InfiniteTimeSpan ? Timeout.InfiniteTimeSpan : limit - TimeProvider.System.GetElapsedTime(started);
            try
            {
                if (remaining != Timeout.InfiniteTimeSpan && remaining <= TimeSpan.Zero)
                {
                    throw new TimeoutException();
                }

                await changed.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(
                    $"Waited {limit.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s for {what}; the collector holds {snapshot.Count} span(s):"
                    + Environment.NewLine + Describe(Spans));
            }
        }
    }
}
