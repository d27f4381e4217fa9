namespace Traceline.Examples.BarService;

/// <summary>
/// bar-service, the middle hop: <c>GET /stock/{id}</c> checks stock in a span of its own and asks baz-service which
/// shelf holds the item, through a named HttpClient that carries the trace.
/// </summary>
public static class BarServiceApp
{
    /// <summary>The service name on every span of this app.</summary>
    public const string ServiceName = "bar-service";

    /// <summary>The name of the HttpClient that calls baz-service.</summary>
    public const string BazClient = "baz";

    /// <summary>Builds the app from its configuration: appsettings.json, environment, then the command line.</summary>
    /// <param name="args">Command-line arguments, for example <c>--urls http://127.0.0.1:0 --Baz:BaseUrl http://127.0.0.1:5003</c>.</param>
    /// <param name="configureTracing">Extra tracing settings applied after the app's own (the demo adds a collector).</param>
    /// <returns>The app, ready to run or start.</returns>
    public static WebApplication Build(string[] args, Action<TracingBuilder>? configureTracing = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddTracing(t => t.WithServiceName(ServiceName));
        if (configureTracing is not null)
        {
            builder.Services.AddTracing(configureTracing);
        }

        // A named client, from configuration key Baz:BaseUrl.
        var bazUrl = builder.Configuration["Baz:BaseUrl"] ?? "http://127.0.0.1:5003";
        var baz = builder.Services.AddHttpClient(BazClient, client =>
            {
                client.BaseAddress = new Uri(bazUrl);
                client.DefaultRequestHeaders.UserAgent.ParseAdd("bar-service/1.0");
            });

        // Baz:Traced=false leaves the handler out, to show what a client without it does: the trace splits in two.
        if (builder.Configuration.GetValue("Baz:Traced", defaultValue: true))
        {
            baz.AddTracingHandler();
        }

        var app = builder.Build();
        app.UseTracing();
        MapEndpoints(app);
        return app;
    }

    /// <summary>Maps the endpoints: <c>GET /stock/{id}</c> and <c>GET /</c>.</summary>
    /// <param name="app">The app.</param>
    public static void MapEndpoints(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => "bar-service: try GET /stock/42");
        app.MapGet("/stock/{id:int}", GetStockAsync);
    }

    private static async Task<IResult> GetStockAsync(int id, Tracer tracer, IHttpClientFactory clients, CancellationToken cancellationToken)
    {
        using var span = tracer.StartSpan("check-stock");
        span.SetAttribute("stock.item", id);
        var count = id % 5 + 1;
        span.AddEvent("stock.counted", new SpanAttribute("stock.count", count));
        var baz = clients.CreateClient(BazClient);
        try
        {
            var shelf = await baz.GetStringAsync(new Uri($"/shelves/{id}", UriKind.Relative), cancellationToken);
            return Results.Text($"{count} in stock on {shelf}");
        }
        catch (HttpRequestException ex)
        {
            span.RecordException(ex);
            return Results.Problem($"baz-service did not answer at {baz.BaseAddress}: {ex.Message}", statusCode: StatusCodes.Status502BadGateway);
        }
    }
}
