namespace Traceline.Cli.Tests.Services;

/// <summary>
/// Stands in for a client that some other library traces: it sends a <c>traceparent</c> of the current trace with a
/// parent span id of its own that no Traceline service records. Placed last before the socket, it has the final word
/// even if an outer handler injected a header.
/// </summary>
internal sealed class OwnTraceParentHandler(TraceId traceId) : DelegatingHandler(LoggedService.UntracedHandler())
{
    public SpanId SentParent { get; } = SpanId.CreateRandom();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove("traceparent");
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{SentParent}-01");
        return base.SendAsync(request, cancellationToken);
    }
}
