using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Traceline.Examples.BarService;
using Traceline.Examples.FooService;
using Traceline.Testing;

namespace Traceline.Examples.Tests;

/// <summary>
/// foo-service, bar-service and baz-service, each in its own WebApplicationFactory, wired to one another through their
/// test servers, all sending their spans to one <see cref="SpanCollector"/>.
/// </summary>
internal sealed class ExampleServices : IAsyncDisposable
{
    public ExampleServices()
    {
        Baz = new WebApplicationFactory<BazService.Program>()
            .WithWebHostBuilder(web => web.ConfigureServices(services => services.AddTracingCollector(Spans)));
        Bar = new WebApplicationFactory<BarService.Program>()
            .WithWebHostBuilder(web => web.ConfigureServices(services =>
            {
                services.AddTracingCollector(Spans);
                services.AddHttpClient(BarServiceApp.BazClient).ConfigurePrimaryHttpMessageHandler(() => Baz.Server.CreateHandler());
            }));
        Foo = new WebApplicationFactory<FooService.Program>()
            .WithWebHostBuilder(web => web.ConfigureServices(services =>
            {
                services.AddTracingCollector(Spans);
                services.AddHttpClient<BarClient>().ConfigurePrimaryHttpMessageHandler(() => Bar.Server.CreateHandler());
            }));
    }

    public SpanCollector Spans { get; } = new();

    public WebApplicationFactory<FooService.Program> Foo { get; }

    public WebApplicationFactory<BarService.Program> Bar { get; }

    public WebApplicationFactory<BazService.Program> Baz { get; }

    public async ValueTask DisposeAsync()
    {
        await Foo.DisposeAsync();
        await Bar.DisposeAsync();
        await Baz.DisposeAsync();
    }
}
