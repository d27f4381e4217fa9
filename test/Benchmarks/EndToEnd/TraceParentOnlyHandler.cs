using Traceline.Propagation;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>
/// The <see cref="EndToEndMode.Headers"/> mode's only work: a fresh, valid W3C <c>traceparent</c> on every outbound
/// request, written the way a tracer writes it (new random ids, one string per request, replacing any header already
/// there), and no span.
/// </summary>
internal sealed class TraceParentOnlyHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var value = TraceParentFormat.Format(new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled));
        request.Headers.Remove(TraceContextPropagator.TraceParentHeader);
        request.Headers.TryAddWithoutValidation(TraceContextPropagator.TraceParentHeader, value);
        return base.SendAsync(request, cancellationToken);
    }
}
