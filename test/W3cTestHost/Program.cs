using System.Text;
using System.Text.Json;

// The W3C Trace Context harness protocol (test/README.md of w3c/trace-context): POST /test carries a JSON array of
// {url, arguments}; for each element the service POSTs `arguments` to `url`, in order, inside the request's trace.
// Only the public API: AddTracing + UseTracing on the way in, an HttpClient with AddTracingHandler on the way out.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddTracing(t => t.WithServiceName("w3c-test-host"));
builder.Services.AddHttpClient("harness").AddTracingHandler();

var app = builder.Build();
app.UseTracing();
app.MapGet("/ready", () => "ready");
app.MapPost("/test", async (HttpRequest request, IHttpClientFactory clients) =>
{
    using var document = await JsonDocument.ParseAsync(request.Body);
    var client = clients.CreateClient("harness");
    foreach (var call in document.RootElement.EnumerateArray())
    {
        var url = call.GetProperty("url").GetString();
        using var body = new StringContent(call.GetProperty("arguments").GetRawText(), Encoding.UTF8, "application/json");
        using var response = await client.PostAsync(url, body);
    }

    return Results.Ok();
});
app.Run();
