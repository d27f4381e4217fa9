using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Traceline.Export;

namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>
/// An in-process app (TestServer through WebApplicationFactory) with the middleware first, endpoint routing, the
/// test endpoints of <see cref="TestEndpoints"/>, an in-memory exporter and a capturing logger.
/// </summary>
/// <remarks>
/// The app is this test assembly (its entry point and deps file satisfy WebApplicationFactory); the content root is its
/// output folder (<see cref="CreateHost"/>); the host itself comes from <see cref="CreateHostBuilder"/>.
/// </remarks>
internal sealed class TracingAppFactory : WebApplicationFactory<TracingAppFactory>
{
    public InMemorySpanExporter Exporter { get; } = new();

    public CapturingLoggerProvider Logs { get; } = new();

    public Action<TracingBuilder>? Tracing { get; init; }

    /// <summary>Replaces the default in-memory pipeline (for tests of batching and shutdown).</summary>
    public bool UseDefaultExporter { get; init; } = true;

    public Action<TracingMiddlewareOptions>? Middleware { get; init; }

    /// <summary>Adds middleware in front of the tracing middleware (to see what it leaves behind for its caller).</summary>
    public Action<IApplicationBuilder>? BeforeTracing { get; init; }

    public Action<IEndpointRouteBuilder>? Endpoints { get; init; }

    public Action<IServiceCollection>? ConfigureServices { get; init; }

    public Dictionary<string, string?> Configuration { get; init; } = [];

    public Func<string, string?> Environment { get; init; } = TestDefaults.NoEnvironment;

    /// <summary>Waits until the server span of a request has been exported, and returns it.</summary>
    public Span WaitForServerSpan(Func<Span, bool>? match = null)
    {
        Span? found = null;
        Assert.True(
            Exporter.WaitFor(spans => (found = spans.LastOrDefault(s => s.Kind == SpanKind.Server && (match is null || match(s)))) is not null, TestDefaults.Timeout),
            "No server span was exported.");
        return found!;
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        // Set last, so it wins over the solution-relative guess WebApplicationFactory makes for a test assembly.
        builder.UseContentRoot(AppContext.BaseDirectory);
        return base.CreateHost(builder);
    }

    protected override IHostBuilder CreateHostBuilder() =>
        Host.CreateDefaultBuilder()
            .ConfigureAppConfiguration(c => c.AddInMemoryCollection(Configuration))
            .ConfigureLogging(l => l.ClearProviders().AddProvider(Logs).SetMinimumLevel(LogLevel.Debug))
            .ConfigureWebHost(web => web
                .ConfigureServices(services =>
                {
                    services.AddRouting();
                    services.AddProblemDetails();
                    services.AddTracing(
                        t =>
                        {
                            if (UseDefaultExporter)
                            {
                                t.UseInMemoryExporter(Exporter);
                            }

                            Tracing?.Invoke(t);
                        },
                        Environment);
                    ConfigureServices?.Invoke(services);
                })
                .Configure(app =>
                {
                    BeforeTracing?.Invoke(app);
                    app.UseTracing(Middleware);
                    app.UseRouting();
                    app.UseEndpoints(endpoints =>
                    {
                        TestEndpoints.Map(endpoints);
                        Endpoints?.Invoke(endpoints);
                    });
                }));
}
