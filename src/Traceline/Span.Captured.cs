using System.Diagnostics;

namespace Traceline;

// The span of a captured Activity: ended when the Activity stops, its data copied from the Activity on first read.
public sealed partial class Span
{
    /// <summary>Gets the recorded data for a reader: a captured Activity's is copied from the Activity first (once).</summary>
    private SpanData? Recorded => (Volatile.Read(ref _sync) & Pending) == 0 ? _data : Settle();

    /// <summary>Gets whether the span's data is still in its captured Activity, copied by nobody yet (tests check where the copy runs).</summary>
    internal bool HasPendingActivity => (Volatile.Read(ref _sync) & Pending) != 0;

    /// <summary>
    /// Ends the span of a stopped Activity and hands it to the processors; its name, times, parent, tags, events,
    /// links and status stay in the Activity until something reads the span (see <see cref="Settle"/>). Ignored when
    /// the span already ended (a start processor may end the span it saw start).
    /// </summary>
    /// <remarks>
    /// Perf: the OpenTelemetry SDK only enqueues the stopped Activity, and its exporter reads it on the export thread;
    /// so does this: the copy (ActivityCapture.Fill) runs where the span is first read, normally the export worker.
    /// A reader that never comes (an exporter that reads nothing, a span dropped at a full queue) never pays it.
    /// </remarks>
    /// <param name="activity">The stopped Activity.</param>
    /// <param name="seenAtStart">Whether processors saw the span start (and may hold it); else nobody else has it yet.</param>
    internal void EndCaptured(Activity activity, bool seenAtStart)
    {
        _previous = activity; // a captured Activity's span is never current: the field is free (published by the write below)
        if (!seenAtStart)
        {
            Volatile.Write(ref _sync, Ended | Pending);
            _data!.Tracer.Provider.OnEnd(this);
            return;
        }

        var spinner = default(SpinWait);
        int observed;
        while ((observed = Interlocked.CompareExchange(ref _sync, Ended | Pending, 0)) != 0)
        {
            if ((observed & Ended) != 0)
            {
                _previous = null;
                return;
            }

            spinner.SpinOnce(); // a start processor's setter holds the span for a moment
        }

        _data!.Tracer.Provider.OnEnd(this);
    }

    /// <summary>
    /// Copies the captured Activity into the span's storage, once: a concurrent reader waits for the copy (a spin, as
    /// the setters' lock). A copy that fails is reported and the span keeps what was copied so far.
    /// </summary>
    private SpanData? Settle()
    {
        var spinner = default(SpinWait);
        while (true)
        {
            var observed = Volatile.Read(ref _sync);
            if ((observed & Pending) == 0)
            {
                return _data;
            }

            if ((observed & Locked) == 0 && Interlocked.CompareExchange(ref _sync, observed | Locked, observed) == observed)
            {
                var data = _data!;
                try
                {
                    ActivityCapture.Fill(data, (Activity)_previous!);
                }
                catch (Exception ex) // tracing never breaks the app, nor the exporter reading the span.
                {
                    data.Tracer.Provider.Diagnostics.CallbackFailed(nameof(ActivityCapture) + ".Record", ex);
                }

                _previous = null;
                Volatile.Write(ref _sync, Ended); // the copy is published, the Activity let go
                return data;
            }

            spinner.SpinOnce();
        }
    }

    /// <summary>Lets go of a captured Activity that nobody read (the span is being released): its data is never copied.</summary>
    private void ForgetActivity()
    {
        var spinner = default(SpinWait);
        int observed;
        while (((observed = Volatile.Read(ref _sync)) & Pending) != 0)
        {
            if ((observed & Locked) == 0 && Interlocked.CompareExchange(ref _sync, Ended, observed) == observed)
            {
                _previous = null;
                return;
            }

            spinner.SpinOnce(); // a reader is copying it
        }
    }
}
