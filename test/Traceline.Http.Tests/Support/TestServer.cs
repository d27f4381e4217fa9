using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Traceline.Export;
using Traceline.Sampling;

namespace Traceline.Http.Tests.Support;

/// <summary>One real ASP.NET Core service on Kestrel, 127.0.0.1, a random port, with AddTracing() and UseTracing().</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestServer(WebApplication app, InMemorySpanExporter exporter)
    {
        _app = app;
        Exporter = exporter;
        BaseAddress = new Uri(app.Urls.Single());
    }

    public Uri BaseAddress { get; }

    public InMemorySpanExporter Exporter { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Headers a service received on its last echo, keyed by name, for the header tests.</summary>
    public static string EchoHeaders(HttpRequest request) =>
        string.Join('\n', new[] { "traceparent", "tracestate", "baggage", "Correlation-Context", "Request-Id" }
            .Select(name => name + ":" + request.Headers[name].Count + ":" + string.Join('|', request.Headers[name].ToArray())));

    public static async Task<TestServer> StartAsync(
        string serviceName,
        Action<IServiceCollection>? services,
        Action<WebApplication> endpoints,
        Sampler? sampler = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");

        // Logging stays enabled (at Critical) so ASP.NET Core starts its own Activity for every request, as in production.
        builder.Logging.ClearProviders().AddProvider(new NullLoggingProvider()).SetMinimumLevel(LogLevel.Critical);
        var exporter = new InMemorySpanExporter();
        builder.Services.AddTracing(t =>
        {
            t.WithServiceName(serviceName).UseInMemoryExporter(exporter);
            if (sampler is not null)
            {
                t.WithSampler(sampler);
            }
        });
        services?.Invoke(builder.Services);
        var app = builder.Build();
        app.UseTracing();
        endpoints(app);
        await app.StartAsync();
        return new TestServer(app, exporter);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class NullLoggingProvider : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new NullLogger();

        public void Dispose()
        {
        }

        private sealed class NullLogger : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
            }
        }
    }
}
