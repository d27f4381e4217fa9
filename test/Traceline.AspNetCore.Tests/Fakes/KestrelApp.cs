using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Traceline.Export;

namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>A real Kestrel server on 127.0.0.1 and a random port, with the test endpoints and an in-memory exporter.</summary>
internal sealed class KestrelApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KestrelApp(WebApplication app, InMemorySpanExporter exporter, Uri address, ReadySignal ready)
    {
        _app = app;
        Ready = ready;
        Exporter = exporter;
        Address = address;
    }

    public InMemorySpanExporter Exporter { get; }

    public Uri Address { get; }

    /// <summary>
    /// A client of the app that sends no trace headers of its own: another test's listener of System.Net.Http in this
    /// process could otherwise give its requests a parent.
    /// </summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { ActivityHeadersPropagator = null }) { BaseAddress = Address };

    /// <summary>Completes when a request reached <c>/slow</c>, which then waits until the client aborts.</summary>
    public ReadySignal Ready { get; }

    public static Task<KestrelApp> StartAsync(HttpProtocols protocols = HttpProtocols.Http1, Action<TracingMiddlewareOptions>? middleware = null) =>
        StartAsync(new KestrelAppSetup { Protocols = protocols, Middleware = middleware });

    public static async Task<KestrelApp> StartAsync(KestrelAppSetup setup)
    {
        var protocols = setup.Protocols;
        var middleware = setup.Middleware;
        var exporter = new InMemorySpanExporter();
        var ready = new ReadySignal();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.ConfigureEndpointDefaults(l => l.Protocols = protocols));
        builder.Logging.ClearProviders();
        if (setup.Logs is { } logs)
        {
            builder.Logging.AddProvider(logs); // a logger is on, so ASP.NET Core starts its request Activity
        }

        builder.Services.AddTracing(
            t =>
            {
                t.UseInMemoryExporter(exporter);
                setup.Tracing?.Invoke(t);
            },
            TestDefaults.NoEnvironment);
        builder.Services.AddSingleton(ready);
        setup.Services?.Invoke(builder.Services);
        var app = builder.Build();
        setup.BeforeTracing?.Invoke(app);
        app.UseTracing(middleware);
        setup.AfterTracing?.Invoke(app);
        TestEndpoints.Map(app);
        app.MapGet("/slow", async (HttpContext context, ReadySignal ready) =>
        {
            ready.Arrived.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
            return "never";
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new KestrelApp(app, exporter, new Uri(address), ready);
    }

    public Span WaitForServerSpan(Func<Span, bool>? match = null)
    {
        Span? found = null;
        Assert.True(
            Exporter.WaitFor(spans => (found = spans.LastOrDefault(s => s.Kind == SpanKind.Server && (match is null || match(s)))) is not null, TestDefaults.Timeout),
            "No server span was exported.");
        return found!;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What a test changes in a <see cref="KestrelApp"/>: everything is optional.</summary>
internal sealed class KestrelAppSetup
{
    public HttpProtocols Protocols { get; init; } = HttpProtocols.Http1;

    public Action<TracingMiddlewareOptions>? Middleware { get; init; }

    public Action<TracingBuilder>? Tracing { get; init; }

    public Action<IServiceCollection>? Services { get; init; }

    /// <summary>Middleware added before <c>UseTracing()</c>.</summary>
    public Action<WebApplication>? BeforeTracing { get; init; }

    /// <summary>Middleware and endpoints added after <c>UseTracing()</c>.</summary>
    public Action<WebApplication>? AfterTracing { get; init; }

    /// <summary>A logger provider; none (no logging, so no request Activity) when <see langword="null"/>.</summary>
    public CapturingLoggerProvider? Logs { get; init; }
}

/// <summary>Lets a test wait until a request reached the endpoint.</summary>
internal sealed class ReadySignal
{
    public TaskCompletionSource Arrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
