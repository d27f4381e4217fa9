using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Traceline.AspNetCore.Tests.Fakes;

namespace Traceline.AspNetCore.Tests.Internal;

/// <summary>The server-span middleware behind real Kestrel on 127.0.0.1, called by a real HttpClient.</summary>
public sealed class TracingMiddlewareKestrelTests
{
    [Fact]
    public async Task Kestrel_W3CSpecificationExample_ServerSpanInCallersTrace()
    {
        await using var app = await KestrelApp.StartAsync();
        using var client = new HttpClient { BaseAddress = app.Address };

        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/5");
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", span.Context.TraceId.ToString());
        Assert.Equal("00f067aa0ba902b7", span.ParentSpanId.ToString());
        Assert.Equal("GET /users/{id}", span.Name);
        Assert.Equal("127.0.0.1", Attribute(span, "client.address").StringValue);
        Assert.Equal("127.0.0.1", Attribute(span, "server.address").StringValue);
        Assert.Equal(app.Address.Port, Attribute(span, "server.port").LongValue);
        Assert.Equal("1.1", Attribute(span, "network.protocol.version").StringValue);
    }

    [Fact]
    public async Task Kestrel_Http2_SameSpanAsHttp11()
    {
        await using var app = await KestrelApp.StartAsync(HttpProtocols.Http2);
        using var client = new HttpClient { BaseAddress = app.Address };

        // Cleartext HTTP/2 needs prior knowledge: exactly version 2.0, no upgrade.
        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/5?sig=secret")
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        request.Headers.Add("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();

        Assert.Equal(HttpVersion.Version20, response.Version);
        var span = app.WaitForServerSpan();
        Assert.Equal("4bf92f3577b34da6a3ce929d0e0e4736", span.Context.TraceId.ToString());
        Assert.Equal("00f067aa0ba902b7", span.ParentSpanId.ToString());
        Assert.Equal("GET /users/{id}", span.Name);
        Assert.Equal("2", Attribute(span, "network.protocol.version").StringValue);
        Assert.Equal("sig=REDACTED", Attribute(span, "url.query").StringValue);
    }

    [Fact]
    public async Task Kestrel_ClientAbortsRequest_MarkedNotServerError()
    {
        await using var app = await KestrelApp.StartAsync();
        using var client = new HttpClient { BaseAddress = app.Address };
        using var cancel = new CancellationTokenSource();

        var call = client.GetAsync("/slow", cancel.Token);
        await app.Ready.Arrived.Task.WaitAsync(TestDefaults.Timeout);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        var span = app.WaitForServerSpan();
        Assert.Equal("GET /slow", span.Name);
        Assert.Equal("aborted", Attribute(span, "error.type").StringValue);
        Assert.Equal(SpanStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task Kestrel_RequestsOnOneConnection_DoNotShareCurrentSpan()
    {
        await using var app = await KestrelApp.StartAsync();
        using var client = app.CreateClient();

        // Keep-alive: the second request runs on the same connection; it must start a new root, not nest.
        for (var i = 0; i < 3; i++)
        {
            (await client.GetAsync("/users/" + i)).EnsureSuccessStatusCode();
        }

        Assert.True(app.Exporter.WaitFor(spans => spans.Count == 3, TestDefaults.Timeout));
        Assert.All(app.Exporter.Spans, s => Assert.False(s.ParentSpanId.IsValid));
        Assert.Equal(3, app.Exporter.Spans.Select(s => s.Context.TraceId).Distinct().Count());
    }

    private static AttributeValue Attribute(Span span, string key)
    {
        foreach (var attribute in span.Attributes)
        {
            if (attribute.Key == key)
            {
                return attribute.Value;
            }
        }

        return default;
    }
}
