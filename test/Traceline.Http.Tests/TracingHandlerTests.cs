using System.Diagnostics;
using System.Net;
using Traceline.Http.Tests.Support;
using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline.Http.Tests;

public sealed class TracingHandlerTests
{
    [Fact]
    public async Task SendAsync_NoCurrentSpan_StartsRootClientSpanWithConventionAttributes()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);

        using var response = await client.GetAsync(new Uri("http://example.test:8080/items/1?q=2"));

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal("GET", span.Name);
        Assert.False(span.ParentSpanId.IsValid);
        Assert.Equal("GET", span.String("http.request.method"));
        Assert.Equal("example.test", span.String("server.address"));
        Assert.Equal(8080, span.Long("server.port"));
        Assert.Equal("http://example.test:8080/items/1?q=2", span.String("url.full"));
        Assert.Equal(200, span.Long("http.response.status_code"));
        Assert.Equal("1.1", span.String("network.protocol.version"));
        Assert.False(span.HasAttribute("error.type"));
        Assert.False(span.HasAttribute("http.request.resend_count"));
        Assert.Equal(SpanStatusCode.Unset, span.Status);
        Assert.Equal(TracingHandler.InstrumentationName, span.Scope!.Name);
    }

    [Fact]
    public async Task SendAsync_InsideSpan_ClientSpanIsChildAndCurrentWhileInFlight()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);

        Span parent;
        using (parent = tracing.Tracer.StartSpan("work"))
        {
            using var response = await client.GetAsync(new Uri("http://example.test/"));
            Assert.Same(parent, Span.Current);
        }

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(parent.Context.TraceId, span.Context.TraceId);
        Assert.Equal(parent.Context.SpanId, span.ParentSpanId);
        Assert.Same(span, inner.Single.CurrentSpan);
    }

    [Fact]
    public async Task SendAsync_Traced_InjectsOneTraceparentNamingTheClientSpan()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        var span = Assert.Single(tracing.ClientSpans);
        var sent = inner.Single.Traceparent;
        Assert.Equal(span.Context.TraceId, sent.TraceId);
        Assert.Equal(span.Context.SpanId, sent.ParentId);
        Assert.Equal(TraceFlags.Sampled, sent.Flags & TraceFlags.Sampled);
    }

    [Fact]
    public async Task SendAsync_MessageAlreadyHasTraceHeaders_ReplacesThemNeverDoubles()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));
        request.Headers.TryAddWithoutValidation("traceparent", "00-11111111111111111111111111111111-2222222222222222-01");
        request.Headers.TryAddWithoutValidation("traceparent", "00-33333333333333333333333333333333-4444444444444444-01");
        request.Headers.TryAddWithoutValidation("tracestate", "stale=1");

        using var response = await client.SendAsync(request);

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(span.Context.SpanId, inner.Single.Traceparent.ParentId);
        Assert.Empty(inner.Single.Values("tracestate"));
    }

    [Fact]
    public async Task SendAsync_SameMessageResentByRetryHandler_OneTraceparentPerAttemptAndResendCount()
    {
        using var tracing = new TestTracing();
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.BadGateway, HttpStatusCode.OK]);
        var inner = new CapturingHandler((_, _) => Task.FromResult(new HttpResponseMessage(answers.Dequeue())));
        using var client = new HttpClient(new ResendingHandler(3)
        {
            InnerHandler = new TracingHandler(tracing.Provider) { InnerHandler = inner },
        });

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var spans = tracing.ClientSpans;
        Assert.Equal(3, spans.Count);
        Assert.False(spans[0].HasAttribute("http.request.resend_count"));
        Assert.Equal(1, spans[1].Long("http.request.resend_count"));
        Assert.Equal(2, spans[2].Long("http.request.resend_count"));
        var sends = inner.Sends.ToArray();
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(spans[i].Context.SpanId, sends[i].Traceparent.ParentId);
        }

        Assert.Equal("503", spans[0].String("error.type"));
        Assert.Equal(SpanStatusCode.Error, spans[0].Status);
        Assert.Equal(SpanStatusCode.Unset, spans[2].Status);
    }

    [Fact]
    public async Task SendAsync_CallerSetTraceparentOnFirstSend_NotCountedAsResend()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));
        request.Headers.TryAddWithoutValidation("traceparent", "00-11111111111111111111111111111111-2222222222222222-01");

        using var response = await client.SendAsync(request);

        var span = Assert.Single(tracing.ClientSpans);
        Assert.False(span.HasAttribute("http.request.resend_count"));
        Assert.Equal(span.Context.SpanId, inner.Single.Traceparent.ParentId);
    }

    [Fact]
    public async Task SendAsync_MessageForwardedFromAnotherTracingHandler_NotCountedAsResend()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var invoker = new HttpMessageInvoker(new TracingHandler(tracing.Provider)
        {
            InnerHandler = new TracingHandler(tracing.Provider) { InnerHandler = inner },
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));

        using var response = await invoker.SendAsync(request, CancellationToken.None);

        var spans = tracing.ClientSpans;
        Assert.Equal(2, spans.Count);
        Assert.All(spans, s => Assert.False(s.HasAttribute("http.request.resend_count")));
        Assert.Equal(spans[0].Context.SpanId, inner.Single.Traceparent.ParentId); // the inner span ends first
    }

    [Fact]
    public async Task SendAsync_ResentAndPropagatorWritesNothing_ResendCountedAnyway()
    {
        using var tracing = new TestTracing(propagator: Propagators.None);
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK]);
        var inner = new CapturingHandler((_, _) => Task.FromResult(new HttpResponseMessage(answers.Dequeue())));
        using var client = new HttpClient(new ResendingHandler(3)
        {
            InnerHandler = new TracingHandler(tracing.Provider) { InnerHandler = inner },
        });

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        Assert.Equal([false, true, true], tracing.ClientSpans.Select(s => s.HasAttribute("http.request.resend_count")));
        Assert.Equal([0L, 1L, 2L], tracing.ClientSpans.Select(s => s.Long("http.request.resend_count")));
        Assert.All(inner.Sends, c => Assert.Empty(c.Values("traceparent")));
    }

    [Fact]
    public async Task SendAsync_ResentAfterPropagatorFailed_ResendCountedAnyway()
    {
        using var tracing = new TestTracing(propagator: new ThrowingPropagator());
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK]);
        var inner = new CapturingHandler((_, _) => Task.FromResult(new HttpResponseMessage(answers.Dequeue())));
        using var client = new HttpClient(new ResendingHandler(2)
        {
            InnerHandler = new TracingHandler(tracing.Provider) { InnerHandler = inner },
        });

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        Assert.Equal([false, true], tracing.ClientSpans.Select(s => s.HasAttribute("http.request.resend_count")));
        Assert.Equal([0L, 1L], tracing.ClientSpans.Select(s => s.Long("http.request.resend_count")));
    }

    [Fact]
    public async Task SendAsync_PropagatorFailsOnlyOnAResend_LaterResendsStillCounted()
    {
        var propagator = new FailingOnceAfterFirstPropagator();
        using var tracing = new TestTracing(propagator: propagator);
        var answers = new Queue<HttpStatusCode>([HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.OK]);
        var inner = new CapturingHandler((_, _) => Task.FromResult(new HttpResponseMessage(answers.Dequeue())));
        using var client = new HttpClient(new ResendingHandler(3)
        {
            InnerHandler = new TracingHandler(tracing.Provider) { InnerHandler = inner },
        });

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        Assert.Equal([0L, 1L, 2L], tracing.ClientSpans.Select(s => s.Long("http.request.resend_count")));
        Assert.Empty(inner.Sends.ToArray()[1].Values("traceparent")); // the second send went out without one
    }

    [Fact]
    public async Task SendAsync_InnerCompletesSynchronously_ReturnsInnerTaskWithSpanEnded()
    {
        using var tracing = new TestTracing();
        var answer = Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created));
        var inner = new CapturingHandler((_, _) => answer);
        using var invoker = new HttpMessageInvoker(new TracingHandler(tracing.Provider) { InnerHandler = inner });
        using var activity = new Activity("ambient").Start();
        using var parent = tracing.Tracer.StartSpan("work");
        var callerActivity = Activity.Current; // the parent span, mirrored over the ambient Activity
        Assert.Equal(parent.Context.SpanId.ToString(), callerActivity!.SpanId.ToHexString());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));

        var sending = invoker.SendAsync(request, CancellationToken.None);

        Assert.Same(answer, sending);
        var span = Assert.Single(tracing.ClientSpans); // ended before SendAsync returned
        Assert.Equal(201, span.Long("http.response.status_code"));
        Assert.Equal(parent.Context.SpanId, span.ParentSpanId);
        Assert.Same(span, inner.Single.CurrentSpan);
        Assert.Null(inner.Single.CurrentActivity);
        Assert.Same(parent, Span.Current);
        Assert.Same(callerActivity, Activity.Current);
    }

    [Fact]
    public async Task SendAsync_InnerCompletesAsynchronously_SpanEndsWhenResponseArrivesAndCallerContextKept()
    {
        using var tracing = new TestTracing();
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var inner = new CapturingHandler((_, _) => release.Task);
        using var invoker = new HttpMessageInvoker(new TracingHandler(tracing.Provider) { InnerHandler = inner });
        using var activity = new Activity("ambient").Start();
        using var parent = tracing.Tracer.StartSpan("work");
        var callerActivity = Activity.Current; // the parent span, mirrored over the ambient Activity
        Assert.Equal(parent.Context.SpanId.ToString(), callerActivity!.SpanId.ToHexString());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));

        var sending = invoker.SendAsync(request, CancellationToken.None);

        Assert.False(sending.IsCompleted);
        Assert.Empty(tracing.ClientSpans);
        Assert.Same(parent, Span.Current);
        Assert.Same(callerActivity, Activity.Current);
        Assert.NotNull(inner.Single.CurrentSpan);
        release.SetResult(new HttpResponseMessage(HttpStatusCode.Accepted));
        using var response = await sending;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Same(span, inner.Single.CurrentSpan);
        Assert.Equal(202, span.Long("http.response.status_code"));
        Assert.Equal(parent.Context.SpanId, span.ParentSpanId);
        Assert.Equal(span.Context.SpanId, inner.Single.Traceparent.ParentId);
        Assert.Same(parent, Span.Current);
        Assert.Same(callerActivity, Activity.Current);
    }

    [Fact]
    public async Task SendAsync_InnerFailsAsynchronously_RecordedAndSameExceptionRethrown()
    {
        using var tracing = new TestTracing();
        var thrown = new HttpRequestException(HttpRequestError.ConnectionError, "refused");
        using var client = tracing.CreateClient(new CapturingHandler(async (_, _) =>
        {
            await Task.Yield();
            throw thrown;
        }));

        var caught = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://example.test/")));

        Assert.Same(thrown, caught);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal("connection_error", span.String("error.type"));
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Equal("exception", Assert.Single(span.Events).Name);
    }

    [Fact]
    public void SendAsync_InnerThrowsSynchronously_RecordedCallerContextKeptAndSameExceptionRethrown()
    {
        using var tracing = new TestTracing();
        var thrown = new InvalidOperationException("handler broke");
        using var invoker = new HttpMessageInvoker(new TracingHandler(tracing.Provider)
        {
            InnerHandler = new CapturingHandler((_, _) => throw thrown),
        });
        using var parent = tracing.Tracer.StartSpan("work");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));

        var caught = Assert.Throws<InvalidOperationException>(() => { _ = invoker.SendAsync(request, CancellationToken.None); });

        Assert.Same(thrown, caught);
        Assert.Same(parent, Span.Current);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(typeof(InvalidOperationException).FullName, span.String("error.type"));
    }

    [Fact]
    public void SendAsync_ExecutionContextFlowSuppressed_CallerSpanAndActivityRestored()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var invoker = new HttpMessageInvoker(new TracingHandler(tracing.Provider) { InnerHandler = inner });
        using var activity = new Activity("ambient").Start();
        using var parent = tracing.Tracer.StartSpan("work");
        var callerActivity = Activity.Current; // the parent span, mirrored over the ambient Activity
        Assert.Equal(parent.Context.SpanId.ToString(), callerActivity!.SpanId.ToHexString());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/"));

        Task<HttpResponseMessage> sending;
        using (ExecutionContext.SuppressFlow())
        {
            sending = invoker.SendAsync(request, CancellationToken.None);
            Assert.Same(parent, Span.Current);
            Assert.Same(callerActivity, Activity.Current);
        }

        Assert.True(sending.IsCompletedSuccessfully);
