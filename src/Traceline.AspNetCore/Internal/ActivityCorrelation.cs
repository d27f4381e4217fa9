using System.Diagnostics;
using Traceline.Propagation;

namespace Traceline.AspNetCore;

/// <summary>
/// Keeps <see cref="Activity.Current"/> in step with the server span, for log correlation: logging scopes and
/// ProblemDetails read it. The span adopts the hosting Activity's ids when that Activity agrees with the span's
/// parent; otherwise the middleware starts an Activity that does.
/// </summary>
internal static class ActivityCorrelation
{
    /// <summary>The name of the Activity the middleware starts when the hosting Activity disagrees with the span.</summary>
    public const string ActivityName = "Traceline.AspNetCore.HttpRequestIn";

    /// <summary>
    /// Returns the Activity whose ids the span adopts: <paramref name="current"/> when it agrees with
    /// <paramref name="parent"/>, else <paramref name="own"/>, started here; <see langword="null"/> without an Activity.
    /// </summary>
    /// <remarks>With ActivitySources captured, the span is Activity.Current even when ASP.NET Core started none (see <see cref="ActivityMirror"/>).</remarks>
    public static Activity? Correlate(TracerProvider provider, Activity? current, in SpanContext parent, out Activity? own)
    {
        own = null;
        if (!ActivityMirror.IsWanted(provider, current))
        {
            return null;
        }

        return current is not null && Agrees(current, parent) ? current : own = StartActivity(parent);
    }

    /// <summary>Gives the Activity the span's sampled flag: ProblemDetails' traceId is Activity.Id, and .NET's own HttpClient propagation reads it.</summary>
    public static void ShareSampled(Activity? correlated, in SpanContext span)
    {
        var flags = span.IsSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None;
        if (correlated is not null && correlated.ActivityTraceFlags != flags)
        {
            correlated.ActivityTraceFlags = flags;
        }
    }

    public static TraceId TraceIdOf(Activity? activity) => activity is null ? default : ActivityIds.ToTraceId(activity.TraceId);

    public static SpanId SpanIdOf(Activity? activity) => activity is null ? default : ActivityIds.ToSpanId(activity.SpanId);

    /// <summary>Whether logs written under <paramref name="activity"/> would carry the ids of a span with <paramref name="parent"/>.</summary>
    private static bool Agrees(Activity activity, in SpanContext parent)
    {
        if (activity.IdFormat != ActivityIdFormat.W3C)
        {
            return false;
        }

        if (!parent.IsValid)
        {
            return activity.ParentSpanId == default && activity.ParentId is null;
        }

        return TraceIdOf(activity) == parent.TraceId && ParentSpanId(activity) == parent.SpanId;
    }

    /// <summary>Returns <see cref="Activity.ParentSpanId"/> of a W3C Activity, without allocating where it can.</summary>
    /// <remarks>
    /// Perf: an Activity holds its parent either as the traceparent string (<c>new Activity(...)</c> and
    /// <c>SetParentId(string)</c>: what ASP.NET Core does when only logging wants an Activity) or as the parent span
    /// id (an Activity from a source with listeners). <see cref="Activity.ParentSpanId"/> cuts a new string out of
    /// the first, <see cref="Activity.ParentId"/> formats a new one from the second, so the cheap one is read.
    /// </remarks>
    private static SpanId ParentSpanId(Activity activity)
    {
        if (activity.Source.Name.Length == 0
            && activity.ParentId is { Length: TraceParentFormat.Length } parentId
            && SpanId.TryParse(parentId.AsSpan(TraceParentFormat.SpanIdOffset, SpanId.HexLength), out var spanId))
        {
            return spanId;
        }

        return ActivityIds.ToSpanId(activity.ParentSpanId);
    }

    /// <summary>Starts an Activity whose trace id and parent are the span's, so logs and traces agree.</summary>
    private static Activity StartActivity(in SpanContext parent)
    {
        var activity = new Activity(ActivityName);
        activity.SetIdFormat(ActivityIdFormat.W3C);
        if (parent.IsValid)
        {
            activity.SetParentId(ActivityIds.ToActivity(parent.TraceId), ActivityIds.ToActivity(parent.SpanId), parent.IsSampled ? ActivityTraceFlags.Recorded : ActivityTraceFlags.None);
        }
        else
        {
            Activity.Current = null; // a root: do not inherit the hosting Activity's trace
        }

        return activity.Start();
    }
}
