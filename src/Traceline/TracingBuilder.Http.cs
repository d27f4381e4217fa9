namespace Traceline;

/// <summary>Tracing the calls of every HttpClient in the process.</summary>
public sealed partial class TracingBuilder
{
    private bool? _allHttpClients;

    /// <summary>
    /// Says whether every HttpClient call of the process gets a client span, not only those through Traceline's
    /// handler (<c>AddTracingHandler()</c>, <c>TracingHandler</c>). Default: <see langword="true"/>; also
    /// <c>Tracing:Http:AllClients</c>.
    /// </summary>
    /// <param name="enabled">
    /// <see langword="true"/> to trace every client (<c>new HttpClient()</c>, factory clients without the handler,
    /// clients that libraries build for themselves); <see langword="false"/> to trace only clients with the handler.
    /// </param>
    /// <returns>This builder.</returns>
    /// <remarks>
    /// <para>
    /// Built on the runtime's own instrumentation point: the provider listens to the <c>System.Net.Http</c>
    /// ActivitySource that <c>SocketsHttpHandler</c> starts an Activity from for each request it sends (each redirect
    /// too), turns that Activity into a client span with the name, attributes, <c>url.full</c> redaction, resend count
    /// and exception event of Traceline's handler, and writes the span's context into the request with the provider's
    /// propagator. A request through Traceline's handler keeps the handler's span and header only.
    /// </para>
    /// <para>
    /// Either way, while a provider exists, the runtime writes no trace header of its own: with this off, a client
    /// without the handler sends no <c>traceparent</c>, so the next service starts a new trace rather than naming a
    /// parent nobody exported. Requests inside <see cref="Tracing.Suppress"/> carry no trace header either.
    /// </para>
    /// </remarks>
    public TracingBuilder TraceAllHttpClients(bool enabled = true)
    {
        _allHttpClients = enabled;
        return this;
    }
}
