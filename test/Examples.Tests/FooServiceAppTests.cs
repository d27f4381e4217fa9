using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Traceline.Examples.BarService;
using Traceline.Examples.BazService;
using Traceline.Examples.FooService;
using Traceline.Testing;

namespace Traceline.Examples.Tests;

public sealed class FooServiceAppTests
{
    private const string W3CTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private const int SpansPerOrder = 8;

    [Fact]
    public async Task GetOrder_WithW3CExampleTraceParent_MakesOneTraceAcrossFooBarAndBazWithTheExpectedTree()
    {
        await using var services = new ExampleServices();
        using var client = services.Foo.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/orders/42");
        request.Headers.Add("traceparent", W3CTraceParent);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var trace = await services.Spans.WaitForTraceAsync(TraceId.Parse("4bf92f3577b34da6a3ce929d0e0e4736"), SpansPerOrder);
        Assert.True(trace.IsWhole, trace.ToString());
        Assert.True(trace.HasExternalParent);
        Assert.Equal("00f067aa0ba902b7", trace.Root.ParentSpanId.ToString());
        Assert.Equal(SpansPerOrder, trace.Spans.Count);

        // The expected chain, each span the only child of the one before it.
        (string Service, string Name, SpanKind Kind)[] chain =
        [
            (FooServiceApp.ServiceName, "GET /orders/{id:int}", SpanKind.Server),
            (FooServiceApp.ServiceName, "price-order", SpanKind.Internal),
            (FooServiceApp.ServiceName, "GET", SpanKind.Client),
            (BarServiceApp.ServiceName, "GET /stock/{id:int}", SpanKind.Server),
            (BarServiceApp.ServiceName, "check-stock", SpanKind.Internal),
            (BarServiceApp.ServiceName, "GET", SpanKind.Client),
            (BazServiceApp.ServiceName, "GET /shelves/{id:int}", SpanKind.Server),
            (BazServiceApp.ServiceName, "read-shelf", SpanKind.Internal),
        ];
        var span = trace.Root;
        for (var i = 0; i < chain.Length; i++)
        {
            Assert.Equal(chain[i], (span.Resource!.ServiceName, span.Name, span.Kind));
            Assert.Equal(i, trace.GetDepth(span));
            var children = trace.GetChildren(span);
            if (i < chain.Length - 1)
            {
                var child = Assert.Single(children);
                Assert.Same(span, trace.GetParent(child));
                span = child;
            }
            else
            {
                Assert.Empty(children);
            }
        }
    }

    [Fact]
    public async Task GetOrder_WithoutTraceParent_StartsOneNewWholeTraceInFooService()
    {
        await using var services = new ExampleServices();
        using var client = services.Foo.CreateClient();

        using var response = await client.GetAsync(new Uri("/orders/7", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await services.Spans.WaitForSpansAsync(SpansPerOrder);
        var trace = Assert.Single(services.Spans.Traces);
        Assert.True(trace.IsWhole, trace.ToString());
        Assert.False(trace.HasExternalParent);
        Assert.False(trace.Root.ParentSpanId.IsValid);
        Assert.Equal(FooServiceApp.ServiceName, trace.Root.Resource!.ServiceName);
        Assert.Equal(SpanKind.Server, trace.Root.Kind);
    }

    [Fact]
    public async Task GetOrder_OwnSpansAndUserAgents_CarryTheirAttributesAndEvents()
    {
        await using var services = new ExampleServices();
        using var client = services.Foo.CreateClient();

        using var response = await client.GetAsync(new Uri("/orders/9", UriKind.Relative));

        response.EnsureSuccessStatusCode();
        var spans = await services.Spans.WaitForSpansAsync(SpansPerOrder);
        var priceOrder = Assert.Single(spans.Named("price-order").WithAttribute("order.id", 9L));
        Assert.Equal("order.priced", Assert.Single(priceOrder.Events).Name);
        var checkStock = Assert.Single(spans.FromService(BarServiceApp.ServiceName).Named("check-stock"));
        Assert.Equal(9L, checkStock.GetAttribute("stock.item").LongValue);
        Assert.Equal("stock.counted", Assert.Single(checkStock.Events).Name);
        var readShelf = Assert.Single(spans.FromService(BazServiceApp.ServiceName).Named("read-shelf"));
        Assert.Equal("shelf.found", Assert.Single(readShelf.Events).Name);

        // Each service names itself in User-Agent; the next service's server span records it.
        var barServer = Assert.Single(spans.FromService(BarServiceApp.ServiceName).OfKind(SpanKind.Server));
        Assert.Equal("foo-service/1.0", barServer.GetAttribute("user_agent.original").StringValue);
        var bazServer = Assert.Single(spans.FromService(BazServiceApp.ServiceName).OfKind(SpanKind.Server));
        Assert.Equal("bar-service/1.0", bazServer.GetAttribute("user_agent.original").StringValue);
    }

    [Fact]
    public async Task GetOrder_WhenBarServiceIsUnreachable_Answers502AndRecordsTheExceptionOnItsSpan()
    {
        var spans = new SpanCollector();
        await using var foo = new WebApplicationFactory<FooService.Program>()
            .WithWebHostBuilder(web => web
                .UseSetting("Bar:BaseUrl", "http://127.0.0.1:1")
                .ConfigureServices(s => s.AddTracingCollector(spans)));
        using var client = foo.CreateClient();

        using var response = await client.GetAsync(new Uri("/orders/1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        var all = await spans.WaitForSpansAsync(3);
        var priceOrder = Assert.Single(all.Named("price-order"));
        Assert.Contains(priceOrder.Events, e => e.Name == "exception");
        Assert.Single(all.ToTraces());
    }
}
