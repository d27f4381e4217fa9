using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using Traceline.AspNetCore.Tests.Fakes;

namespace Traceline.AspNetCore.Tests.Activities;

/// <summary>Captured ActivitySources and Activity.Current in real Kestrel apps called by real clients.</summary>
[Collection(ActivityCollection.Name)]
public sealed partial class ActivityInteropTests
{
    private static readonly ActivitySource Orders = new("Interop.Orders", "1.0.0");

    [Fact]
    public async Task CustomSource_ActivityInEndpoint_ChildOfServerSpanInOneTrace()
    {
        await using var app = await InteropApp.StartAsync(
            t => t.AddSource("Interop.*"),
            a => a.MapGet("/orders/{id}", async (string id) =>
            {
                using var activity = Orders.StartActivity("load-order");
                activity?.SetTag("order.id", id);
                await Task.Yield();
                return activity is null ? "not captured" : activity.TraceId.ToHexString();
            }));
        using var client = new HttpClient { BaseAddress = app.Address };

        var traceId = await client.GetStringAsync("/orders/42");

        var trace = app.WaitForTrace(spans => spans.Count == 2);
        var server = trace.Single(s => s.Kind == SpanKind.Server);
        var load = trace.Single(s => s.Name == "load-order");
        Assert.Equal(server.Context.TraceId.ToString(), traceId);
        Assert.Equal(server.Context.SpanId, load.ParentSpanId);
        Assert.Equal("Interop.Orders", load.Scope!.Name);
        Assert.Equal("42", load.Attributes.ToArray().Single(a => a.Key == "order.id").Value.StringValue);
    }

    [Fact]
    public async Task CustomSource_HttpClientCallInsideActivity_ClientSpanIsTheActivitysChild()
    {
        await using var callee = await InteropApp.StartAsync(_ => { }, a => a.MapGet("/stock", () => "7"));
        await using var app = await InteropApp.StartAsync(
            t => t.AddSource("Interop.*"),
            a => a.MapGet("/orders/{id}", async (string id, IHttpClientFactory clients) =>
            {
                using var activity = Orders.StartActivity("check-stock");
                return await clients.CreateClient("callee").GetStringAsync("/stock");
            }),
            b => b.Services.AddHttpClient("callee", c => c.BaseAddress = callee.Address).AddTracingHandler());
        using var client = new HttpClient { BaseAddress = app.Address };

        Assert.Equal("7", await client.GetStringAsync("/orders/42"));

        var trace = app.WaitForTrace(spans => spans.Count == 3);
        var server = trace.Single(s => s.Kind == SpanKind.Server);
        var check = trace.Single(s => s.Name == "check-stock");
        var call = trace.Single(s => s.Kind == SpanKind.Client);
        Assert.Equal(server.Context.SpanId, check.ParentSpanId);
        Assert.Equal(check.Context.SpanId, call.ParentSpanId);
        Assert.True(callee.Exporter.WaitFor(spans => spans.Count == 1, TestDefaults.Timeout));
        Assert.Equal(call.Context.SpanId, callee.Exporter.Spans.Single().ParentSpanId);
    }

    [Fact]
    public async Task LogScopes_InsideChildSpan_CarryTheChildsIds()

    {
        var logs = new CapturingLoggerProvider();
        await using var app = await InteropApp.StartAsync(
            _ => { },
            a => a.MapGet("/price", (Tracer tracer, ILoggerFactory loggers) =>
            {
                var logger = loggers.CreateLogger("Pricing");
                Log.Step(logger, "request");
                using (tracer.StartSpan("price-order"))
                {
                    Log.Step(logger, "pricing");
                }

                Log.Step(logger, "priced");
                return "ok";
            }),
            b =>
            {
                b.Logging.AddProvider(logs);
                b.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);
            });
        using var client = new HttpClient { BaseAddress = app.Address };

        await client.GetStringAsync("/price");

