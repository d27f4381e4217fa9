using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Traceline.AspNetCore.Tests.Fakes;
using Traceline.Export;
using Traceline.Sampling;

namespace Traceline.AspNetCore.Tests.Internal;

/// <summary>The server-span middleware in process, through WebApplicationFactory (TestServer).</summary>
public sealed class TracingMiddlewareTests
{
    private const string W3CExampleTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string W3CExampleParentId = "00f067aa0ba902b7";
    private const string W3CExampleTraceparent = "00-" + W3CExampleTraceId + "-" + W3CExampleParentId + "-01";

    [Fact]
    public async Task Request_ValidTraceparent_ContinuesCallersTrace()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/1");
        request.Headers.Add("traceparent", W3CExampleTraceparent);
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        Assert.Equal(W3CExampleTraceId, span.Context.TraceId.ToString());
        Assert.Equal(W3CExampleParentId, span.ParentSpanId.ToString());
        Assert.True(span.Parent.IsRemote);
        Assert.Equal(SpanKind.Server, span.Kind);
        Assert.True(span.Context.IsSampled);
    }

    [Theory]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", "trace-id one character short (wrong length)")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011", "version 00 must be exactly 55 characters")]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "ids are lowercase hex")]
    [InlineData("00-00000000000000000000000000000000-00f067aa0ba902b7-01", "all-zero trace-id is invalid")]
    [InlineData("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", "all-zero parent-id is invalid")]
    [InlineData("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "version ff is forbidden")]
    [InlineData("garbage", "not a traceparent at all")]
    public async Task Request_InvalidTraceparent_StartsNewRoot(string traceparent, string rule)
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/1");
        request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        Assert.False(span.ParentSpanId.IsValid, rule);
        Assert.NotEqual(W3CExampleTraceId, span.Context.TraceId.ToString());
        Assert.True(span.Context.TraceId.IsValid, rule);
    }

    [Fact]
    public async Task Request_UnsampledParentUnderParentBased_NonRecordingButPropagates()
    {
        using var app = new TracingAppFactory
        {
            Tracing = t => t.WithSampler(Sampler.ParentBased(Sampler.AlwaysOn)),
            Middleware = o => o.EmitTraceResponse = true,
        };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/current");
        request.Headers.Add("traceparent", "00-" + W3CExampleTraceId + "-" + W3CExampleParentId + "-00");
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        // The endpoint saw a current span in the caller's trace, not recording; the response names the same trace.
        Assert.StartsWith(W3CExampleTraceId + "-", body, StringComparison.Ordinal);
        Assert.EndsWith("-00 False", body, StringComparison.Ordinal);
        var traceResponse = Assert.Single(response.Headers.GetValues("traceresponse"));
        Assert.StartsWith("00-" + W3CExampleTraceId + "-", traceResponse, StringComparison.Ordinal);
        Assert.EndsWith("-00", traceResponse, StringComparison.Ordinal);

        // Nothing was exported for it: prove it by waiting for a later, sampled request's span.
        using var sampled = new HttpRequestMessage(HttpMethod.Get, "/users/2");
        sampled.Headers.Add("traceparent", W3CExampleTraceparent);
        (await client.SendAsync(sampled)).EnsureSuccessStatusCode();
        app.WaitForServerSpan(s => s.Attributes.ToArray().Any(a => a.Key == "url.path" && a.Value.StringValue == "/users/2"));
        Assert.Single(app.Exporter.Spans);
    }

    [Fact]
    public async Task Requests_RoutesAndMethodsInTurn_EachSpanNamedByItsOwn()
    {
        // The middleware keeps the last route's names at hand: a different route or method must never get them.
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();
        (string Method, string Path, string Name)[] requests =
        [
            ("GET", "/users/1", "GET /users/{id}"),
            ("GET", "/users/2", "GET /users/{id}"),
            ("GET", "/status/200", "GET /status/{code:int}"),
            ("FOO", "/custom", "HTTP /custom"), // an unknown method is named HTTP (semantic conventions)
            ("GET", "/users/3", "GET /users/{id}"),
            ("GET", "/status/201", "GET /status/{code:int}"),
        ];

        foreach (var (method, path, name) in requests)
        {
            (await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path))).EnsureSuccessStatusCode();
            Assert.Equal(name, app.WaitForServerSpan(s => s.Attributes.ToArray().Any(a => a.Key == "url.path" && a.Value.StringValue == path)).Name);
        }
    }

    [Fact]
    public async Task Request_TemplatedRoute_NamedByRouteWithStandardAttributes()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("tests/1.0");

        (await client.GetAsync("/users/42?x=1")).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        Assert.Equal("GET /users/{id}", span.Name);
        Assert.Equal("GET", Attribute(span, "http.request.method").StringValue);
        Assert.Equal("/users/{id}", Attribute(span, "http.route").StringValue);
        Assert.Equal("/users/42", Attribute(span, "url.path").StringValue);
        Assert.Equal("x=1", Attribute(span, "url.query").StringValue);
        Assert.Equal("http", Attribute(span, "url.scheme").StringValue);
        Assert.Equal("localhost", Attribute(span, "server.address").StringValue);
        Assert.Equal("1.1", Attribute(span, "network.protocol.version").StringValue);
        Assert.Equal("tests/1.0", Attribute(span, "user_agent.original").StringValue);
        Assert.Equal(200, Attribute(span, "http.response.status_code").LongValue);
        Assert.Equal(SpanStatusCode.Unset, span.Status);
        Assert.True(Attribute(span, "error.type").IsEmpty);
    }

    [Fact]
    public async Task Request_NoRouteMatched_NamedByMethodOnly()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/nowhere")).StatusCode);

        var span = app.WaitForServerSpan();
        Assert.Equal("GET", span.Name);
        Assert.True(Attribute(span, "http.route").IsEmpty);
        Assert.Equal(404, Attribute(span, "http.response.status_code").LongValue);
        Assert.Equal(SpanStatusCode.Unset, span.Status);
    }

    [Theory]
    [InlineData("/custom", "HTTP /custom", "routed unknown method: HTTP replaces the method in the name")]
    [InlineData("/nowhere", "HTTP", "unrouted unknown method: the name is HTTP alone")]
    public async Task Request_UnknownMethod_ReportedAsOther(string path, string expectedName, string rule)
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        await client.SendAsync(new HttpRequestMessage(new HttpMethod("FOO"), path));

        var span = app.WaitForServerSpan();
        Assert.True(expectedName == span.Name, rule + ": was " + span.Name);
        Assert.Equal("_OTHER", Attribute(span, "http.request.method").StringValue);
        Assert.Equal("FOO", Attribute(span, "http.request.method_original").StringValue);
    }

    [Fact]
    public async Task Request_LowercaseMethod_IsOtherBecauseMethodsAreCaseSensitive()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        await client.SendAsync(new HttpRequestMessage(new HttpMethod("get"), "/nowhere"));

        var span = app.WaitForServerSpan();
        Assert.Equal("_OTHER", Attribute(span, "http.request.method").StringValue);
        Assert.Equal("get", Attribute(span, "http.request.method_original").StringValue);
    }

    [Theory]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(400, false)]
    [InlineData(404, false)]
    [InlineData(499, false)]
    public async Task Request_StatusCode_ErrorOnlyFor5xx(int statusCode, bool isError)
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        Assert.Equal(statusCode, (int)(await client.GetAsync("/status/" + statusCode)).StatusCode);

        var span = app.WaitForServerSpan();
        Assert.Equal(statusCode, Attribute(span, "http.response.status_code").LongValue);
        Assert.Equal("GET /status/{code:int}", span.Name);
        Assert.Equal(isError ? SpanStatusCode.Error : SpanStatusCode.Unset, span.Status);
        Assert.Equal(isError ? statusCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : null, Attribute(span, "error.type").StringValue);
    }

    [Fact]
    public async Task Request_EndpointThrows_RecordedAndRethrownUnchanged()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("/throw"));
        Assert.Equal("boom", thrown.Message);
        Assert.Contains(nameof(TestEndpoints), thrown.StackTrace, StringComparison.Ordinal); // the stack still starts at the throw

        var span = app.WaitForServerSpan();
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Equal(typeof(InvalidOperationException).FullName, Attribute(span, "error.type").StringValue);
        Assert.Equal(500, Attribute(span, "http.response.status_code").LongValue);
        var exceptionEvent = Assert.Single(span.Events);
        Assert.Equal("exception", exceptionEvent.Name);
        Assert.Contains(exceptionEvent.Attributes.ToArray(), a => a.Key == "exception.message" && a.Value.StringValue == "boom");
    }

    [Fact]
    public async Task Request_AsyncEndpointThrows_RecordedAndRethrownUnchanged()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => client.GetAsync("/throw-async"));
        Assert.Equal("boom later", thrown.Message);
        Assert.Contains(nameof(TestEndpoints), thrown.StackTrace, StringComparison.Ordinal);

        var span = app.WaitForServerSpan();
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Equal("boom later", span.StatusDescription);
        Assert.Equal(typeof(InvalidOperationException).FullName, Attribute(span, "error.type").StringValue);
        Assert.Equal(500, Attribute(span, "http.response.status_code").LongValue);
        Assert.Equal("GET /throw-async", span.Name);
        var exceptionEvent = Assert.Single(span.Events);
        Assert.Contains(exceptionEvent.Attributes.ToArray(), a => a.Key == "exception.message" && a.Value.StringValue == "boom later");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(W3CExampleTraceparent)]
    public async Task Request_HostingActivityAgreesWithSpan_AdoptedNotReplaced(string? traceparent)
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/activity");
        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }

        var body = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        // Logging is on, so ASP.NET Core started its Activity (from the traceparent, when there is one): the span takes
        // its ids instead of starting an Activity of its own.
        var span = app.WaitForServerSpan();
        Assert.Equal("Microsoft.AspNetCore.Hosting.HttpRequestIn " + span.Context.TraceId + " " + span.Context.SpanId, body);
        if (traceparent is not null)
        {
            Assert.Equal(W3CExampleTraceId, span.Context.TraceId.ToString());
            Assert.Equal(W3CExampleParentId, span.ParentSpanId.ToString());
        }
    }

    [Fact]
    public async Task Request_UntrustedCallerAsyncEndpoint_OwnActivityMatchesSpanAndStopsWithIt()
    {
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name.Length == 0, // where new Activity(...) reports
            ActivityStopped = a =>
            {
                if (a.OperationName == TracingMiddleware.ActivityName)
                {
                    stopped.Enqueue(a);
                }
            },
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var app = new TracingAppFactory { Middleware = o => o.TrustInboundContext = _ => false };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/activity");
        request.Headers.Add("traceparent", W3CExampleTraceparent);
        var body = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        var span = app.WaitForServerSpan();
        Assert.Equal(TracingMiddleware.ActivityName + " " + span.Context.TraceId + " " + span.Context.SpanId, body);
        Assert.NotEqual(W3CExampleTraceId, span.Context.TraceId.ToString());
        Assert.Contains(stopped, a => a.SpanId.ToString() == span.Context.SpanId.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Request_MiddlewareReturns_CallerSeesItsOwnSpanActivityAndBaggage(bool callerSuppressedFlow)
    {
        var observed = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var app = new TracingAppFactory
        {
            // A startup filter registered before AddTracing's wraps the tracing middleware: the one place left outside it.
            ConfigureServices = services => services.Insert(0, ServiceDescriptor.Singleton<IStartupFilter>(new OuterStartupFilter(next => context =>
            {
                var activity = System.Diagnostics.Activity.Current;
                var flow = callerSuppressedFlow ? ExecutionContext.SuppressFlow() : default;
                var task = next(context);
                observed.Enqueue(Span.Current is null && ReferenceEquals(System.Diagnostics.Activity.Current, activity)
                    && Propagation.Baggage.Current.Count == 0 && ExecutionContext.IsFlowSuppressed() == callerSuppressedFlow
                    ? "restored"
                    : $"span {Span.Current?.Context}, activity {System.Diagnostics.Activity.Current?.OperationName}, baggage {Propagation.Baggage.Current.Count}");
                if (callerSuppressedFlow)
                {
                    flow.Undo();
                }

                return task;
            }))),
        };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/users/1");
        request.Headers.Add("traceparent", W3CExampleTraceparent);
        request.Headers.Add("baggage", "k=v1");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        app.WaitForServerSpan();
        Assert.Equal(["restored"], observed);
    }

    [Fact]
    public async Task Request_Filtered_NoSpanAndNothingCurrent()
    {
        using var app = new TracingAppFactory { Middleware = o => o.Filter = c => c.Request.Path != "/current" };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/current");
        request.Headers.Add("traceparent", W3CExampleTraceparent);
        var body = await (await client.SendAsync(request)).Content.ReadAsStringAsync();
        (await client.GetAsync("/users/1")).EnsureSuccessStatusCode();

        Assert.Equal("none", body);
        var span = app.WaitForServerSpan();
        Assert.Equal("/users/1", Attribute(span, "url.path").StringValue);
        Assert.Single(app.Exporter.Spans);
    }

    [Fact]
    public async Task Request_FilterThrows_ReportedAndTraced()
    {
        using var app = new TracingAppFactory { Middleware = o => o.Filter = _ => throw new InvalidOperationException("bad filter") };
        using var client = app.CreateClient();

        (await client.GetAsync("/users/1")).EnsureSuccessStatusCode();

        app.WaitForServerSpan();
        Assert.Contains(app.Logs.Records, r => r.Category == "Traceline" && r.EventId.Name == "CallbackFailed" && r.Message.Contains("Filter", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_EnrichCallbacks_AddToSpan()
    {
        using var app = new TracingAppFactory
        {
            Middleware = o =>
            {
                o.EnrichWithRequest = (span, request) => span.SetAttribute("app.tenant", request.Query["tenant"].ToString());
                o.EnrichWithResponse = (span, response) => span.SetAttribute("app.length", response.ContentLength ?? -1);
            },
        };
        using var client = app.CreateClient();

        (await client.GetAsync("/users/1?tenant=acme")).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        Assert.Equal("acme", Attribute(span, "app.tenant").StringValue);
        Assert.False(Attribute(span, "app.length").IsEmpty);
    }

    [Fact]
    public async Task Request_EnrichCallbacksThrow_RequestUnharmedAndReported()
    {
        using var app = new TracingAppFactory
        {
            Middleware = o =>
            {
                o.EnrichWithRequest = (_, _) => throw new InvalidOperationException("enrich request");
                o.EnrichWithResponse = (_, _) => throw new InvalidOperationException("enrich response");
            },
        };
        using var client = app.CreateClient();

        var response = await client.GetAsync("/users/7");

        Assert.Equal("user 7", await response.Content.ReadAsStringAsync());
        var span = app.WaitForServerSpan();
        Assert.Equal("GET /users/{id}", span.Name);
        Assert.Contains(app.Logs.Records, r => r.Category == "Traceline" && r.EventId.Name == "CallbackFailed");
    }

    [Fact]
    public async Task Request_UntrustedCaller_NewRootWithLinkAndNoBaggage()
    {
        using var app = new TracingAppFactory
        {
            // Root sampling off: only a trusted caller's sampled flag could make this span sampled.
            Tracing = t => t.WithSampler(Sampler.ParentBased(Sampler.AlwaysOn)),
            Middleware = o => o.TrustInboundContext = c => !c.Request.Headers.ContainsKey("X-External"),
        };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/baggage");
        request.Headers.Add("traceparent", W3CExampleTraceparent);
        request.Headers.Add("baggage", "k=secret");
        request.Headers.Add("X-External", "1");
        var body = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Equal("none", body);
        var span = app.WaitForServerSpan();
        Assert.NotEqual(W3CExampleTraceId, span.Context.TraceId.ToString());
        Assert.False(span.ParentSpanId.IsValid);
        var link = Assert.Single(span.Links.ToArray());
        Assert.Equal(W3CExampleTraceId, link.Context.TraceId.ToString());
        Assert.Equal(W3CExampleParentId, link.Context.SpanId.ToString());
    }

    [Fact]
    public async Task Request_UntrustedSampledCaller_CannotForceSampling()
    {
        using var app = new TracingAppFactory
        {
            Tracing = t => t.WithSampler(Sampler.ParentBased(Sampler.AlwaysOff)),
            Middleware = o => o.UntrustedPaths.Add("/public"),
        };
        using var client = app.CreateClient();

        using var untrusted = new HttpRequestMessage(HttpMethod.Get, "/public/current");
        untrusted.Headers.Add("traceparent", W3CExampleTraceparent);
        (await client.SendAsync(untrusted)).Dispose();
        using var trusted = new HttpRequestMessage(HttpMethod.Get, "/users/3");
        trusted.Headers.Add("traceparent", W3CExampleTraceparent);
        (await client.SendAsync(trusted)).EnsureSuccessStatusCode();

        // Only the trusted request (same sampled flag, other path) was sampled and exported.
        var span = app.WaitForServerSpan();
        Assert.Equal("/users/3", Attribute(span, "url.path").StringValue);
        Assert.Single(app.Exporter.Spans);
    }

    [Fact]
    public async Task Request_TrustedCallerBaggage_IsCurrentInEndpoint()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/baggage");
        request.Headers.Add("traceparent", W3CExampleTraceparent);
        request.Headers.Add("baggage", "k=v1");
        var body = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Equal("v1", body);
    }

    [Fact]
    public async Task Request_SensitiveQueryValues_Redacted()
    {
        using var app = new TracingAppFactory { Middleware = o => o.RedactedQueryKeys.Add("token") };
        using var client = app.CreateClient();

        (await client.GetAsync("/users/1?sig=abc&x=1&Token=t0p&X-Amz-Signature=s")).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        Assert.Equal("sig=REDACTED&x=1&Token=REDACTED&X-Amz-Signature=REDACTED", Attribute(span, "url.query").StringValue);
    }

    [Fact]
    public async Task Request_ListedHeaders_RecordedAsStringArrays()
    {
        using var app = new TracingAppFactory
        {
            Middleware = o =>
            {
                o.RecordedRequestHeaders.Add("X-Tenant");
                o.RecordedResponseHeaders.Add("X-Result");
            },
        };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/header");
        request.Headers.Add("X-Tenant", ["a", "b"]);
        request.Headers.Add("X-Secret", "hidden");
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        Assert.Equal(["a", "b"], Attribute(span, "http.request.header.x-tenant").StringArrayValue.ToArray().SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)));
        Assert.Equal(["done"], Attribute(span, "http.response.header.x-result").StringArrayValue.ToArray());
        Assert.DoesNotContain(span.Attributes.ToArray(), a => a.Key.Contains("x-secret", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Request_TraceResponseOff_NoHeader()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        var response = await client.GetAsync("/users/1");

        Assert.False(response.Headers.Contains("traceresponse"));
    }

    [Fact]
    public async Task Request_TraceResponseOn_NamesServerSpan()
    {
        using var app = new TracingAppFactory { Middleware = o => o.EmitTraceResponse = true };
        using var client = app.CreateClient();

        var response = await client.GetAsync("/users/1");

        var span = app.WaitForServerSpan();
        Assert.Equal("00-" + span.Context.TraceId + "-" + span.Context.SpanId + "-03", Assert.Single(response.Headers.GetValues("traceresponse"))); // sampled + random (a root .NET generated)
    }

    [Fact]
    public async Task Request_EndpointStartsSpan_NestsUnderServerSpan()
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        (await client.GetAsync("/child")).EnsureSuccessStatusCode();

        var server = app.WaitForServerSpan();
        var child = Assert.Single(app.Exporter.Spans, s => s.Name == "child");
        Assert.Equal(server.Context.TraceId, child.Context.TraceId);
        Assert.Equal(server.Context.SpanId, child.ParentSpanId);
    }

    [Theory]
    [InlineData(null, "no inbound context: the hosting Activity's ids are adopted")]
    [InlineData(W3CExampleTraceparent, "trusted inbound context: both continue the caller's trace")]
    [InlineData("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", "a header Traceline rejects")]
    public async Task Request_LogLines_CarryExportedSpanIds(string? traceparent, string rule)
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/log");
        if (traceparent is not null)
        {
            request.Headers.TryAddWithoutValidation("traceparent", traceparent);
        }

        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        var line = Assert.Single(app.Logs.Records, r => r.Category == "Endpoint");
        Assert.True(span.Context.TraceId.ToString() == (string?)line.ScopeValues["TraceId"], rule);
        Assert.True(span.Context.SpanId.ToString() == (string?)line.ScopeValues["SpanId"], rule);
    }

    [Fact]
    public async Task Request_UntrustedCaller_LogLinesCarryNewTraceNotCallers()
    {
        using var app = new TracingAppFactory { Middleware = o => o.TrustInboundContext = _ => false };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/log");
        request.Headers.Add("traceparent", W3CExampleTraceparent);
        (await client.SendAsync(request)).EnsureSuccessStatusCode();

        var span = app.WaitForServerSpan();
        var line = Assert.Single(app.Logs.Records, r => r.Category == "Endpoint");
        Assert.NotEqual(W3CExampleTraceId, span.Context.TraceId.ToString());
        Assert.Equal(span.Context.TraceId.ToString(), line.ScopeValues["TraceId"]);
        Assert.Equal(span.Context.SpanId.ToString(), line.ScopeValues["SpanId"]);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(W3CExampleTraceparent)]
    public async Task Request_ProblemDetails_TraceIdNamesServerSpan(string? traceparent)
    {
        using var app = new TracingAppFactory { Middleware = o => o.TrustInboundContext = _ => traceparent is null };
        using var client = app.CreateClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, "/problem");
        if (traceparent is not null)
        {
            request.Headers.Add("traceparent", traceparent);
        }

        var body = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        var span = app.WaitForServerSpan();
        using var json = JsonDocument.Parse(body);
        var traceId = json.RootElement.GetProperty("traceId").GetString();
        Assert.Equal("00-" + span.Context.TraceId + "-" + span.Context.SpanId + "-01", traceId);
    }

    [Fact]
    public async Task Host_Stopped_EveryEndedSpanExported()
    {
        var exporter = new InMemorySpanExporter();
        var app = new TracingAppFactory
        {
            UseDefaultExporter = false,

            // Batched with a delay far beyond the test: only the shutdown flush can export these spans.
            Tracing = t => t.AddExporter(exporter).WithBatchOptions(b => b.ScheduledDelay = TimeSpan.FromHours(1)),
        };
        using (var client = app.CreateClient())
        {
            for (var i = 0; i < 5; i++)
            {
                (await client.GetAsync("/users/" + i)).EnsureSuccessStatusCode();
            }
        }

        await app.DisposeAsync();

        Assert.Equal(5, exporter.Spans.Count(s => s.Kind == SpanKind.Server));
    }

    [Theory]
    [InlineData("a.example:8080", "a.example", 8080L)]
    [InlineData("b.example", "b.example", null)]
    [InlineData("[::1]:5000", "[::1]", 5000L)]
    public async Task Request_HostChangesBetweenRequests_EachSpanNamesItsOwnHost(string otherHost, string expectedAddress, long? expectedPort)
    {
        using var app = new TracingAppFactory();
        using var client = app.CreateClient();

        // The middleware reuses the last host name while the Host header is unchanged: a changed header must not see it.
        foreach (var (host, id) in new[] { ("first.example:81", "1"), ("first.example:81", "2"), (otherHost, "3"), ("first.example:81", "4") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/users/" + id);
            request.Headers.Host = host;
            (await client.SendAsync(request)).EnsureSuccessStatusCode();
        }

        foreach (var id in new[] { "1", "2", "4" })
        {
            var span = app.WaitForServerSpan(s => Attribute(s, "url.path").StringValue == "/users/" + id);
            Assert.Equal("first.example", Attribute(span, "server.address").StringValue);
            Assert.Equal(81, Attribute(span, "server.port").LongValue);
        }

        var other = app.WaitForServerSpan(s => Attribute(s, "url.path").StringValue == "/users/3");
        Assert.Equal(expectedAddress, Attribute(other, "server.address").StringValue);
        Assert.Equal(expectedPort, Attribute(other, "server.port") is { IsEmpty: false } port ? port.LongValue : null);
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

/// <summary>Adds a middleware before every other, the tracing middleware included, when registered first.</summary>
internal sealed class OuterStartupFilter(Func<RequestDelegate, RequestDelegate> middleware) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(middleware);
        next(app);
    };
}
