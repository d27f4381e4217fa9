namespace Traceline;

/// <summary>Process-wide helpers that act on the current async flow.</summary>
public static class Tracing
{
    private static readonly AsyncLocal<bool> SuppressedSlot = new();

    /// <summary>Gets whether tracing is suppressed in this async flow (inside <see cref="Suppress"/>).</summary>
    public static bool IsSuppressed => SuppressedSlot.Value;

    /// <summary>
    /// Suppresses tracing in this async flow until the returned scope is disposed: spans started inside are
    /// non-recording, and Traceline's HttpClient handler neither creates a span nor injects headers. Traceline's own
    /// exporters send inside such a scope, so their traffic is never traced.
    /// </summary>
    /// <returns>A scope; dispose it to restore the previous state. Scopes nest.</returns>
    /// <example><code>using (Tracing.Suppress()) { await client.GetAsync("/health"); }</code></example>
    public static IDisposable Suppress()
    {
        var scope = new SuppressionScope(SuppressedSlot.Value);
        SuppressedSlot.Value = true;
        return scope;
    }

    /// <summary>Sets whether tracing is suppressed in this flow and returns what it was, for instrumentation that puts it back itself.</summary>
    internal static bool SetSuppressed(bool suppressed)
    {
        var previous = SuppressedSlot.Value;
        if (previous != suppressed)
        {
            SuppressedSlot.Value = suppressed;
        }

        return previous;
    }

    private sealed class SuppressionScope(bool previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                SuppressedSlot.Value = previous;
            }
        }
    }
}
