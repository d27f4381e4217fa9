using System.Diagnostics;

namespace Traceline;

/// <summary>
/// The one place where a Traceline span becomes <see cref="Activity.Current"/> and stops being it. Logging scopes
/// (<c>ActivityTrackingOptions</c>), ProblemDetails' <c>traceId</c>, .NET's own propagation and every library that
/// reads <see cref="Activity.Current"/> then see the span that is really current, and Activities started inside it
/// are its children.
/// </summary>
/// <remarks>
/// Perf: an <see cref="Activity"/> costs an object and two hex strings, so a span is mirrored only when somebody in
/// its flow wants Activities: when one is current already (ASP.NET Core starts one per request when logging or a
/// diagnostic listener wants it), or when the provider captures ActivitySources (their Activities need a current
/// parent with the span's ids). Otherwise a span reads <see cref="Activity.Current"/> once and allocates nothing more.
/// </remarks>
internal static class ActivityMirror
{
    /// <summary>The operation name of a mirror whose span has no name.</summary>
    public const string UnnamedOperation = "Traceline.Span";

    /// <summary>Whether a span that starts now, with <paramref name="current"/> as the Activity of its flow, is mirrored.</summary>
    public static bool IsWanted(TracerProvider provider, Activity? current) => current is not null || provider.Capture is not null;

    /// <summary>
    /// Starts the mirror of a span about to start under <paramref name="parent"/> and makes it current; the span then
    /// takes the mirror's span id (and, for a root, its trace id). <paramref name="current"/> is the Activity current
    /// in the caller's flow, read once by the caller.
    /// </summary>
    public static SpanActivity Start(string name, in SpanContext parent, Activity? current)
    {
        var mirror = new SpanActivity(name.Length == 0 ? UnnamedOperation : name) { PreviousActivity = current };
        mirror.SetIdFormat(ActivityIdFormat.W3C);
        if (parent.IsValid)
        {
            if (!IsMirrorOf(current, parent) || !IsTraceline(current!))
            {
                // An explicit parent (an extracted one, a span of another flow), or a current Activity of another origin
                // (ASP.NET Core's, whose trace state and baggage came from the caller): the mirror takes the span's
                // parent, so its ids agree with the span's and nothing foreign reaches .NET's own propagation.
                // Otherwise Start inherits the current one (a mirror or a captured Activity), baggage and all.
                mirror.SetParentId(ActivityIds.ToActivity(parent.TraceId), ActivityIds.ToActivity(parent.SpanId), (ActivityTraceFlags)(byte)parent.TraceFlags);
                mirror.TraceStateString = parent.TraceState;
            }
        }
        else if (current is not null)
        {
            Activity.Current = null; // a root: do not inherit the current Activity's trace
        }

        mirror.Start();
        mirror.MirroredSpanId = ActivityIds.ToSpanId(mirror.SpanId);
        return mirror;
    }

    /// <summary>Sets the mirror's sampled flag once the sampler has decided, and its trace state.</summary>
    public static void Complete(SpanActivity mirror, in SpanContext context)
    {
        var flags = context.IsSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None;
        if (mirror.ActivityTraceFlags != flags)
        {
            mirror.ActivityTraceFlags = flags;
        }

        if (!ReferenceEquals(mirror.TraceStateString, context.TraceState))
        {
            mirror.TraceStateString = context.TraceState;
        }
    }

    /// <summary>
    /// Stops the mirror as its span ends. If it is current in the calling flow, the Activity that was current before
    /// it becomes current again; in any other flow, whatever is current stays current.
    /// </summary>
    public static void Stop(SpanActivity mirror)
    {
        var current = Activity.Current;
        mirror.Stop(); // sets Current to the Activity current at Start, in any flow
        var restore = ReferenceEquals(current, mirror) ? mirror.PreviousActivity : current;

        // An ancestor that stopped out of order cannot be current again (the setter refuses it): skip to a live one.
        while (restore is { IsStopped: true })
        {
            restore = restore.Parent;
        }

        if (!ReferenceEquals(Activity.Current, restore))
        {
            Activity.Current = restore;
        }
    }

    /// <summary>Whether <paramref name="activity"/> is Traceline's: a mirror, or an Activity of a source it may capture.</summary>
    private static bool IsTraceline(Activity activity) =>
        activity is SpanActivity || Array.IndexOf(SourceFilter.Excluded, activity.Source.Name) < 0;

    /// <summary>Whether <paramref name="activity"/> has the ids of <paramref name="context"/> (cheaply for a mirror).</summary>
    public static bool IsMirrorOf(Activity? activity, in SpanContext context)
    {
        if (activity is null || activity.IdFormat != ActivityIdFormat.W3C)
        {
            return false;
        }

        var spanId = activity is SpanActivity mirror ? mirror.MirroredSpanId : ActivityIds.ToSpanId(activity.SpanId);
        return spanId == context.SpanId && ActivityIds.ToTraceId(activity.TraceId) == context.TraceId;
    }
}