#pragma warning disable xUnit1031 // The task has completed: this reads its result, it does not block.
        sending.Result.Dispose();
#pragma warning restore xUnit1031
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Same(span, inner.Single.CurrentSpan);
        Assert.Null(inner.Single.CurrentActivity);
    }

    [Fact]
    public async Task SendAsync_UnsampledSpan_StillPropagatesWithFlagsZero()
    {
        using var tracing = new TestTracing(Sampler.AlwaysOff);
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        Assert.Empty(tracing.Exporter.Spans);
        var sent = inner.Single.Traceparent;
        Assert.True(sent.TraceId.IsValid);
        Assert.Equal(TraceFlags.None, sent.Flags & TraceFlags.Sampled);
    }

    [Fact]
    public async Task SendAsync_BaggageCurrent_InjectedWithTheSpan()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);

        using (Baggage.Use(Baggage.Create(new BaggageItem("tenant", "42"))))
        {
            using var response = await client.GetAsync(new Uri("http://example.test/"));
        }

        Assert.Equal(["tenant=42"], inner.Single.Values("baggage"));
    }

    [Theory]
    [InlineData("GET", "GET", "GET", null)] // known method: name and attribute are the method
    [InlineData("PATCH", "PATCH", "PATCH", null)]
    [InlineData("get", "GET", "GET", "get")] // known method in another case: normalized, original kept
    [InlineData("PURGE", "HTTP", "_OTHER", "PURGE")] // unknown method: span name HTTP, _OTHER, original kept
    public async Task SendAsync_Method_NameAndMethodAttributesFollowConventions(string method, string name, string attribute, string? original)
    {
        using var tracing = new TestTracing();
        using var client = tracing.CreateClient(new CapturingHandler());

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri("http://example.test/")));

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(name, span.Name);
        Assert.Equal(attribute, span.String("http.request.method"));
        Assert.Equal(original, span.String("http.request.method_original"));
    }

    [Fact]
    public async Task SendAsync_HostsChangeOnOneHandler_EachSpanNamesItsOwnServer()
    {
        using var tracing = new TestTracing();
        using var client = tracing.CreateClient(new CapturingHandler());

        foreach (var uri in new[] { "http://a.test/", "http://a.test/x", "http://b.test:81/", "http://[::1]/", "http://a.test/" })
        {
            using var response = await client.GetAsync(new Uri(uri));
        }

        Assert.Equal(["a.test", "a.test", "b.test", "[::1]", "a.test"], tracing.ClientSpans.Select(s => s.String("server.address")));
    }

    [Fact]
    public async Task SendAsync_UserInfoAndSensitiveQuery_RemovedFromUrlFull()
    {
        using var tracing = new TestTracing();
        using var client = tracing.CreateClient(new CapturingHandler(), new TracingHandlerOptions { RedactedQueryKeys = { "token" } });

        using var response = await client.GetAsync(new Uri("https://user:secret@example.test/a?sig=abc&x=1&Token=t#frag"));

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal("https://example.test/a?sig=REDACTED&x=1&Token=REDACTED#frag", span.String("url.full"));
        Assert.Equal(443, span.Long("server.port"));
    }

    [Fact]
    public async Task SendAsync_UrlsInTurn_EachSpanHasItsOwnUrlFull()
    {
        // The handler reuses the last url.full while the URL repeats: a different URL must never get the previous one.
        using var tracing = new TestTracing();
        using var client = tracing.CreateClient(new CapturingHandler());
        string[] urls =
        [
            "https://user:secret@example.test/a?sig=abc",
            "https://user:secret@example.test/a?sig=abc",
            "https://example.test/a?sig=abc",
            "https://example.test/a?x=1",
            "https://user:secret@example.test/a?sig=abc",
        ];

        foreach (var url in urls)
        {
            using var response = await client.GetAsync(new Uri(url));
        }

        Assert.Equal(
            [
                "https://example.test/a?sig=REDACTED",
                "https://example.test/a?sig=REDACTED",
                "https://example.test/a?sig=REDACTED",
                "https://example.test/a?x=1",
                "https://example.test/a?sig=REDACTED",
            ],
            tracing.ClientSpans.Select(s => s.String("url.full")));
    }

    [Fact]
    public async Task SendAsync_ErrorStatus_ErrorTypeAndErrorStatus()
    {
        using var tracing = new TestTracing();
        using var client = tracing.CreateClient(new CapturingHandler(HttpStatusCode.NotFound));

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(404, span.Long("http.response.status_code"));
        Assert.Equal("404", span.String("error.type"));
        Assert.Equal(SpanStatusCode.Error, span.Status);
    }

    [Fact]
    public async Task SendAsync_InnerThrows_RecordedAndSameExceptionRethrown()
    {
        using var tracing = new TestTracing();
        var thrown = new HttpRequestException(HttpRequestError.NameResolutionError, "no such host");
        using var client = tracing.CreateClient(new CapturingHandler((_, _) => Task.FromException<HttpResponseMessage>(thrown)));

        var caught = await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://example.test/")));

        Assert.Same(thrown, caught);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal("name_resolution_error", span.String("error.type"));
        Assert.Equal(SpanStatusCode.Error, span.Status);
        var exceptionEvent = Assert.Single(span.Events);
        Assert.Equal("exception", exceptionEvent.Name);
    }

    [Fact]
    public async Task SendAsync_InnerTimesOutWithTimeoutCause_ErrorTypeTimeout()
    {
        using var tracing = new TestTracing();
        var thrown = new TaskCanceledException("connect timed out", new TimeoutException());
        using var client = tracing.CreateClient(new CapturingHandler((_, _) => Task.FromException<HttpResponseMessage>(thrown)));

        await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync(new Uri("http://example.test/")));

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal("timeout", span.String("error.type"));
        Assert.Equal("The request timed out.", span.StatusDescription);
    }

    [Fact]
    public async Task SendAsync_Filtered_NoSpanAndNoHeader()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner, new TracingHandlerOptions { Filter = r => r.RequestUri!.AbsolutePath != "/health" });

        using (tracing.Tracer.StartSpan("work"))
        {
            using var skipped = await client.GetAsync(new Uri("http://example.test/health"));
            using var traced = await client.GetAsync(new Uri("http://example.test/data"));
        }

        var sends = inner.Sends.ToArray();
        Assert.Empty(sends[0].Values("traceparent"));
        Assert.Single(sends[1].Values("traceparent"));
        Assert.Equal("GET", Assert.Single(tracing.ClientSpans).Name);
        Assert.Equal(1, ((TestTraceContextPropagator)tracing.Propagator).InjectCalls);
    }

    [Fact]
    public async Task SendAsync_Suppressed_NoSpanNoHeaderAndNoActivityBelow()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);
        using var activity = new Activity("ambient").Start();

        using (tracing.Tracer.StartSpan("work"))
        using (Tracing.Suppress())
        {
            using var response = await client.GetAsync(new Uri("http://example.test/"));
        }

        Assert.Empty(tracing.ClientSpans);
        Assert.Empty(inner.Single.Values("traceparent"));
        Assert.Null(inner.Single.CurrentActivity);
        Assert.Same(activity, Activity.Current);
    }

    [Fact]
    public async Task SendAsync_AmbientActivity_HiddenFromInnerHandlersAndRestoredAfter()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);
        using var activity = new Activity("ambient").Start();

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        Assert.Null(inner.Single.CurrentActivity);
        Assert.Same(activity, Activity.Current);
    }

    [Fact]
    public async Task SendAsync_PropagatorThrows_RequestGoesOnAndFailureReported()
    {
        using var tracing = new TestTracing(propagator: new ThrowingPropagator());
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(tracing.ClientSpans);
        Assert.Contains(tracing.Logs.Entries, e => e.EventName == "CallbackFailed" && e.Exception?.Message == "propagator is broken");
    }

    [Fact]
    public async Task SendAsync_CallbacksThrow_RequestGoesOnAndFailureReported()
    {
        using var tracing = new TestTracing();
        var options = new TracingHandlerOptions
        {
            Filter = _ => throw new InvalidOperationException("filter"),
            EnrichWithRequest = (_, _) => throw new InvalidOperationException("request"),
            EnrichWithResponse = (_, _) => throw new InvalidOperationException("response"),
        };
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner, options);

        using var response = await client.GetAsync(new Uri("http://example.test/"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var span = Assert.Single(tracing.ClientSpans);
        Assert.True(span.IsEnded);
        Assert.Single(inner.Single.Values("traceparent"));
        Assert.Contains(tracing.Logs.Entries, e => e.EventName == "CallbackFailed");
    }

    [Fact]
    public async Task SendAsync_EnrichCallbacks_SeeSpanRequestResponseAndException()
    {
        using var tracing = new TestTracing();
        var options = new TracingHandlerOptions
        {
            EnrichWithRequest = (span, request) => span.SetAttribute("test.request", request.RequestUri!.AbsolutePath),
            EnrichWithResponse = (span, response) => span.SetAttribute("test.response", (long)response.StatusCode),
            EnrichWithException = (span, exception) => span.SetAttribute("test.exception", exception.Message),
        };
        var fail = false;
        using var client = tracing.CreateClient(
            new CapturingHandler((_, _) => fail ? throw new HttpRequestException("boom") : Task.FromResult(new HttpResponseMessage(HttpStatusCode.Accepted))),
            options);

        using var response = await client.GetAsync(new Uri("http://example.test/ok"));
        fail = true;
        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync(new Uri("http://example.test/fail")));

        var spans = tracing.ClientSpans;
        Assert.Equal("/ok", spans[0].String("test.request"));
        Assert.Equal(202, spans[0].Long("test.response"));
        Assert.Equal("/fail", spans[1].String("test.request"));
        Assert.Equal("boom", spans[1].String("test.exception"));
    }

    [Fact]
    public void Send_Synchronous_TracesAndInjects()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        using var client = tracing.CreateClient(inner);

        using var response = client.Send(new HttpRequestMessage(HttpMethod.Get, new Uri("http://example.test/")));

        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(span.Context.SpanId, inner.Single.Traceparent.ParentId);
        Assert.Null(Span.Current);
    }

    [Fact]
    public async Task SendAsync_OneInstanceManyConcurrentRequests_EachSpanItsOwnHeader()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler(async (request, ct) =>
        {
            await Task.Yield();
            var response = new HttpResponseMessage(HttpStatusCode.OK);
            response.Headers.TryAddWithoutValidation("x-echo", request.Headers.GetValues("traceparent").Single());
            return response;
        });
        using var client = tracing.CreateClient(inner);

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            using var parent = tracing.Tracer.StartRootSpan("root-" + i);
            using var response = await client.GetAsync(new Uri("http://example.test/" + i));
            return (Parent: parent.Context, Echo: Traceparent.Parse(response.Headers.GetValues("x-echo").Single()));
        }));

        var clientSpans = tracing.ClientSpans.ToDictionary(s => s.Context.SpanId);
        Assert.Equal(200, clientSpans.Count);
        foreach (var (parent, echo) in results)
        {
            var span = clientSpans[echo.ParentId];
            Assert.Equal(parent.TraceId, echo.TraceId);
            Assert.Equal(parent.SpanId, span.ParentSpanId);
        }
    }
}
