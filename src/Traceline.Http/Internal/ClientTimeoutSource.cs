using System.Diagnostics;

namespace Traceline.Http;

/// <summary>
/// Tells an <c>HttpClient.Timeout</c> apart from a caller's cancellation. Inside the handler chain both arrive as the
/// same <see cref="OperationCanceledException"/> on a linked token (HttpClient wraps a timeout in a
/// <see cref="TimeoutException"/> only after the handlers returned), so <c>AddTracingHandler</c> remembers the last
/// client the factory created for this registration and the handler compares the request's elapsed time with that
/// client's <see cref="HttpClient.Timeout"/>, read when the request failed.
/// </summary>
/// <remarks>
/// A heuristic by nature: a caller that cancels within <see cref="Tolerance"/> of the timeout is reported as a timeout,
/// and when clients of one registration differ in timeout the last one created is used.
/// </remarks>
internal sealed class ClientTimeoutSource
{
    /// <summary>How much earlier than the timeout a cancellation still counts as the timeout (timer granularity, and the time between HttpClient starting its timer and the handler starting).</summary>
    internal static readonly TimeSpan Tolerance = TimeSpan.FromMilliseconds(15);

    private WeakReference<HttpClient>? _client;

    public void Observe(HttpClient client) => Volatile.Write(ref _client, new WeakReference<HttpClient>(client));

    public bool HasElapsed(long startTimestamp)
    {
        if (Volatile.Read(ref _client) is not { } reference || !reference.TryGetTarget(out var client))
        {
            return false;
        }

        var timeout = client.Timeout;
        return timeout != Timeout.InfiniteTimeSpan && Stopwatch.GetElapsedTime(startTimestamp) >= timeout - Tolerance;
    }
}
