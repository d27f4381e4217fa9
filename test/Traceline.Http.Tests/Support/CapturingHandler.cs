using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Traceline.Http.Tests.Support;

/// <summary>A hand-written innermost handler: records what each send carried and answers with a configurable response.</summary>
internal sealed class CapturingHandler : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> _respond;

    public CapturingHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? respond = null) =>
        _respond = respond ?? ((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)));

    public CapturingHandler(HttpStatusCode status)
        : this((_, _) => Task.FromResult(new HttpResponseMessage(status)))
    {
    }

    public ConcurrentQueue<Capture> Sends { get; } = new();

    public Capture Single => Assert.Single(Sends);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Sends.Enqueue(new Capture(
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToArray(), StringComparer.OrdinalIgnoreCase),
            Span.Current,
            Activity.Current));
        return _respond(request, cancellationToken);
    }

    protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken cancellationToken) =>
        SendAsync(request, cancellationToken).GetAwaiter().GetResult();

    internal sealed record Capture(Dictionary<string, string[]> Headers, Span? CurrentSpan, Activity? CurrentActivity)
    {
        public string[] Values(string name) => Headers.TryGetValue(name, out var values) ? values : [];

        public Traceparent Traceparent => Traceparent.Parse(Assert.Single(Values("traceparent")));
    }
}

/// <summary>A retry handler of the kind Polly builds: sends the same message again on a 5xx answer.</summary>
internal sealed class ResendingHandler(int attempts) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if ((int)response.StatusCode < 500 || attempt == attempts)
            {
                return response;
            }

            response.Dispose();
        }
    }
}
