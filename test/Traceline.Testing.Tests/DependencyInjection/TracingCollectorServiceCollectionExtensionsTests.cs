using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Traceline.Testing.Tests.DependencyInjection;

public sealed class TracingCollectorServiceCollectionExtensionsTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AddTracingCollector_BeforeOrAfterAppsAddTracing_ReplacesTheAppsExporterAndKeepsItsServiceName(bool collectorFirst)
    {
        var collector = new SpanCollector();
        var appExporter = new CountingExporter();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        if (collectorFirst)
        {
            builder.Services.AddTracingCollector(collector);
        }

        builder.Services.AddTracing(t => t.WithServiceName("orders").AddExporter(appExporter).UseStdoutExporter());
        if (!collectorFirst)
        {
            builder.Services.AddTracingCollector(collector);
        }

        await using (var app = builder.Build())
        {
            app.UseTracing();
            app.MapGet("/orders/{id}", (string id, Tracer tracer) =>
            {
                tracer.StartSpan("load").SetAttribute("order.id", id).End();
                return id;
            });
            await app.StartAsync();
            using var client = app.GetTestClient();

            Assert.Equal("7", await client.GetStringAsync(new Uri("/orders/7", UriKind.Relative)));

            var spans = await collector.WaitForSpansAsync(2);
            var trace = Assert.Single(spans.ToTraces());
            Assert.Equal("GET /orders/{id}", trace.Root.Name);
            Assert.Equal("load", Assert.Single(trace.GetChildren(trace.Root)).Name);
            Assert.All(spans, s => Assert.Equal("orders", s.Resource!.ServiceName));
            await app.StopAsync();
        }

        // Stopping flushed the provider: had the app's exporter stayed, it would hold the spans now.
        Assert.Equal(0, appExporter.Count);
    }

    [Fact]
    public async Task AddTracingCollector_AppWithoutAddTracing_AddsItSoUseTracingWorks()
    {
        var collector = new SpanCollector();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddTracingCollector(collector);
        await using var app = builder.Build();
        app.UseTracing();
        app.MapGet("/", () => "hi");
        await app.StartAsync();

        await app.GetTestClient().GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Equal(SpanKind.Server, Assert.Single(await collector.WaitForSpansAsync(1)).Kind);
    }

    [Fact]
    public async Task AddTracingCollector_CalledTwice_LastCollectorWins()
    {
        var first = new SpanCollector();
        var last = new SpanCollector();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddTracingCollector(first).AddTracingCollector(last);
        await using var app = builder.Build();
        app.UseTracing();
        app.MapGet("/", () => "hi");
        await app.StartAsync();

        await app.GetTestClient().GetStringAsync(new Uri("/", UriKind.Relative));

        await last.WaitForSpansAsync(1);
        Assert.Equal(0, first.Count);
    }
}
