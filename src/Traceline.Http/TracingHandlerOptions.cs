namespace Traceline.Http;

/// <summary>Options of <see cref="TracingHandler"/>: which requests are traced, what is added to their spans, and which query values are hidden.</summary>
/// <remarks>
/// The handler reads the options once, when it is created; later changes do not reach a handler that already exists.
/// Callbacks run on the request's thread, inside the request: keep them fast. A callback that throws is reported
/// through the <c>Traceline</c> diagnostics and ignored, and the request goes on.
/// </remarks>
public sealed class TracingHandlerOptions
{
    /// <summary>
    /// Gets or sets a predicate that says whether a request is traced. A request for which it returns
    /// <see langword="false"/> gets no span and carries no trace headers of Traceline's own. Default
    /// <see langword="null"/>: every request is traced.
    /// </summary>
    /// <remarks>A filter that throws counts as <see langword="true"/> (the request is traced).</remarks>
    public Func<HttpRequestMessage, bool>? Filter { get; set; }

    /// <summary>Gets or sets a callback that adds to the client span once it started, before the request is sent. Default <see langword="null"/>.</summary>
    /// <remarks>Called for recording spans only.</remarks>
    public Action<Span, HttpRequestMessage>? EnrichWithRequest { get; set; }

    /// <summary>Gets or sets a callback that adds to the client span when the response arrived, before the span ends. Default <see langword="null"/>.</summary>
    /// <remarks>Called for recording spans only.</remarks>
    public Action<Span, HttpResponseMessage>? EnrichWithResponse { get; set; }

    /// <summary>Gets or sets a callback that adds to the client span when sending failed, before the span ends. Default <see langword="null"/>.</summary>
    /// <remarks>Called for recording spans only. The exception is rethrown unchanged afterwards.</remarks>
    public Action<Span, Exception>? EnrichWithException { get; set; }

    /// <summary>
    /// Gets the query-string keys whose values are replaced with <c>REDACTED</c> in <c>url.full</c>, in addition to
    /// the keys the OpenTelemetry conventions name (<c>AWSAccessKeyId</c>, <c>Signature</c>, <c>sig</c>,
    /// <c>X-Goog-Signature</c>, <c>X-Amz-Signature</c>, <c>X-Amz-Credential</c>, <c>X-Amz-Security-Token</c>).
    /// Compared without regard to case. Default: empty.
    /// </summary>
    public IList<string> RedactedQueryKeys { get; } = [];

    /// <summary>
    /// Gets or sets whether <c>AddTracingHandler</c> leaves the runtime's own per-request instrumentation in the
    /// client's <see cref="SocketsHttpHandler"/>: its <c>System.Net.Http</c> Activity and its
    /// <c>HttpHandlerDiagnosticListener</c> events. Default <see langword="false"/>: the handler's span covers each
    /// request, so that instrumentation is taken out (<see cref="SocketsHttpHandler.ActivityHeadersPropagator"/> set to
    /// <see langword="null"/>), which saves an Activity check and an async stage on every request. Set it when another
    /// listener of those events must still see this client's requests.
    /// </summary>
    /// <remarks>
    /// Applies to clients of <c>IHttpClientFactory</c> whose primary handler is a <see cref="SocketsHttpHandler"/> that
    /// has not sent yet (the factory's default). A handler built by hand keeps its inner handler as it was given.
    /// </remarks>
    public bool KeepRuntimeInstrumentation { get; set; }
}
