using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

public class PropagatorsTests
{
    private static readonly Action<HttpRequestMessage, string, string> RequestSetter = static (request, name, value) =>
    {
        request.Headers.Remove(name);
        request.Headers.TryAddWithoutValidation(name, value);
    };

    private static readonly Func<IHeaderDictionary, string, StringValues> HeaderGetter = static (headers, name) => headers[name];

    [Fact]
    public void Default_Fields_AreTraceContextThenBaggage()
    {
        Assert.Equal(["traceparent", "tracestate", "baggage"], Propagators.Default.Fields);
    }

    [Fact]
    public void Composite_OneOrNone_ReturnsThePropagatorOrNone()
    {
        Assert.Same(Propagators.TraceContext, Propagators.Composite(Propagators.TraceContext));
        Assert.Same(Propagators.None, Propagators.Composite());
        Assert.Empty(Propagators.None.Fields);
    }

    [Fact]
    public void Composite_NullItem_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => Propagators.Composite(Propagators.Baggage, null!));
    }

    [Fact]
    public void Composite_Extract_ChainsEveryPropagatorInOrder()
    {
        var composite = Propagators.Composite(Propagators.Baggage, Propagators.TraceContext);
        var carrier = TestCarrier.With(
            ("traceparent", ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]),
            ("baggage", ["k=v"]));

        var extracted = composite.Extract(default, carrier, TestCarrier.Getter);

        Assert.True(extracted.SpanContext.IsValid);
        Assert.Equal("v", extracted.Baggage.GetValue("k"));
        Assert.Equal(["baggage", "traceparent", "tracestate"], composite.Fields);
    }

    [Fact]
    public void None_Extract_ReturnsTheContextAndInjectWritesNothing()
    {
        var carrier = TestCarrier.With(("traceparent", ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]));
        var output = new TestCarrier();

        Assert.Equal(default, Propagators.None.Extract(default, carrier, TestCarrier.Getter));
        Propagators.None.Inject(
            new PropagationContext(new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled), null), output, TestCarrier.Setter);
        Assert.Empty(output.Headers);
    }

    [Fact]
    public void Default_Extract_SetsNothingGlobal()
    {
        using var baggageScope = Baggage.Use(Baggage.Empty);
        var carrier = TestCarrier.With(
            ("traceparent", ["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]),
            ("baggage", ["k=v"]));

        _ = Propagators.Default.Extract(default, carrier, TestCarrier.Getter);

        Assert.Empty(Baggage.Current);
        Assert.Null(Span.Current);
    }

    [Fact]
    public void Default_HttpRequestMessageToHeaderDictionary_GivesBackContextAndBaggage()
    {
        var sent = Sample();
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1/");
        request.Headers.TryAddWithoutValidation("traceparent", "00-11111111111111111111111111111111-2222222222222222-00"); // replaced, not added

        Propagators.Default.Inject(sent, request, RequestSetter);
        var headers = new HeaderDictionary();
        foreach (var header in request.Headers)
        {
            headers[header.Key] = new StringValues([.. header.Value]);
        }

        var received = Propagators.Default.Extract(default, headers, HeaderGetter);

        Assert.Single(request.Headers.GetValues("traceparent"));
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task Default_AcrossRealHttp_GivesBackContextAndBaggage()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        var received = new TaskCompletionSource<PropagationContext>(TaskCreationOptions.RunContinuationsAsynchronously);
        app.MapGet("/", (HttpContext http) =>
        {
            received.TrySetResult(Propagators.Default.Extract(default, http.Request.Headers, HeaderGetter));
            return "ok";
        });
        await app.StartAsync();
        try
        {
            var sent = Sample();
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            Propagators.Default.Inject(sent, request, RequestSetter);

            using var response = await client.SendAsync(request);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(sent, await received.Task.WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await app.StopAsync();
        }
    }

    /// <summary>A remote context as the receiver will see it, with trace state and baggage that needs encoding.</summary>
    private static PropagationContext Sample()
    {
        var spanContext = new SpanContext(
            TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled | TraceFlags.Random, "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7", isRemote: true);
        var baggage = Baggage.Create(
            new BaggageItem("userId", "alice"),
            new BaggageItem("city", "Z\u00fcrich, CH"),
            new BaggageItem("tier", "gold", "ttl=30;internal"));
        return new PropagationContext(spanContext, baggage);
    }
}
