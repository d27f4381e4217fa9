using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Traceline.Propagation;

namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>The endpoints every test app serves.</summary>
internal static partial class TestEndpoints
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/users/{id}", (string id) => "user " + id);
        endpoints.MapGet("/status/{code:int}", (int code) => Results.StatusCode(code));
        endpoints.MapGet("/throw", string () => throw new InvalidOperationException("boom"));
        endpoints.MapGet("/throw-async", async Task<string> () =>
        {
            await Task.Yield(); // the pipeline's task is still running when the middleware returns it
            throw new InvalidOperationException("boom later");
        });
        endpoints.MapGet("/activity", async () =>
        {
            await Task.Yield();
            var activity = Activity.Current;
            return activity is null ? "none" : activity.OperationName + " " + activity.TraceId + " " + activity.SpanId;
        });
        endpoints.MapGet("/health", () => "ok");
        endpoints.MapMethods("/custom", ["FOO"], () => "custom");
        endpoints.MapGet("/current", () =>
        {
            var span = Span.Current;
            return span is null ? "none" : span.Context + " " + span.IsRecording.ToString(CultureInfo.InvariantCulture);
        });
        endpoints.MapGet("/baggage", () => Baggage.Current.GetValue("k") ?? "none");
        endpoints.MapGet("/child", (Tracer tracer) =>
        {
            using var child = tracer.StartSpan("child");
            return child.Context.ToString();
        });
        endpoints.MapGet("/log", (ILoggerFactory loggers) =>
        {
            var logger = loggers.CreateLogger("Endpoint");
            Handled(logger);
            return "logged";
        });
        endpoints.MapGet("/problem", () => Results.Problem("bad things"));
        endpoints.MapGet("/header", (HttpContext context) =>
        {
            context.Response.Headers["X-Result"] = "done";
            return "header";
        });
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "handled")]
    private static partial void Handled(ILogger logger);
}
