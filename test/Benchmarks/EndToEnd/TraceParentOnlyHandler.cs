namespace Traceline.Benchmarks.EndToEnd;

/// <summary>
/// The <see cref="EndToEndMode.Headers"/> mode's only work: a fresh, valid W3C <c>traceparent</c> on every outbound
/// request, written the way a tracer writes it (new random ids, one string per request, replacing any header already
/// there), and no span.
/// </summary>
internal sealed class TraceParentOnlyHandler : DelegatingHandler
{
    private const string Name = "traceparent";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var value = string.Create(55, (TraceId.CreateRandom(), SpanId.CreateRandom()), static (chars, ids) =>
        {
            "00-".CopyTo(chars);
            ids.Item1.TryFormat(chars[3..], out _);
            chars[35] = '-';
            ids.Item2.TryFormat(chars[36..], out _);
            "-01".CopyTo(chars[52..]);
        });
        request.Headers.Remove(Name);
        request.Headers.TryAddWithoutValidation(Name, value);
        return base.SendAsync(request, cancellationToken);
    }
}
