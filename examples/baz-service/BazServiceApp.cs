using System.Diagnostics;

namespace Traceline.Examples.BazService;

/// <summary>
/// baz-service, the last hop: <c>GET /shelves/{id}</c> names the shelf that holds an item, in an Activity of the app's
/// own ActivitySource (code written against .NET's tracing API), which Traceline captures as a span of the trace.
/// </summary>
public static class BazServiceApp
{
    /// <summary>The service name on every span of this app.</summary>
    public const string ServiceName = "baz-service";

    /// <summary>The app's own ActivitySource, listed with <c>AddSource</c>.</summary>
    public const string ActivitySourceName = "Traceline.Examples.BazService";

    private static readonly ActivitySource Shelves = new(ActivitySourceName, "1.0.0");

    /// <summary>Builds the app from its configuration: appsettings.json, environment, then the command line.</summary>
    /// <param name="args">Command-line arguments, for example <c>--urls http://127.0.0.1:0</c>.</param>
    /// <param name="configureTracing">Extra tracing settings applied after the app's own (the demo adds a collector).</param>
    /// <returns>The app, ready to run or start.</returns>
    public static WebApplication Build(string[] args, Action<TracingBuilder>? configureTracing = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddTracing(t => t.WithServiceName(ServiceName).AddSource(ActivitySourceName));
        if (configureTracing is not null)
        {
            builder.Services.AddTracing(configureTracing);
        }

        var app = builder.Build();
        app.UseTracing();
        MapEndpoints(app);
        return app;
    }

    /// <summary>Maps the endpoints: <c>GET /shelves/{id}</c> and <c>GET /</c>.</summary>
    /// <param name="app">The app.</param>
    public static void MapEndpoints(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/", () => "baz-service: try GET /shelves/42");
        app.MapGet("/shelves/{id:int}", (int id) =>
        {
            // .NET's own tracing API: the Activity becomes a child span of the server span, exported with the others.
            using var activity = Shelves.StartActivity("read-shelf");
            activity?.SetTag("shelf.item", id);
            var shelf = $"shelf {(char)('A' + id % 4)}{id % 9 + 1}";
            activity?.AddEvent(new ActivityEvent("shelf.found", tags: new ActivityTagsCollection { ["shelf.name"] = shelf }));
            return shelf;
        });
    }
}
