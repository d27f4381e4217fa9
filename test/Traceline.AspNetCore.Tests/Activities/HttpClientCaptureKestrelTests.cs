using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Traceline.AspNetCore.Tests.Fakes;
using Traceline.Export;
using Traceline.Sampling;

namespace Traceline.AspNetCore.Tests.Activities;

/// <summary>
/// Every HttpClient of the process traced (<see cref="HttpClientCapture"/>): two real Kestrel services on 127.0.0.1, the
/// caller calling the callee through each kind of client, with and without ASP.NET Core's request Activity.
/// </summary>
[Collection(ProcessWideHttpCollection.Name)]
public sealed class HttpClientCaptureKestrelTests
{
    public enum ClientKind
    {
        /// <summary><c>new HttpClient()</c> in the endpoint.</summary>
        NewHttpClient,

        /// <summary><c>IHttpClientFactory.CreateClient()</c>.</summary>
        FactoryDefault,

        /// <summary>A named client without the handler.</summary>
        Named,

        /// <summary>A typed client without the handler.</summary>
        Typed,

        /// <summary>A client a library class builds for itself.</summary>
        Library,

        /// <summary>An <see cref="HttpMessageInvoker"/> straight over a <see cref="SocketsHttpHandler"/>, no HttpClient.</summary>
        Invoker,

        /// <summary>A named client with <c>AddTracingHandler()</c>: the handler's span, and no second one.</summary>
        NamedWithHandler,
    }

