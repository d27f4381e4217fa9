using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Traceline.AspNetCore.Tests.Fakes;

namespace Traceline.AspNetCore.Tests.Internal;

/// <summary>
/// Exceptions that ASP.NET Core's own middleware handles, behind real Kestrel on 127.0.0.1 and a real HttpClient, with
/// the handler before and after <c>UseTracing()</c>: the server span keeps the endpoint that threw, and records the cause.
/// </summary>
public sealed class HandledExceptionKestrelTests
{
    private const string Route = "/orders/{id}";

    public enum Form
    {
        /// <summary><c>AddProblemDetails()</c> + <c>UseExceptionHandler()</c>: the template's production default.</summary>
        ProblemDetails,

        /// <summary>An <see cref="IExceptionHandler"/> that writes ProblemDetails itself.</summary>
        ExceptionHandlerService,

        /// <summary><c>UseExceptionHandler("/error")</c>: the pipeline is re-executed for <c>/error</c>.</summary>
        ReExecute,

        /// <summary><c>UseDeveloperExceptionPage()</c>, which answers with ProblemDetails to a JSON client.</summary>
        DeveloperPage,

        /// <summary><c>UseStatusCodePagesWithReExecute</c> behind <c>UseExceptionHandler()</c>.</summary>
        StatusCodePages,
    }

    public static TheoryData<Form, bool> FormsAndOrders()
    {
        var data = new TheoryData<Form, bool>();
        foreach (var form in Enum.GetValues<Form>())
        {
            data.Add(form, false);
            data.Add(form, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FormsAndOrders))]
    public async Task Handled_EndpointThrows_OneSpanWithRouteAndCause(Form form, bool handlerBeforeTracing)
    {
        await using var app = await StartAsync(form, handlerBeforeTracing);
        using var client = JsonClient(app);

        using var response = await client.GetAsync("/orders/42");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var span = await AssertOnlyServerSpanAsync(app, "/orders/42");
        AssertRecorded(span, typeof(OrderFailedException), "order 42 failed");
        Assert.Equal(500, Attribute(span, "http.response.status_code").LongValue);

        // The handler's answer names the exported span (through Activity.Current, which the span agrees with).
        using var json = JsonDocument.Parse(body);
        Assert.Equal("00-" + span.Context.TraceId + "-" + span.Context.SpanId + "-01", json.RootElement.GetProperty("traceId").GetString());
    }

    /// <remarks>
    /// Only with the pages before <c>UseTracing()</c>: after it, the middleware clears its re-execute feature and keeps
    /// the error page's endpoint when it returns, so the span is named by the error page's route (a known limit).
    /// </remarks>
    [Fact]
    public async Task StatusCodePages_ReExecutedBeforeTracing_SpanKeepsOriginalEndpoint()
    {
        await using var app = await StartAsync(Form.StatusCodePages, handlerBeforeTracing: true);
        using var client = JsonClient(app);

        using var response = await client.GetAsync("/orders/7/missing");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("status page 404", await response.Content.ReadAsStringAsync());
        var span = await AssertOnlyServerSpanAsync(app, "/orders/7/missing");
        Assert.Equal("GET /orders/{id}/missing", span.Name);
        Assert.Equal(404, Attribute(span, "http.response.status_code").LongValue);
        Assert.Empty(span.Events);
        Assert.Equal(SpanStatusCode.Unset, span.Status);
    }

    [Fact]
    public async Task Handled_RecordHandledExceptionsOff_SpanSeesOnlyTheErrorResponse()
    {
        await using var app = await StartAsync(handlerBeforeTracing: false, configure: a => a.UseExceptionHandler(), middleware: o => o.RecordHandledExceptions = false);
        using var client = JsonClient(app);

        using var response = await client.GetAsync("/orders/42");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var span = await AssertOnlyServerSpanAsync(app, "/orders/42");
        Assert.Equal("GET", span.Name); // the handler cleared the endpoint before answering
        Assert.Empty(span.Events);
        Assert.Equal("500", Attribute(span, "error.type").StringValue);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Handled_HandlerItselfThrows_OriginalRecordedOnce(bool handlerBeforeTracing)
    {
        await using var app = await StartAsync(
            handlerBeforeTracing,
            configure: a => a.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = _ => throw new InvalidOperationException("the handler failed") }));
        using var client = JsonClient(app);

