namespace Traceline;

/// <summary>
/// Runs a user's callback (filter, predicate, enrich) so that its exception is reported through the diagnostics and
/// never reaches the request.
/// </summary>
internal static class GuardedCallback
{
    /// <summary>Calls <paramref name="callback"/>, if any; <paramref name="name"/> names it in the report of a failure.</summary>
    public static void Invoke<T>(Action<Span, T>? callback, Span span, T argument, TracelineDiagnostics diagnostics, string name)
    {
        if (callback is null)
        {
            return;
        }

        try
        {
            callback(span, argument);
        }
        catch (Exception ex)
        {
            diagnostics.CallbackFailed(name, ex);
        }
    }

    /// <summary>Returns what <paramref name="predicate"/> answers, or <paramref name="onFailure"/> when it throws.</summary>
    public static bool Test<T>(Func<T, bool> predicate, T argument, bool onFailure, TracelineDiagnostics diagnostics, string name)
    {
        try
        {
            return predicate(argument);
        }
        catch (Exception ex)
        {
            diagnostics.CallbackFailed(name, ex);
            return onFailure;
        }
    }
}
