// The Traceline demo: three services in one process, each on a free 127.0.0.1 port, each with its own tracer
// provider and stdout exporter, exactly as they run alone. A few requests go to foo-service; every span is printed as
// a tree (or JSON with --json); then each trace is drawn as a tree and checked: every parent id must be found (exit code 1 if not).
using System.Globalization;
using Traceline;
using Traceline.Examples.BarService;
using Traceline.Examples.BazService;
using Traceline.Examples.FooService;
using Traceline.Testing;

const string W3CExampleTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const string W3CExampleTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
const string W3CExampleParentId = "00f067aa0ba902b7";
const int SpansPerRequest = 8; // per service: server span + own span (+ client span for foo and bar)
const string CapturedSpanName = "read-shelf"; // baz-service's own span is an Activity of its ActivitySource

string[] services = [FooServiceApp.ServiceName, BarServiceApp.ServiceName, BazServiceApp.ServiceName];
var spans = new SpanCollector();

// Each service prints its part of every trace to stdout as a tree (--json: one pretty JSON object a span, the layout
// `traceline view` reads) and also hands its spans to the collector for the summary.
var format = args.Contains("--json") ? Traceline.Export.StdoutFormat.Pretty : Traceline.Export.StdoutFormat.Tree;
void Tracing(TracingBuilder t) => t.UseStdoutExporter(o => o.Format = format).UseSpanCollector(spans);
static string[] Args(params string[] more) =>
[
    "--urls", "http://127.0.0.1:0",
    "--Logging:LogLevel:Default", "Warning",
    "--Logging:LogLevel:Microsoft.AspNetCore", "Warning",
    .. more,
];

Console.WriteLine("Traceline demo: foo-service -> bar-service -> baz-service, one trace across three services.");
if (args.Contains("--split"))
{
    Console.WriteLine("--split: bar-service calls baz-service without the tracing handler and with Tracing:Http:AllClients=false; expect broken traces and exit code 1.");
}

Console.WriteLine();

var baz = BazServiceApp.Build(Args(), Tracing);
await baz.StartAsync();
var bazUrl = baz.Urls.First();
// --split: bar-service calls baz-service with a client that has no tracing handler, and has every-client tracing
// switched off (a client without the handler is traced by default), so it sends no traceparent: each trace breaks in two.
var split = args.Contains("--split");
var bar = BarServiceApp.Build(
    Args("--Baz:BaseUrl", bazUrl, "--Baz:Traced", split ? "false" : "true", "--Tracing:Http:AllClients", split ? "false" : "true"),
    Tracing);
await bar.StartAsync();
var barUrl = bar.Urls.First();
var foo = FooServiceApp.Build(Args("--Bar:BaseUrl", barUrl), Tracing);
await foo.StartAsync();
var fooUrl = foo.Urls.First();
Console.WriteLine($"  foo-service on {fooUrl}, bar-service on {barUrl}, baz-service on {bazUrl}");
Console.WriteLine();

var failures = new List<string>();
(int Id, string? TraceParent)[] requests = [(42, W3CExampleTraceParent), (7, null), (13, null)];
using (var client = new HttpClient { BaseAddress = new Uri(fooUrl), Timeout = TimeSpan.FromSeconds(10) })
{
    client.DefaultRequestHeaders.UserAgent.ParseAdd("traceline-demo/1.0");
    foreach (var (id, traceParent) in requests)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"/orders/{id}", UriKind.Relative));
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        Console.WriteLine(traceParent is null
            ? $"GET /orders/{id}  (no traceparent: foo-service starts a new trace)"
            : $"GET /orders/{id}  traceparent: {traceParent}  (the W3C specification's example)");
        try
        {
            // The demo's own client is not one of the services: its calls are not traced (the three services share
            // this process, and a call with no current span would become a root client span of one of them).
            using var untraced = Traceline.Tracing.Suppress();
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Console.WriteLine($"  -> {(int)response.StatusCode} {body}");
            if (!response.IsSuccessStatusCode)
            {
                failures.Add($"GET /orders/{id} answered {(int)response.StatusCode}");
            }
        }
        catch (HttpRequestException ex)
        {
            Console.WriteLine($"  -> failed: {ex.Message}");
            failures.Add($"GET /orders/{id} failed: {ex.Message}");
        }
    }
}

// A server span ends just after its response is written: wait for every span rather than sleeping.
var expected = (split ? SpansPerRequest - 1 : SpansPerRequest) * requests.Length;
try
{
    await spans.WaitForSpansAsync(expected, TimeSpan.FromSeconds(10));
}
catch (TimeoutException ex)
{
    failures.Add(ex.Message);
}

// Stopping a host flushes its provider: every span it recorded reaches stdout before StopAsync returns.
Console.WriteLine();
Console.WriteLine("Stopping the services; each one flushes its spans to stdout:");
Console.WriteLine();
foreach (var app in new[] { foo, bar, baz })
{
    await app.StopAsync();
    await app.DisposeAsync();
}

Console.WriteLine();
Console.WriteLine("=== Trace summary ===");
var traces = spans.Traces;
foreach (var trace in traces)
{
    Console.WriteLine();
    Console.WriteLine(trace);
    foreach (var service in services)
    {
        if (!trace.Spans.FromService(service).Any())
        {
            failures.Add($"trace {trace.TraceId} has no span from {service}");
        }
    }

    if (!trace.IsWhole)
    {
        failures.Add($"trace {trace.TraceId} is broken: {trace.Roots.Count} spans have no parent in it");
        Console.WriteLine("  BROKEN: below the first root, these spans name a parent that no service recorded: "
            + string.Join(", ", trace.Roots.Skip(1).Select(r => $"{r.Resource?.ServiceName} {r.Name} (parent {r.ParentSpanId})")));
    }
    else if (trace.HasExternalParent)
    {
        Console.WriteLine($"  whole: every parent id was found, except the root's parent {trace.Root.ParentSpanId}: that is the caller's span "
            + "from the traceparent header, recorded outside these services (external, not missing).");
    }
    else
    {
        Console.WriteLine("  whole: every parent id was found; the root has no parent.");
    }
}

// baz-service records its shelf lookup with .NET's ActivitySource API; Traceline captured each Activity as a span.
var captured = traces.Select(t => t.Spans.FirstOrDefault(s => s.Scope?.Name == BazServiceApp.ActivitySourceName)).ToArray();
Console.WriteLine();
Console.WriteLine($"Captured from ActivitySource \"{BazServiceApp.ActivitySourceName}\": "
    + string.Join(", ", captured.Where(s => s is not null).Select(s => $"{s!.Name} (parent {s.ParentSpanId})")));
if (captured.Any(s => s?.Name != CapturedSpanName))
{
    failures.Add($"not every trace holds baz-service's captured Activity '{CapturedSpanName}'");
}

var w3c = traces.FirstOrDefault(t => t.TraceId.ToString() == W3CExampleTraceId);
if (w3c is null)
{
    failures.Add($"no trace continued the W3C example trace {W3CExampleTraceId}");
}
else if (!w3c.IsWhole || w3c.Root.ParentSpanId.ToString() != W3CExampleParentId)
{
    failures.Add($"the W3C example trace's root should have the external parent {W3CExampleParentId}");
}

if (traces.Count != requests.Length)
{
    failures.Add($"expected {requests.Length} traces (one per request), found {traces.Count}");
}

Console.WriteLine();
if (failures.Count == 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"OK: {traces.Count} traces, {spans.Count} spans from {services.Length} services; every trace is whole."));
    return 0;
}

foreach (var failure in failures)
{
    Console.WriteLine($"FAILED: {failure}");
}

return 1;
