using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Traceline;

// The span's life: made current (and mirrored as Activity.Current), ended once, the caller's span restored, storage
// handed back to the pool; and the small guard that keeps a concurrent end from tearing a write.
public sealed partial class Span
{
    /// <summary>Gets the span that was current before this one started.</summary>
    internal Span? Previous => _previous as Span ?? (_previous as SpanActivity)?.PreviousSpan;

    /// <summary>Gets the Activity that mirrors this span as <see cref="Activity.Current"/>, or <see langword="null"/>.</summary>
    internal SpanActivity? Mirror => _previous as SpanActivity;

    internal void SetPrevious(Span? previous) => _previous = previous;

    /// <summary>
    /// Gives a handle from <paramref name="pool"/> (or a new one) a new life, with the storage it brought back (or storage
    /// rented from the pool); <see cref="Release"/> returns it with that storage. Only for spans that no code but the
    /// processors ever sees (a captured Activity's): app code may keep a span it started for as long as it likes, so
    /// those handles are never reused.
    /// </summary>
    /// <remarks>
    /// Perf: measured in ActivityBenchmarks, the handle was the one allocation of a capture beyond the Activity's own. A
    /// pooled handle parks its reset storage in <c>_previous</c> (unused by a span that is never current) while it waits,
    /// so a capture takes one item from one shared queue instead of one from each of two.
    /// </remarks>
    internal static Span FromPool(SpanDataPool pool, in SpanContext context)
    {
        var span = pool.RentHandle();
        var data = span?._previous as SpanData ?? pool.Rent();
        if (span is null)
        {
            span = new Span(context, data);
        }

        span._traceId = context.TraceId;
        span._spanId = context.SpanId;
        span._traceState = context.TraceState;
        span._flags = context.TraceFlags;
        span._previous = null;
        span._data = data;
        span._pooledHandle = true;
        span.CoversHttpRequest = false;
        Volatile.Write(ref span._sync, 0);
        return span;
    }

    /// <summary>
    /// Gets whether the span is an HTTP client request's own (the handler's, or one made from the runtime's
    /// <c>System.Net.Http</c> Activity): .NET's HttpClient instrumentation below it adds no span and no header.
    /// </summary>
    internal bool CoversHttpRequest { get; set; }

    /// <summary>Records the span's mirror; the span that was current before moves into it.</summary>
    internal void SetMirror(SpanActivity mirror)
    {
        mirror.PreviousSpan = _previous as Span;
        _previous = mirror;
    }

    internal void SetStartLinks(ReadOnlySpan<SpanLink> links)
    {
        foreach (var link in links)
        {
            if (link.Context.IsValid)
            {
                _data!.AddLink(link);
            }
        }
    }

    /// <summary>
    /// Hands the recorded data back to the provider's pool once the span has ended and its exporter is done with it.
    /// Called by the built-in processors only when the provider pools (see <see cref="TracerProvider.Pool"/>); the
    /// handle keeps its identity, and reads of the recorded data then see an empty span.
    /// </summary>
    internal void Release()
    {
        var data = _data;
        if (data is null || (Volatile.Read(ref _sync) & Ended) == 0 || data.Tracer.Provider.Pool is not { } pool)
        {
            return;
        }

        ForgetActivity(); // a span released unread never copies its captured Activity
        if (Interlocked.CompareExchange(ref _data, null, data) == data)
        {
            data.Reset();
            if (_pooledHandle)
            {
                _previous = data; // the handle carries its storage back (see FromPool)
                pool.ReturnHandle(this);
            }
            else
            {
                pool.Return(data);
            }
        }
    }

    private void EndCore(long explicitUnixNanos, bool explicitTime)
    {
        var data = _data;
        if (data is null)
        {
            if ((Interlocked.Or(ref _sync, Ended) & Ended) == 0)
            {
                RestoreCurrent();
            }

            return;
        }

        var tracer = data.Tracer;
        var timestamp = explicitTime ? 0 : tracer.Clock.GetTimestamp();
        if (!Enter())
        {
            return;
        }

        data.EndUnixNanos = explicitTime
            ? Math.Max(explicitUnixNanos, data.StartUnixNanos)
            : data.StartUnixNanos + tracer.Clock.ToNanos(timestamp - data.StartTimestamp);
        Volatile.Write(ref _sync, Ended); // unlocks and marks ended in one write

        RestoreCurrent();
        tracer.Provider.OnEnd(this);
    }

    private void RestoreCurrent()
    {
        if (ReferenceEquals(CurrentSpan.Value, this))
        {
            // Skip ancestors that already ended out of order: new spans must not start under a finished one.
            var previous = Previous;
            while (previous is not null && previous.IsEnded)
            {
                previous = previous.Previous;
            }

            CurrentSpan.Value = previous;
        }

        if (_previous is SpanActivity mirror)
        {
            ActivityMirror.Stop(mirror);
        }
    }

    // A tiny per-span guard: uncontended it is one interlocked instruction, and it keeps concurrent setters and End
    // from tearing the span. Returns false (and holds nothing) once the span has ended.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Enter()
    {
        var observed = Interlocked.CompareExchange(ref _sync, Locked, 0);
        return observed == 0 || EnterSlow(observed);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Exit() => Volatile.Write(ref _sync, 0);

    private bool EnterSlow(int observed)
    {
        var spinner = default(SpinWait);
        while (true)
        {
            if ((observed & Ended) != 0)
            {
                return false;
            }

            spinner.SpinOnce();
            observed = Interlocked.CompareExchange(ref _sync, Locked, 0);
            if (observed == 0)
            {
                return true;
            }
        }
    }
}
