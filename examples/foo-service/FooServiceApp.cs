using Microsoft.Extensions.Options;

namespace Traceline.Examples.FooService;

/// <summary>
/// foo-service, the entry of the example: <c>GET /orders/{id}</c> prices the order in a span of its own and asks
/// bar-service for stock through a typed HttpClient that carries the trace. Built here so that the demo and the tests
/// host exactly the app that <c>dotnet run</c> runs.
/// </summary>
public static class FooServiceApp
{
    /// <summary>The service name on every span of this app.</summary>
    public const string ServiceName = "foo-service";

    /// <summary>Builds the app from its configuration: appsettings.json, environment, then the command line.</summary>
    /// <param name="args">Command-line arguments, for example <c>--urls http://127.0.0.1:0 --Bar:BaseUrl http://127.0.0.1:5002</c>.</param>
    /// <param name="configureTracing">Extra tracing settings applied after the app's own (the demo adds a collector).</param>
    /// <returns>The app, ready to run or start.</returns>
    public static WebApplication Build(string[] args, Action<TracingBuilder>? configureTracing = null)
    {
        var builder = WebApplication.CreateBuilder(args);

        // Tracing: one line. Exporter from configuration (Tracing:Exporter / OTEL_TRACES_EXPORTER), stdout by default.
        builder.Services.AddTracing(t => t.WithServiceName(ServiceName));
        if (configureTracing is not null)
        {
            builder.Services.AddTracing(configureTracing);
        }

        builder.Services.AddOptions<BarOptions>().BindConfiguration(BarOptions.Section);

        // A typed client: AddTracingHandler gives each call a client span and sends traceparent to bar-service.
        builder.Services.AddHttpClient<BarClient>((services, client) =>
            {
                client.BaseAddress = new Uri(services.GetRequiredService<IOptions<BarOptions>>().Value.BaseUrl);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("foo-service/1.0");
            })
            .AddTracingHandler();

        var app = builder.Build();
        app.UseTracing();
        MapEndpoints(app);
        return app;
    }

    /// <summary>Maps the endpoints: <c>GET /orders/{id}</c> and <c>GET /</c>.</summary>
    /// <param name="app">The app.</param>
    public static void MapEndpoints(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => "foo-service: try GET /orders/42");
        app.MapGet("/orders/{id:int}", GetOrderAsync);
    }

    private static async Task<IResult> GetOrderAsync(int id, Tracer tracer, BarClient bar, CancellationToken cancellationToken)
    {
        // A span of our own: a child of the server span that UseTracing started, parent of the call to bar-service.
        using var span = tracer.StartSpan("price-order");
        span.SetAttribute("order.id", id);
        var price = 10 + (id % 7);
        span.AddEvent("order.priced", new SpanAttribute("order.price", price));
        try
        {
            var stock = await bar.GetStockAsync(id, cancellationToken);
            return Results.Ok(new { order = id, price, stock });
        }
        catch (HttpRequestException ex)
        {
            span.RecordException(ex);
            return Results.Problem($"bar-service did not answer at {bar.BaseAddress}: {ex.Message}", statusCode: StatusCodes.Status502BadGateway);
        }
    }
}
