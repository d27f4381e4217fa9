using System.Diagnostics;

namespace Traceline;

/// <summary>
/// The process's <see cref="DistributedContextPropagator.Current"/> while Traceline is in it: the runtime's
/// HttpClient instrumentation asks it to write a request's trace headers, and it writes those of the Traceline span
/// made from the request's Activity (see <see cref="HttpClientCapture"/>), or none at all. An Activity that is no
/// Traceline span (the option is off, tracing is suppressed, Traceline's handler already sent the request's header)
/// would name a parent that nobody exports.
/// </summary>
/// <remarks>
/// Installed once, by the first provider; every <see cref="SocketsHttpHandler"/> created afterwards reads it (a
/// handler keeps the propagator that was current when it was created). Other carriers, extraction, and every request
/// once no provider is left go to the propagator that was current before, unchanged.
/// </remarks>
internal sealed class HttpClientPropagator : DistributedContextPropagator
{
    private static readonly Lock Gate = new();
    private static int s_providers;
    private static HttpClientPropagator? s_installed;

    private readonly DistributedContextPropagator _inner;

    private HttpClientPropagator(DistributedContextPropagator inner) => _inner = inner;

    /// <summary>Gets no field: the runtime strips a propagator's fields from a redirected request before each hop.</summary>
    /// <remarks>
    /// Traceline rewrites its own fields on every send, and needs to see them on the next hop: a header it wrote is how
    /// it knows the request was sent before (<c>http.request.resend_count</c>). A header of Traceline's handler stays
    /// on every hop as well, naming the handler's span, which covers them all.
    /// </remarks>
    public override IReadOnlyCollection<string> Fields => [];

    /// <summary>Counts a provider in, installing the propagator the first time.</summary>
    public static void Register()
    {
        Interlocked.Increment(ref s_providers);
        if (Volatile.Read(ref s_installed) is null)
        {
            lock (Gate) // once per process, at startup
            {
                if (s_installed is null)
                {
                    var propagator = new HttpClientPropagator(Current);
                    Current = propagator;
                    Volatile.Write(ref s_installed, propagator);
                }
            }
        }
    }

    /// <summary>Counts a provider out: with none left, requests get the previous propagator's headers again.</summary>
    public static void Unregister() => Interlocked.Decrement(ref s_providers);

    /// <inheritdoc/>
    public override void Inject(Activity? activity, object? carrier, PropagatorSetterCallback? setter)
    {
        if (carrier is HttpRequestMessage request && Volatile.Read(ref s_providers) > 0)
        {
            HttpClientCapture.TryInject(activity, request);
            return;
        }

        _inner.Inject(activity, carrier, setter);
    }

    /// <inheritdoc/>
    public override void ExtractTraceIdAndState(object? carrier, PropagatorGetterCallback? getter, out string? traceId, out string? traceState) =>
        _inner.ExtractTraceIdAndState(carrier, getter, out traceId, out traceState);

    /// <inheritdoc/>
    public override IEnumerable<KeyValuePair<string, string?>>? ExtractBaggage(object? carrier, PropagatorGetterCallback? getter) =>
        _inner.ExtractBaggage(carrier, getter);
}
