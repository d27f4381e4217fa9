using System.Net.Http.Headers;

namespace Traceline.Export;

/// <summary>
/// What the OTLP specification says is worth retrying, and how long to wait: exponential backoff with jitter, or the
/// delay the receiver asks for (<c>Retry-After</c>, gRPC <c>RetryInfo</c>).
/// </summary>
internal static class OtlpRetryPolicy
{
    internal const int MaxAttempts = 5;
    internal static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private const double BackoffMultiplier = 1.5;

    /// <summary>The delay before retry number <paramref name="attempt"/>: exponential, capped, with jitter (half fixed, half random).</summary>
    internal static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, InitialBackoff.TotalMilliseconds * Math.Pow(BackoffMultiplier, attempt - 1));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }

    /// <summary>Whether an HTTP status is worth retrying: 429, 502, 503 and 504 (for gRPC too, as UNAVAILABLE).</summary>
    internal static bool IsRetryableHttp(int status) => status is 429 or 502 or 503 or 504;

    /// <summary>Whether a gRPC status code is worth retrying (OTLP specification's table).</summary>
    internal static bool IsRetryableGrpc(int status, bool hasRetryInfo) => status switch
    {
        1 or 4 or 10 or 11 or 14 or 15 => true, // CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS
        8 => hasRetryInfo, // RESOURCE_EXHAUSTED, only when the server says when to come back
        _ => false,
    };

    /// <summary>Reads <c>Retry-After</c>: seconds or an HTTP date.</summary>
    internal static TimeSpan? ReadRetryAfter(RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }
}