        var trace = app.WaitForTrace(spans => spans.Count == 2);
        var server = trace.Single(s => s.Kind == SpanKind.Server);
        var child = trace.Single(s => s.Name == "price-order");
        var records = logs.Records.Where(r => r.Category == "Pricing").ToDictionary(r => r.Message);
        Assert.Equal(child.Context.SpanId.ToString(), records["pricing"].ScopeValues["SpanId"]);
        Assert.Equal(server.Context.SpanId.ToString(), records["pricing"].ScopeValues["ParentId"]);
        Assert.Equal(child.Context.TraceId.ToString(), records["pricing"].ScopeValues["TraceId"]);
        Assert.Equal(server.Context.SpanId.ToString(), records["request"].ScopeValues["SpanId"]);
        Assert.Equal(server.Context.SpanId.ToString(), records["priced"].ScopeValues["SpanId"]);
    }

    [Fact]
    public async Task EverySourceListed_HttpClientCall_ExactlyOneClientSpanAndCalleeParentedByIt()
    {
        await using var callee = await InteropApp.StartAsync(t => t.AddSource("*"), a => a.MapGet("/profile", () => "profile"));
        await using var caller = await InteropApp.StartAsync(
            t => t.AddSource("*"),
            a => a.MapGet("/", async (IHttpClientFactory clients) =>
            {
                var client = clients.CreateClient("callee");
                return await client.GetStringAsync("/profile") + await client.GetStringAsync("/profile");
            }),
            b => b.Services.AddHttpClient("callee", c => c.BaseAddress = callee.Address).AddTracingHandler());
        using var client = new HttpClient { BaseAddress = caller.Address };

        Assert.Equal("profileprofile", await client.GetStringAsync("/"));

        var trace = caller.WaitForTrace(spans => spans.Count(s => s.Kind == SpanKind.Client && s.Scope?.Name != "Experimental.System.Net.Http.Connections") >= 2);
        var server = trace.Single(s => s.Kind == SpanKind.Server);
        var clientSpans = trace.Where(s => s.Kind == SpanKind.Client && s.Scope!.Name == "Traceline.Http").ToArray();
        Assert.Equal(2, clientSpans.Length);
        Assert.All(clientSpans, s => Assert.Equal(server.Context.SpanId, s.ParentSpanId));
        Assert.DoesNotContain(trace, s => s.Scope!.Name is "System.Net.Http" or "Microsoft.AspNetCore");

        Assert.True(callee.Exporter.WaitFor(spans => spans.Count(s => s.Kind == SpanKind.Server) == 2, TestDefaults.Timeout));
        var calleeServers = callee.Exporter.Spans.Where(s => s.Kind == SpanKind.Server).ToArray();
        Assert.Equal(clientSpans.Select(s => s.Context.SpanId.ToString()).Order(), calleeServers.Select(s => s.ParentSpanId.ToString()).Order());
        Assert.All(calleeServers, s => Assert.Equal(server.Context.TraceId, s.Context.TraceId));
    }

    [Fact]
    public async Task RuntimeConnectionSources_FirstConnection_WaitUnderClientSpanAndSetupLinkedFromIt()
    {
        await using var callee = await InteropApp.StartAsync(_ => { }, a => a.MapGet("/profile", () => "profile"));
        await using var caller = await InteropApp.StartAsync(
            t => t.AddSource("Experimental.System.Net.*"),
            a => a.MapGet("/", async (IHttpClientFactory clients) => await clients.CreateClient("callee").GetStringAsync("/profile")),
            b => b.Services.AddHttpClient("callee", c => c.BaseAddress = new Uri("http://localhost:" + callee.Address.Port)).AddTracingHandler());
        using var client = new HttpClient { BaseAddress = caller.Address };

        await client.GetStringAsync("/");

        var trace = caller.WaitForTrace(spans => spans.Any(s => s.Kind == SpanKind.Client && s.Scope!.Name == "Traceline.Http" && s.IsEnded && s.Links.Length > 0));
        var clientSpan = trace.Single(s => s.Kind == SpanKind.Client && s.Scope!.Name == "Traceline.Http");

        // Whatever the runtime records inside the request (waiting for a connection, when the request has to queue)
        // is a child of the client span.
        Assert.All(trace.Where(s => s.Scope!.Name.StartsWith("Experimental.System.Net", StringComparison.Ordinal)), s => Assert.Equal(clientSpan.Context.SpanId, s.ParentSpanId));

        // The runtime makes the connection's setup a root of its own (a connection serves later requests too) and the
        // request links to it; DNS and the socket connect are the setup's children.
        var setupContext = Assert.Single(clientSpan.Links.ToArray()).Context;
        Assert.True(caller.Exporter.WaitFor(spans => spans.Count(s => s.Context.TraceId == setupContext.TraceId) >= 3, TestDefaults.Timeout));
        var setupTrace = caller.Exporter.Spans.Where(s => s.Context.TraceId == setupContext.TraceId).ToArray();
        var setup = setupTrace.Single(s => s.Context.SpanId == setupContext.SpanId);
        Assert.StartsWith("HTTP connection_setup", setup.Name, StringComparison.Ordinal);
        Assert.Equal(default, setup.ParentSpanId);
        Assert.Contains(setupTrace, s => s.Name.StartsWith("DNS lookup", StringComparison.Ordinal) && s.ParentSpanId == setup.Context.SpanId);
        Assert.Contains(setupTrace, s => s.Name.StartsWith("socket connect", StringComparison.Ordinal) && s.ParentSpanId == setup.Context.SpanId);
    }

    [Fact]
    public async Task Npgsql_QueryInEndpoint_ChildOfRequestSpanInOneExportedTrace()
    {
        using var postgres = new PostgresServer();
        await using var dataSource = NpgsqlDataSource.Create(postgres.ConnectionString);
        await using var app = await InteropApp.StartAsync(
            t => t.AddSource("Npgsql"),
            a => a.MapGet("/orders/count", async () =>
            {
                await using var command = dataSource.CreateCommand("SELECT count(*) FROM pg_catalog.pg_class");
                return ((long)(await command.ExecuteScalarAsync())!).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }));
        using var client = new HttpClient { BaseAddress = app.Address };

        var count = await client.GetStringAsync("/orders/count");

        Assert.True(long.Parse(count, System.Globalization.CultureInfo.InvariantCulture) > 0);
        var trace = app.WaitForTrace(spans => spans.Any(s => s.Scope!.Name == "Npgsql" && s.Kind == SpanKind.Client && s.Attributes.ToArray().Any(a => a.Value.StringValue?.Contains("pg_class", StringComparison.Ordinal) == true)));
        var server = trace.Single(s => s.Kind == SpanKind.Server);
        var query = trace.Single(s => s.Scope!.Name == "Npgsql" && s.Attributes.ToArray().Any(a => a.Value.StringValue?.Contains("pg_class", StringComparison.Ordinal) == true));
        Assert.Equal(server.Context.SpanId, query.ParentSpanId);
        Assert.Equal(server.Context.TraceId, query.Context.TraceId);
        Assert.Contains(query.Attributes.ToArray(), a => a.Key.StartsWith("db.", StringComparison.Ordinal));
        Assert.True(query.EndTime <= server.EndTime);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Step}")]
        public static partial void Step(ILogger logger, string step);
    }
}