        using var response = await client.GetAsync("/orders/42");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var span = await AssertOnlyServerSpanAsync(app, "/orders/42");
        AssertRecorded(span, typeof(OrderFailedException), "order 42 failed");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Exception_MessageAndStackTraceGettersThrow_TypeStillRecorded(bool handlerBeforeTracing)
    {
        // No logger: the app's own log line would read the message too, and that is not the tracing's to survive.
        const string path = "/orders/1/hostile";
        await using var app = await StartAsync(handlerBeforeTracing, configure: a => a.UseExceptionHandler(), withLogs: false);
        using var client = JsonClient(app);

        using var response = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var span = await AssertOnlyServerSpanAsync(app, path);
        var exceptionEvent = Assert.Single(span.Events);
        Assert.Equal(typeof(HostileException).FullName, EventAttribute(exceptionEvent, "exception.type"));
        Assert.Null(EventAttribute(exceptionEvent, "exception.message"));
        Assert.Null(EventAttribute(exceptionEvent, "exception.stacktrace"));
        Assert.Equal(typeof(HostileException).FullName, Attribute(span, "error.type").StringValue);
        Assert.Equal(SpanStatusCode.Error, span.Status);
        Assert.Null(span.StatusDescription);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Exception_OneMegabyteMessage_CutToValueLengthLimit(bool handlerBeforeTracing)
    {
        const int limit = 1000;
        await using var app = await StartAsync(
            handlerBeforeTracing,
            configure: a => a.UseExceptionHandler(),
            tracing: t => t.WithSpanLimits(l => l.AttributeValueLengthLimit = limit));
        using var client = JsonClient(app);

        using var response = await client.GetAsync("/orders/1/huge");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        var span = await AssertOnlyServerSpanAsync(app, "/orders/1/huge");
        var exceptionEvent = Assert.Single(span.Events);
        Assert.Equal(new string('m', limit), EventAttribute(exceptionEvent, "exception.message"));
        Assert.Equal(limit, EventAttribute(exceptionEvent, "exception.stacktrace")!.Length);
        Assert.Equal(new string('m', limit), span.StatusDescription);
        Assert.Equal(typeof(OrderFailedException).FullName, Attribute(span, "error.type").StringValue);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Exception_ResponseAlreadyStarted_RecordedAndConnectionAborted(bool handlerBeforeTracing)
    {
        await using var app = await StartAsync(handlerBeforeTracing, configure: a => a.UseExceptionHandler());
        using var client = JsonClient(app);

        // The status line and part of the body are out: the handler cannot answer, the server aborts the response.
        using var response = await client.GetAsync("/orders/1/started", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await Assert.ThrowsAnyAsync<Exception>(() => response.Content.ReadAsStringAsync());

        var span = await AssertOnlyServerSpanAsync(app, "/orders/1/started");
        Assert.Equal("GET /orders/{id}/started", span.Name);
        Assert.Equal(200, Attribute(span, "http.response.status_code").LongValue);
        var exceptionEvent = Assert.Single(span.Events);
        Assert.Equal(typeof(OrderFailedException).FullName, EventAttribute(exceptionEvent, "exception.type"));
        Assert.Equal(typeof(OrderFailedException).FullName, Attribute(span, "error.type").StringValue);
        Assert.Equal(SpanStatusCode.Error, span.Status);
    }

    private static Task<KestrelApp> StartAsync(Form form, bool handlerBeforeTracing)
    {
        Action<IServiceCollection>? services = form == Form.ExceptionHandlerService ? s => s.AddExceptionHandler<OrderExceptionHandler>() : null;
        Action<WebApplication> configure = form switch
        {
            Form.ProblemDetails or Form.ExceptionHandlerService => a => a.UseExceptionHandler(),
            Form.ReExecute => a => a.UseExceptionHandler("/error"),
            Form.DeveloperPage => a => a.UseDeveloperExceptionPage(),
            _ => a =>
            {
                a.UseExceptionHandler();
                a.UseStatusCodePagesWithReExecute("/status/page/{0}");
            },
        };
        return StartAsync(handlerBeforeTracing, configure, services);
    }

    private static Task<KestrelApp> StartAsync(
        bool handlerBeforeTracing,
        Action<WebApplication> configure,
        Action<IServiceCollection>? services = null,
        Action<TracingBuilder>? tracing = null,
        bool withLogs = true,
        Action<TracingMiddlewareOptions>? middleware = null) =>
        KestrelApp.StartAsync(new KestrelAppSetup
        {
            Middleware = middleware,
            Logs = withLogs ? new CapturingLoggerProvider() : null,
            Tracing = tracing,
            Services = s =>
            {
                s.AddProblemDetails();
                services?.Invoke(s);
            },
            BeforeTracing = handlerBeforeTracing ? configure : null,
            AfterTracing = a =>
            {
                if (!handlerBeforeTracing)
                {
                    configure(a);
                }

                MapOrders(a);
            },
        });

    private static void MapOrders(WebApplication app)
    {
        app.MapGet(Route, string (string id) => throw new OrderFailedException("order " + id + " failed"));
        app.MapGet("/orders/{id}/missing", () => Results.StatusCode(StatusCodes.Status404NotFound));
        app.MapGet("/orders/{id}/hostile", string () => throw new HostileException());
        app.MapGet("/orders/{id}/huge", string () => throw new OrderFailedException(new string('m', 1024 * 1024)));
        app.MapGet("/orders/{id}/started", async (HttpContext context) =>
        {
            await context.Response.WriteAsync("partial");
            await context.Response.Body.FlushAsync();
            throw new OrderFailedException("after the response started");
        });
        app.MapGet("/error", () => Results.Problem());
        app.MapGet("/status/page/{code:int}", (int code) => "status page " + code);
    }

    private static HttpClient JsonClient(KestrelApp app)
    {
        var client = new HttpClient { BaseAddress = app.Address };
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        return client;
    }

    /// <summary>Asserts that exactly one server span has <paramref name="path"/> and returns it.</summary>
    /// <remarks>
    /// A second request on the same keep-alive connection starts only after the first one's pipeline returned: once its
    /// span is exported, any second span of the first request (a re-execution) would have been exported too.
    /// </remarks>
    private static async Task<Span> AssertOnlyServerSpanAsync(KestrelApp app, string path)
    {
        using var client = new HttpClient { BaseAddress = app.Address };
        (await client.GetAsync("/health")).EnsureSuccessStatusCode(); // awaited: a blocked pool thread slows the server under a loaded test run
        app.WaitForServerSpan(s => Attribute(s, "url.path").StringValue == "/health");
        var spans = app.Exporter.Spans.Where(s => s.Kind == SpanKind.Server && Attribute(s, "url.path").StringValue == path).ToArray();
        return Assert.Single(spans);
    }

    private static void AssertRecorded(Span span, Type exceptionType, string message)
    {
        Assert.Equal("GET " + Route, span.Name);
        Assert.Equal(Route, Attribute(span, "http.route").StringValue);
        Assert.Equal(exceptionType.FullName, Attribute(span, "error.type").StringValue);
        Assert.Equal(SpanStatusCode.Error, span.Status);
        var exceptionEvent = Assert.Single(span.Events);
        Assert.Equal("exception", exceptionEvent.Name);
        Assert.Equal(exceptionType.FullName, EventAttribute(exceptionEvent, "exception.type"));
        Assert.Equal(message, EventAttribute(exceptionEvent, "exception.message"));
        var stack = EventAttribute(exceptionEvent, "exception.stacktrace");
        Assert.StartsWith(exceptionType.FullName + ": " + message, stack, StringComparison.Ordinal);
        Assert.Contains(nameof(MapOrders), stack, StringComparison.Ordinal);
    }

    private static string? EventAttribute(SpanEvent spanEvent, string key)
    {
        foreach (var attribute in spanEvent.Attributes)
        {
            if (attribute.Key == key)
            {
                return attribute.Value.StringValue;
            }
        }

        return null;
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

    private sealed class OrderExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            httpContext.Response.StatusCode = StatusCodes.Status500InternalServerError;
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, Exception = exception });
        }
    }
}

/// <summary>What the test endpoints throw: its full name is what the span must carry.</summary>
public sealed class OrderFailedException(string message) : Exception(message);

/// <summary>An exception whose message and stack trace cannot be read.</summary>
public sealed class HostileException : Exception
{
    public override string Message => throw new InvalidOperationException("no message for you");

    public override string? StackTrace => throw new InvalidOperationException("no stack for you");
}
