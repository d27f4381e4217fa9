using System.Diagnostics;
using Traceline.Propagation;

namespace Traceline;

/// <summary>
/// What was current when instrumentation was called (span, baggage, <see cref="Activity"/>), put back before it
/// returns, as an <c>async</c> method's builder does and for the same reason: nothing of this request may reach the
/// caller's flow (Kestrel runs a connection's next request in it).
/// </summary>
/// <remarks>
/// Perf: putting back the caller's <see cref="ExecutionContext"/> object by reference allocates nothing. Setting the
/// values back one by one would allocate a new context whenever the caller's was not empty (it is not whenever ASP.NET
/// Core started an Activity), so they are set one by one only when the caller suppressed the flow.
/// </remarks>
internal readonly struct AmbientScope
{
    private readonly ExecutionContext? _context; // null when the caller suppressed the flow
    private readonly Baggage? _baggage; // read only when _context is null

    private AmbientScope(Activity? activity, Span? span)
    {
        Activity = activity;
        Span = span;
        _context = ExecutionContext.Capture();
        if (_context is null)
        {
            _baggage = Baggage.Current;
        }
    }

    /// <summary>Gets the caller's Activity.</summary>
    public Activity? Activity { get; }

    /// <summary>Gets the caller's current span: the parent of a span started here, current again once it ends.</summary>
    public Span? Span { get; }

    public static AmbientScope Capture() => new(Activity.Current, CurrentSpan.Value);

    /// <summary>
    /// Hides the caller's Activity from the code below (until <see cref="Restore"/>), so that .NET's own HttpClient
    /// diagnostics inject no trace headers of another origin.
    /// </summary>
    public void HideActivity()
    {
        if (Activity is not null)
        {
            Activity.Current = null;
        }
    }

    /// <summary>Hides the current Activity without capturing a scope (for a request that is not traced); returns it for <see cref="ShowActivity"/>.</summary>
    public static Activity? HideCurrentActivity()
    {
        var activity = Activity.Current;
        if (activity is not null)
        {
            Activity.Current = null;
        }

        return activity;
    }

    /// <summary>Makes a hidden Activity current again.</summary>
    public static void ShowActivity(Activity? hidden)
    {
        if (hidden is not null)
        {
            Activity.Current = hidden;
        }
    }

    /// <summary>Puts back what was current; <paramref name="ownActivity"/> is an Activity the caller of this scope started, if any.</summary>
    public void Restore(Activity? ownActivity = null)
    {
        if (ownActivity is not null && ReferenceEquals(Activity.Current, ownActivity))
        {
            // Through the setter, as the Activity was made current: Activity.CurrentChanged hears of both.
            Activity.Current = Activity;
        }

        if (_context is not null)
        {
            ExecutionContext.Restore(_context);
            return;
        }

        CurrentSpan.Value = Span;
        if (!ReferenceEquals(Activity.Current, Activity))
        {
            Activity.Current = Activity;
        }

        Baggage.Current = _baggage!;
    }
}