    public static TheoryData<ClientKind, bool> KindsAndActivity()
    {
        var data = new TheoryData<ClientKind, bool>();
        foreach (var kind in Enum.GetValues<ClientKind>())
        {
            data.Add(kind, true);
            data.Add(kind, false);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(KindsAndActivity))]
    public async Task Client_CallInEndpoint_OneClientSpanIsTheCalleesParentAndOneTraceparent(ClientKind kind, bool aspNetCoreActivity)
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity);

        var body = await CallUntracedAsync(caller, "/call/" + kind);

        // The log level decides whether ASP.NET Core starts its request Activity; the outcome must not depend on it.
        Assert.StartsWith(aspNetCoreActivity ? "activity|" : "none|", body, StringComparison.Ordinal);
        var traceparents = body.Split('|')[1..];
        var server = caller.WaitForServerSpan(s => s.Name == "GET /call/{kind}");
        var client = WaitForSingleClientSpan(caller, server);
        Assert.Equal(kind == ClientKind.NamedWithHandler ? "Traceline.Http" : HttpClientCapture.SourceName, client.Scope!.Name);
        Assert.Equal(server.Context.SpanId, client.ParentSpanId);
        Assert.True(client.Context.IsSampled);
        Assert.Equal(Propagation.TraceParentFormat.Format(client.Context), Assert.Single(traceparents));

        var calleeServer = callee.WaitForServerSpan(s => s.Name == "GET /seen");
        Assert.Equal(server.Context.TraceId, calleeServer.Context.TraceId);
        Assert.Equal(client.Context.SpanId, calleeServer.ParentSpanId);

        Assert.Equal("GET", client.Name);
        Assert.Equal("GET", Attribute(client, "http.request.method").StringValue);
        Assert.Equal("127.0.0.1", Attribute(client, "server.address").StringValue);
        Assert.Equal(callee.Address.Port, Attribute(client, "server.port").LongValue);
        Assert.Equal(200, Attribute(client, "http.response.status_code").LongValue);
        Assert.Equal("1.1", Attribute(client, "network.protocol.version").StringValue);
        Assert.StartsWith(new Uri(callee.Address, "/seen").AbsoluteUri, Attribute(client, "url.full").StringValue, StringComparison.Ordinal);
        Assert.Equal(SpanStatusCode.Unset, client.Status);
    }

    [Fact]
    public async Task Client_ErrorResponse_SpanHasStatusCodeErrorTypeAndErrorStatus()
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity: false);

        await CallUntracedAsync(caller, "/call-status/503");

        var server = caller.WaitForServerSpan(s => s.Name == "GET /call-status/{code:int}");
        var client = WaitForSingleClientSpan(caller, server);
        Assert.Equal(503, Attribute(client, "http.response.status_code").LongValue);
        Assert.Equal("503", Attribute(client, "error.type").StringValue);
        Assert.Equal(SpanStatusCode.Error, client.Status);
    }

    [Fact]
    public async Task Client_Redirected_OneSpanPerHopEachHopItsOwnTraceparent()
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity: false);

        var body = await CallUntracedAsync(caller, "/call-redirect");

        var server = caller.WaitForServerSpan(s => s.Name == "GET /call-redirect");
        Assert.True(caller.Exporter.WaitFor(spans => ClientSpans(spans, server).Length == 2, TestDefaults.Timeout), "Two client spans were expected.");
        var hops = ClientSpans(caller.Exporter.Spans, server);
        Assert.All(hops, s => Assert.Equal(server.Context.SpanId, s.ParentSpanId));
        Assert.Equal([302, 200], hops.OrderBy(s => s.StartTime).Select(s => Attribute(s, "http.response.status_code").LongValue));
        var last = hops.OrderBy(s => s.StartTime).Last();
        Assert.Equal("none|" + Propagation.TraceParentFormat.Format(last.Context), body);
        Assert.Equal(last.Context.SpanId, callee.WaitForServerSpan(s => s.Name == "GET /seen").ParentSpanId);

        // By the semantic conventions, a redirect is a resend: the second hop's span counts it, the first has none.
        var first = hops.OrderBy(s => s.StartTime).First();
        Assert.DoesNotContain(first.Attributes.ToArray(), a => a.Key == "http.request.resend_count");
        Assert.Equal(1, Attribute(last, "http.request.resend_count").LongValue);
    }

    [Fact]
    public async Task Client_RetriedByAnAppHandler_OneSpanPerAttemptResendCountedEachAttemptItsOwnTraceparent()
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity: false);

        var body = await CallUntracedAsync(caller, "/call-retry");

        var server = caller.WaitForServerSpan(s => s.Name == "GET /call-retry");
        Assert.True(caller.Exporter.WaitFor(spans => ClientSpans(spans, server).Length == 2, TestDefaults.Timeout), "Two client spans were expected.");
        var attempts = ClientSpans(caller.Exporter.Spans, server).OrderBy(s => s.StartTime).ToArray();
        Assert.All(attempts, s => Assert.Equal(server.Context.SpanId, s.ParentSpanId));
        Assert.Equal([503, 200], attempts.Select(s => Attribute(s, "http.response.status_code").LongValue));
        Assert.DoesNotContain(attempts[0].Attributes.ToArray(), a => a.Key == "http.request.resend_count");
        Assert.Equal(1, Attribute(attempts[1], "http.request.resend_count").LongValue);

        // The same message sent twice: the second send replaced the first one's header, it did not add a second.
        Assert.Equal(Propagation.TraceParentFormat.Format(attempts[1].Context), body);
        Assert.True(callee.Exporter.WaitFor(spans => spans.Count(s => s.Name == "GET /flaky") == 2, TestDefaults.Timeout));
        var calleeServers = callee.Exporter.Spans.Where(s => s.Name == "GET /flaky").OrderBy(s => s.StartTime).ToArray();
        Assert.Equal(attempts.Select(s => s.Context.SpanId), calleeServers.Select(s => s.ParentSpanId));
    }

    [Fact]
    public async Task Client_ConnectionRefused_SpanRecordsWhatTheHandlersSpanRecords()
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity: false);
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop(); // a port that was just free: connection refused

        var plainMessage = await CallUntracedAsync(caller, $"/call-refused/{port}?handler=false");
        var handlerMessage = await CallUntracedAsync(caller, $"/call-refused/{port}?handler=true");

        var plain = WaitForSingleClientSpan(caller, caller.WaitForServerSpan(s => s.Name == "GET /call-refused/{port:int}" && HasClientSpan(caller, s, HttpClientCapture.SourceName)));
        var handled = WaitForSingleClientSpan(caller, caller.WaitForServerSpan(s => s.Name == "GET /call-refused/{port:int}" && HasClientSpan(caller, s, "Traceline.Http")));
        Assert.Equal("connection_error", Attribute(plain, "error.type").StringValue);
        Assert.Equal(SpanStatusCode.Error, plain.Status);
        Assert.Equal(plainMessage, plain.StatusDescription);
        var exception = Assert.Single(plain.Events);
        Assert.Equal("exception", exception.Name);
        Assert.Contains(exception.Attributes.ToArray(), a => a.Key == "exception.type" && a.Value.StringValue == "System.Net.Http.HttpRequestException");
        Assert.Contains(exception.Attributes.ToArray(), a => a.Key == "exception.message" && a.Value.StringValue == plainMessage);

        // The same call through Traceline's handler: the same name, attributes, status and event.
        Assert.Equal(handlerMessage, plainMessage);
        Assert.Equal(handled.Name, plain.Name);
        Assert.Equal(Describe(handled.Attributes), Describe(plain.Attributes));
        Assert.Equal((handled.Status, handled.StatusDescription), (plain.Status, plain.StatusDescription));
        Assert.Equal(Describe(Assert.Single(handled.Events).Attributes, except: "exception.stacktrace"), Describe(exception.Attributes, except: "exception.stacktrace"));
    }

    [Fact]
    public async Task Client_SameCallAsTheHandler_SameNameAttributesAndRedactedUrl()
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity: true);

        await CallUntracedAsync(caller, "/call-query?handler=false");
        await CallUntracedAsync(caller, "/call-query?handler=true");

        var plain = WaitForSingleClientSpan(caller, caller.WaitForServerSpan(s => s.Name == "GET /call-query" && HasClientSpan(caller, s, HttpClientCapture.SourceName)));
        var handled = WaitForSingleClientSpan(caller, caller.WaitForServerSpan(s => s.Name == "GET /call-query" && HasClientSpan(caller, s, "Traceline.Http")));

        // Traceline's redaction (the sensitive key's value), not the runtime's (the whole query string).
        Assert.Equal(new Uri(callee.Address, "/seen?sig=REDACTED&page=1").AbsoluteUri, Attribute(plain, "url.full").StringValue);
        Assert.Equal(handled.Name, plain.Name);
        Assert.Equal(Describe(handled.Attributes), Describe(plain.Attributes));
        Assert.Equal(handled.Status, plain.Status);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task OptOut_PlainClient_NoClientSpanNoTraceparentCalleeStartsItsOwnTrace(bool aspNetCoreActivity)
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity, allClients: false);

        var body = await CallUntracedAsync(caller, "/call/" + ClientKind.NewHttpClient);

        // With the request Activity, the runtime alone would have sent a traceparent naming an Activity nobody exports.
        Assert.Equal(aspNetCoreActivity ? "activity|" : "none|", body);
        var server = caller.WaitForServerSpan(s => s.Name == "GET /call/{kind}");
        var calleeServer = callee.WaitForServerSpan(s => s.Name == "GET /seen");
        Assert.False(calleeServer.ParentSpanId.IsValid);
        Assert.NotEqual(server.Context.TraceId, calleeServer.Context.TraceId);
        Assert.Empty(ClientSpans(caller.Exporter.Spans, server));
    }

    [Fact]
    public async Task OptOut_ClientWithHandler_StillTracedByTheHandler()
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity: true, allClients: false);

        var body = await CallUntracedAsync(caller, "/call/" + ClientKind.NamedWithHandler);

        var server = caller.WaitForServerSpan(s => s.Name == "GET /call/{kind}");
        var client = WaitForSingleClientSpan(caller, server);
        Assert.Equal("Traceline.Http", client.Scope!.Name);
        Assert.Equal("activity|" + Propagation.TraceParentFormat.Format(client.Context), body);
    }

    [Fact]
    public async Task Suppressed_CallInEndpoint_NoClientSpanNoTraceparent()
    {
        await using var callee = await StartCalleeAsync();
        await using var caller = await StartCallerAsync(callee.Address, aspNetCoreActivity: true);

        var body = await CallUntracedAsync(caller, "/call-suppressed");

        Assert.Equal("activity|", body);
        var server = caller.WaitForServerSpan(s => s.Name == "GET /call-suppressed");
        Assert.False(callee.WaitForServerSpan(s => s.Name == "GET /seen").ParentSpanId.IsValid);
        Assert.Empty(ClientSpans(caller.Exporter.Spans, server));
    }

    [Fact]
    public async Task NoCurrentSpan_SamplerKeepsIt_RootClientSpanIsTheCalleesParent()
    {
        await using var callee = await StartCalleeAsync(allClients: false); // the only listener is the provider below
        var exporter = new InMemorySpanExporter();
        using var provider = TracerProvider.Create(t => t.UseInMemoryExporter(exporter));
        using var http = new HttpClient();

        var seen = await http.GetStringAsync(new Uri(callee.Address, "/seen"));

        Assert.True(exporter.WaitFor(spans => spans.Any(s => s.Kind == SpanKind.Client), TestDefaults.Timeout));
        var root = Assert.Single(exporter.Spans, s => s.Kind == SpanKind.Client);
        Assert.False(root.ParentSpanId.IsValid);
        Assert.Equal(Propagation.TraceParentFormat.Format(root.Context), seen);
        Assert.Equal(root.Context.SpanId, callee.WaitForServerSpan(s => s.Name == "GET /seen").ParentSpanId);
    }

    [Fact]
    public async Task NoCurrentSpan_SamplerDrops_NoSpanAndTheHeaderSaysNotSampled()
    {
        await using var callee = await StartCalleeAsync(allClients: false);
        var exporter = new InMemorySpanExporter();
        using var provider = TracerProvider.Create(t => t.UseInMemoryExporter(exporter).WithSampler(Sampler.AlwaysOff));
        using var http = new HttpClient();

        var seen = await http.GetStringAsync(new Uri(callee.Address, "/seen"));
        using (Tracing.Suppress())
        {
            await http.GetStringAsync(new Uri(callee.Address, "/users/1")); // an untraced request after, to know the callee exported
        }

        // The callee follows the caller's decision: it exports nothing that names the unexported span.
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[02]$", seen); // sampled bit off (random bit as generated)
        callee.WaitForServerSpan(s => s.Name == "GET /users/{id}");
        Assert.DoesNotContain(callee.Exporter.Spans, s => s.Name == "GET /seen");
        Assert.Empty(exporter.Spans);
    }

    [Theory]
    [InlineData(ActivitySamplingResult.PropagationData, false)]
    [InlineData(ActivitySamplingResult.AllData, true)]
    public async Task NoCurrentSpan_SamplerDrops_RuntimeTagsTheResponseOnlyForAListenerThatAskedForIt(ActivitySamplingResult probeAsks, bool tagged)
    {
        await using var callee = await StartCalleeAsync(allClients: false);
        using var provider = TracerProvider.Create(t => t.UseInMemoryExporter(new InMemorySpanExporter()).WithSampler(Sampler.AlwaysOff));
        var stopped = new ConcurrentQueue<Activity>();
        using var probe = new ActivityListener
        {
            ShouldListenTo = static source => source.Name == HttpClientCapture.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => probeAsks,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(probe);
        using var http = new HttpClient();

        await http.GetStringAsync(new Uri(callee.Address, "/seen"));

        // A span that records nothing needs no response tags (120 B); one asked for by someone else stays.
        var activity = Assert.Single(stopped);
        Assert.Equal(tagged, activity.IsAllDataRequested);
        Assert.Equal(tagged, activity.GetTagItem("http.response.status_code") is not null);
    }

    [Fact]
    public async Task ProviderDisposed_Call_SucceedsUntracedWithoutHeader()
    {
        await using var callee = await StartCalleeAsync(allClients: false);
        var exporter = new InMemorySpanExporter();
        var provider = TracerProvider.Create(t => t.UseInMemoryExporter(exporter));
        var tracer = provider.GetTracer("test");
        using var http = new HttpClient();
        using var span = tracer.StartSpan("work");
        provider.Dispose();

        var seen = await http.GetStringAsync(new Uri(callee.Address, "/seen"));

        Assert.DoesNotContain(exporter.Spans, s => s.Kind == SpanKind.Client);
        Assert.Equal(string.Empty, seen); // the callee's provider is still there: no runtime header either
    }

    private static Task<KestrelApp> StartCalleeAsync(bool allClients = true) => KestrelApp.StartAsync(new KestrelAppSetup
    {
        Tracing = t => t.TraceAllHttpClients(allClients),
        AfterTracing = app =>
        {
            app.MapGet("/seen", (HttpContext context) => string.Join("|", context.Request.Headers["traceparent"].ToArray()));
            app.MapGet("/redirect", () => Results.Redirect("/seen"));

            // 503 for the first call, 200 after: the traceparents each call brought, in the body.
            var flakyCalls = 0;
            app.MapGet("/flaky", (HttpContext context) => Results.Text(
                string.Join("|", context.Request.Headers["traceparent"].ToArray()),
                statusCode: Interlocked.Increment(ref flakyCalls) == 1 ? 503 : 200));
        },
    });

    private static Task<KestrelApp> StartCallerAsync(Uri callee, bool aspNetCoreActivity, bool allClients = true) => KestrelApp.StartAsync(new KestrelAppSetup
    {
        Tracing = t => t.TraceAllHttpClients(allClients),
        Logs = aspNetCoreActivity ? new CapturingLoggerProvider() : null,

        // No diagnostic subscription either: without a logger, ASP.NET Core then starts no request Activity at all.
        Middleware = o => o.RecordHandledExceptions = false,
        Services = services =>
        {
            services.AddHttpClient();
            services.AddHttpClient("named", c => c.BaseAddress = callee);
            services.AddHttpClient("traced", c => c.BaseAddress = callee).AddTracingHandler();
            services.AddHttpClient<TypedCallee>(c => c.BaseAddress = callee);
            services.AddSingleton(_ => new LibraryClient(callee));
        },
        AfterTracing = app =>
        {
            app.MapGet("/call/{kind}", async (ClientKind kind, IServiceProvider services) =>
            {
                var activity = Activity.Current is null ? "none" : "activity";
                return activity + "|" + await CallAsync(kind, callee, services);
            });
            app.MapGet("/call-status/{code:int}", async (int code, IHttpClientFactory clients) =>
            {
                using var response = await clients.CreateClient().GetAsync(new Uri(callee, "/status/" + code));
                return (int)response.StatusCode;
            });
            app.MapGet("/call-redirect", async (IHttpClientFactory clients) =>
                "none|" + await clients.CreateClient().GetStringAsync(new Uri(callee, "/redirect")));
            app.MapGet("/call-retry", async () =>
            {
                using var http = new HttpClient(new RetryOnceHandler { InnerHandler = new SocketsHttpHandler() });
                return await http.GetStringAsync(new Uri(callee, "/flaky"));
            });
            app.MapGet("/call-refused/{port:int}", async (int port, bool handler, IHttpClientFactory clients) =>
            {
                var http = clients.CreateClient(handler ? "traced" : "named");
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/refused"));
                    return "answered";
                }
                catch (HttpRequestException ex)
                {
                    return ex.Message;
                }
            });
            app.MapGet("/call-query", async (bool handler, IHttpClientFactory clients) =>
                await clients.CreateClient(handler ? "traced" : "named").GetStringAsync("/seen?sig=secret&page=1"));
            app.MapGet("/call-suppressed", async (IHttpClientFactory clients) =>
            {
                var activity = Activity.Current is null ? "none" : "activity";
                using (Tracing.Suppress())
                {
                    return activity + "|" + await clients.CreateClient().GetStringAsync(new Uri(callee, "/seen"));
                }
            });
        },
    });

    private static async Task<string> CallAsync(ClientKind kind, Uri callee, IServiceProvider services)
    {
        var seen = new Uri(callee, "/seen");
        var clients = services.GetRequiredService<IHttpClientFactory>();
        switch (kind)
        {
            case ClientKind.NewHttpClient:
                using (var http = new HttpClient())
                {
                    return await http.GetStringAsync(seen);
                }

            case ClientKind.FactoryDefault:
                return await clients.CreateClient().GetStringAsync(seen);
            case ClientKind.Named:
                return await clients.CreateClient("named").GetStringAsync("/seen");
            case ClientKind.Typed:
                return await services.GetRequiredService<TypedCallee>().SeenAsync();
            case ClientKind.Library:
                return await services.GetRequiredService<LibraryClient>().SeenAsync();
            case ClientKind.Invoker:
                using (var invoker = new HttpMessageInvoker(new SocketsHttpHandler()))
                using (var request = new HttpRequestMessage(HttpMethod.Get, seen))
                using (var response = await invoker.SendAsync(request, CancellationToken.None))
                {
                    return await response.Content.ReadAsStringAsync();
                }

            default:
                return await clients.CreateClient("traced").GetStringAsync("/seen");
        }
    }

    /// <summary>The test's own call, never traced, so that the caller's server span is a root.</summary>
    private static async Task<string> CallUntracedAsync(KestrelApp app, string path)
    {
        using var http = new HttpClient { BaseAddress = app.Address };
        using (Tracing.Suppress())
        {
            return await http.GetStringAsync(path);
        }
    }

    private static Span WaitForSingleClientSpan(KestrelApp app, Span server)
    {
        Assert.True(app.Exporter.WaitFor(spans => ClientSpans(spans, server).Length > 0, TestDefaults.Timeout), "No client span was exported.");
        return Assert.Single(ClientSpans(app.Exporter.Spans, server));
    }

    private static Span[] ClientSpans(IReadOnlyList<Span> spans, Span server) =>
        [.. spans.Where(s => s.Kind == SpanKind.Client && s.Context.TraceId == server.Context.TraceId)];

    private static bool HasClientSpan(KestrelApp app, Span server, string scope) =>
        ClientSpans(app.Exporter.Spans, server).Any(s => s.Scope!.Name == scope);

    /// <summary>The attributes as sorted <c>key=value</c> lines, to compare two spans' whole sets.</summary>
    private static string Describe(ReadOnlySpan<SpanAttribute> attributes, string? except = null)
    {
        var lines = new List<string>();
        foreach (var attribute in attributes)
        {
            if (attribute.Key != except)
            {
                lines.Add(attribute.Key + "=" + attribute.Value);
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines);
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

        throw new Xunit.Sdk.XunitException($"The span {span.Name} has no attribute {key}.");
    }

    /// <summary>An app's retry handler: the same message sent again after a 503.</summary>
    private sealed class RetryOnceHandler : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (response.StatusCode != System.Net.HttpStatusCode.ServiceUnavailable)
            {
                return response;
            }

            response.Dispose();
            return await base.SendAsync(request, cancellationToken);
        }
    }

    /// <summary>A typed client without the handler.</summary>
    public sealed class TypedCallee(HttpClient http)
    {
        public Task<string> SeenAsync() => http.GetStringAsync("/seen");
    }

    /// <summary>A library that builds its own client, out of the app's reach.</summary>
    public sealed class LibraryClient(Uri address) : IDisposable
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler()) { BaseAddress = address };

        public Task<string> SeenAsync() => _http.GetStringAsync("/seen");

        public void Dispose() => _http.Dispose();
    }
}
