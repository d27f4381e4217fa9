using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Traceline.AspNetCore.Tests.Reliability;

/// <summary>
/// foo → bar on real Kestrel under load: 5,000 requests, 64 in flight, each with its own caller trace. No request
/// fails, every trace is whole (four spans, correctly parented) and isolated (nothing from another request), no span
/// is exported twice, and once the spans are let go a full GC takes memory back to where it started.
/// </summary>
public class LoadTests
{
    private const int Requests = 5_000;
    private const int InFlight = 64;
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task FooToBar_FiveThousandRequestsSixtyFourInFlight_EveryTraceWholeIsolatedAndExportedOnce()
    {
        await using var bar = await TracedService.StartAsync("bar", app =>
            app.MapGet("/profile", (HttpContext context) => context.Request.Headers.TraceParent.ToString()));
        await using var foo = await TracedService.StartAsync("foo", app =>
            app.MapGet("/", async (IHttpClientFactory clients, Tracer tracer) =>
            {
                using var span = tracer.StartSpan("load-profile");
                return await clients.CreateClient("next").GetStringAsync("/profile");
            }), next: bar.Address);
        using var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = InFlight }) { BaseAddress = foo.Address };
        using var budget = new CancellationTokenSource(Budget);

        // Warm up (JIT, connection pools, Kestrel's memory pool) at the same concurrency, then take the baseline.
        await DriveAsync(client, 512, budget.Token);
        foo.Flush();
        bar.Flush();
        foo.Exporter.Clear();
        bar.Exporter.Clear();
        var baseline = FullGcMemory();

        var stopwatch = Stopwatch.StartNew();
        var callers = await DriveAsync(client, Requests, budget.Token);
        stopwatch.Stop();
        foo.Flush();
        bar.Flush();

        var probes = VerifyTraces(foo, bar, callers);

        // Memory: once the exported spans are let go, nothing else holds them (no leak through AsyncLocal, queues or pools).
        var after = FullGcMemory();
        Assert.All(probes, p => Assert.False(p.IsAlive, "an exported span is still referenced"));
        Assert.True(after - baseline < 16L << 20, $"memory grew from {baseline:N0} to {after:N0} bytes ({Requests} requests in {stopwatch.Elapsed})");
    }

    /// <summary>
    /// Checks every trace, then lets the exported spans go and returns weak references to a sample of them. Not async
    /// and not inlined, so that no local of the test's state machine keeps a span alive.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static WeakReference[] VerifyTraces(TracedService foo, TracedService bar, List<(TraceId TraceId, SpanId CallerSpanId)> callers)
    {
        var spans = foo.Exporter.Spans.Concat(bar.Exporter.Spans).ToList();
        Assert.Equal(Requests * 4, spans.Count);
        Assert.Equal(spans.Count, spans.Select(s => s.Context.SpanId).Distinct().Count()); // none exported twice

        var byTrace = spans.GroupBy(s => s.Context.TraceId).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(Requests, byTrace.Count); // isolated: one trace per request, nothing merged
        foreach (var (traceId, callerSpanId) in callers)
        {
            var trace = byTrace[traceId];
            var fooServer = Assert.Single(trace, s => s.Kind == SpanKind.Server && s.Name == "GET /");
            var inner = Assert.Single(trace, s => s.Kind == SpanKind.Internal);
            var fooClient = Assert.Single(trace, s => s.Kind == SpanKind.Client);
            var barServer = Assert.Single(trace, s => s.Kind == SpanKind.Server && s.Name == "GET /profile");
            Assert.Equal(callerSpanId, fooServer.ParentSpanId);
            Assert.Equal(fooServer.Context.SpanId, inner.ParentSpanId);
            Assert.Equal(inner.Context.SpanId, fooClient.ParentSpanId);
            Assert.Equal(fooClient.Context.SpanId, barServer.ParentSpanId);
        }

        foo.Exporter.Clear();
        bar.Exporter.Clear();
        return [.. Enumerable.Range(0, 100).Select(i => new WeakReference(spans[i * (spans.Count / 100)]))];
    }

    /// <summary>Sends <paramref name="count"/> requests, <see cref="InFlight"/> at a time, each from its own caller trace; all must succeed.</summary>
    private static async Task<List<(TraceId TraceId, SpanId CallerSpanId)>> DriveAsync(HttpClient client, int count, CancellationToken cancellationToken)
    {
        var callers = new (TraceId, SpanId)[count];
        var failures = 0;
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = InFlight, CancellationToken = cancellationToken }, async (i, token) =>
        {
            var traceId = TraceId.CreateRandom();
            var spanId = SpanId.CreateRandom();
            callers[i] = (traceId, spanId);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/");
            request.Headers.Add("traceparent", $"00-{traceId}-{spanId}-01");
            using var response = await client.SendAsync(request, token);
            var body = await response.Content.ReadAsStringAsync(token);

            // bar saw foo's client span in the same trace: the context crossed both hops.
            if (response.StatusCode != HttpStatusCode.OK || !body.StartsWith($"00-{traceId}-", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref failures);
            }
        });
        Assert.Equal(0, failures);
        return [.. callers];
    }

    private static long FullGcMemory()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
