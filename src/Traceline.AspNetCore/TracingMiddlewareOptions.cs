using Microsoft.AspNetCore.Http;

namespace Traceline.AspNetCore;

/// <summary>
/// Options of the server-span middleware that <c>app.UseTracing()</c> adds: which requests are traced, whether an
/// inbound trace context is trusted, what is recorded, and how spans are enriched.
/// </summary>
/// <remarks>
/// <para>
/// Configure them with <c>services.Configure&lt;TracingMiddlewareOptions&gt;(...)</c> or the callback of
/// <c>app.UseTracing(o =&gt; ...)</c> (applied last). The middleware reads the options once, when the pipeline is
/// built; later changes are not seen.
/// </para>
/// <para>
/// Callbacks run on the request path: keep them fast. An exception thrown by a callback is reported through the
/// <c>Traceline</c> diagnostics (EventSource and ILogger) and never reaches the request.
/// </para>
/// </remarks>
public sealed class TracingMiddlewareOptions
{
    /// <summary>
    /// Gets or sets which requests get a server span: return <see langword="false"/> to skip one (for example health
    /// checks). A skipped request has no span and propagates nothing of its own. Default <see langword="null"/>: every
    /// request is traced. A filter that throws is reported and the request is traced.
    /// </summary>
    public Func<HttpContext, bool>? Filter { get; set; }

    /// <summary>
    /// Gets or sets whether an exception that middleware inside the span handled (<c>UseExceptionHandler</c>, an
    /// <c>IExceptionHandler</c>, the developer exception page) is recorded on the server span: an <c>exception</c>
    /// event, <c>error.type</c> set to its full type name, the error status, and the span named by the endpoint that
    /// threw rather than by the error page. Default <see langword="true"/>. An exception thrown out of the pipeline is
    /// recorded either way.
    /// </summary>
    /// <remarks>Read for 4xx and 5xx responses only: a handler that answers an exception with 2xx or 3xx reports no failure.</remarks>
    public bool RecordHandledExceptions { get; set; } = true;

    /// <summary>
    /// Gets or sets whether the trace context and baggage a caller sent are trusted. Trusted (the default, when this
    /// is <see langword="null"/> or returns <see langword="true"/>): the server span continues the caller's trace and
    /// the caller's baggage becomes <see cref="Propagation.Baggage.Current"/>. Untrusted: the server span starts a new
    /// trace with a link to the caller's context, the caller's sampled flag does not influence sampling, and its
    /// baggage is dropped. A predicate that throws is reported and the request is treated as untrusted.
    /// </summary>
    /// <remarks>Asked only when the request carries a context. Combined with <see cref="UntrustedPaths"/>: both must trust a request.</remarks>
    public Func<HttpContext, bool>? TrustInboundContext { get; set; }

    /// <summary>
    /// Gets the path prefixes (for example <c>/public</c>) whose inbound trace context is not trusted, as if
    /// <see cref="TrustInboundContext"/> returned <see langword="false"/> for them. Matched by
    /// <see cref="PathString.StartsWithSegments(PathString)"/> (whole segments, case-insensitive). Default: empty.
    /// </summary>
    public IList<PathString> UntrustedPaths { get; } = [];

    /// <summary>
    /// Gets query-string keys whose values are replaced by <c>REDACTED</c> in <c>url.query</c>, in addition to the
    /// keys the OpenTelemetry semantic conventions name as sensitive (<c>AWSAccessKeyId</c>, <c>Signature</c>,
    /// <c>sig</c>, <c>X-Goog-Signature</c>, <c>X-Amz-Signature</c>, <c>X-Amz-Credential</c>,
    /// <c>X-Amz-Security-Token</c>), which are always redacted. Keys compare case-insensitively. Default: empty.
    /// </summary>
    public IList<string> RedactedQueryKeys { get; } = [];

    /// <summary>
    /// Gets the request headers recorded as <c>http.request.header.&lt;name&gt;</c> attributes (lowercase name, every
    /// value as a string array). Default: empty; headers are recorded only when listed, since they may hold secrets.
    /// </summary>
    public IList<string> RecordedRequestHeaders { get; } = [];

    /// <summary>
    /// Gets the response headers recorded as <c>http.response.header.&lt;name&gt;</c> attributes (lowercase name,
    /// every value as a string array). Default: empty.
    /// </summary>
    public IList<string> RecordedResponseHeaders { get; } = [];

    /// <summary>
    /// Gets or sets a callback that adds to the server span when the request starts, after the standard attributes.
    /// It runs only for recording spans. Default <see langword="null"/>.
    /// </summary>
    public Action<Span, HttpRequest>? EnrichWithRequest { get; set; }

    /// <summary>
    /// Gets or sets a callback that adds to the server span after the rest of the pipeline ran, before the span
    /// ends. It runs only for recording spans. Default <see langword="null"/>.
    /// </summary>
    public Action<Span, HttpResponse>? EnrichWithResponse { get; set; }

    /// <summary>
    /// Gets or sets whether responses carry a W3C <c>traceresponse</c> header
    /// (<c>00-{trace-id}-{span-id}-{flags}</c> of the server span), so a caller can find its trace. Default
    /// <see langword="false"/>: it tells callers your trace ids.
    /// </summary>
    public bool EmitTraceResponse { get; set; }
}
