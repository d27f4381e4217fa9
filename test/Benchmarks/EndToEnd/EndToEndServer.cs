using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Microsoft.AspNetCore.Hosting;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>
/// The service under load, in one of three <see cref="EndToEndMode"/>s: <c>/hello</c> returns a small string,
/// <c>/chain</c> calls <c>/hello</c> through a factory HttpClient (inbound + outbound + inbound), and the untraced
/// <c>/__stats</c> reports the process's allocation, CPU and memory counters to the harness.
/// </summary>
/// <remarks>
/// Logging providers are cleared in every mode: with a logger enabled, ASP.NET Core starts an Activity per request
/// even with no listener, and the zero would not be zero. The three modes differ in tracing only. With
/// <c>--logging</c> every mode gets an enabled logger that writes nothing, to measure what tracing adds to an app as
/// usually deployed (ASP.NET Core's own Activity is then paid for in every mode).
/// </remarks>
internal static class EndToEndServer
{
    public const string ListeningPrefix = "E2E-LISTENING ";
    public const string StatsPath = "/__stats";
    public const string AllocationsPath = "/__allocations";
    public const string HelloText = "Hello, World!";
    private const string SelfClient = "self";

    private static long s_requestsWithActivity;

    public static async Task<int> RunAsync(EndToEndMode mode, bool profileAllocations, bool logging)
    {
        using var sampler = profileAllocations ? new AllocationSampler() : null;
        var untraced = mode is EndToEndMode.None or EndToEndMode.None2 or EndToEndMode.Headers;
        if (untraced)
        {
            // Nothing to inject: .NET's HttpClient diagnostics and ASP.NET Core's hosting propagate nothing.
            DistributedContextPropagator.Current = DistributedContextPropagator.CreateNoOutputPropagator();
        }

        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        if (logging)
        {
            builder.Logging.AddProvider(new SilentLoggerProvider());
        }
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var self = new SelfAddress();
        builder.Services.AddSingleton(self);
        if (untraced)
        {
            builder.Services.AddSingleton(DistributedContextPropagator.Current);
        }

        var client = builder.Services.AddHttpClient(SelfClient, (sp, c) => c.BaseAddress = sp.GetRequiredService<SelfAddress>().Uri);
        switch (mode)
        {
            case EndToEndMode.Traceline or EndToEndMode.TracelineB:
                builder.Services.AddTracing(t => t
                    .WithServiceName("e2e")
                    .WithSampler(Traceline.Sampling.Sampler.AlwaysOn)
                    .AddExporter(new CountingSpanExporter()));
                client.AddTracingHandler(o => o.KeepRuntimeInstrumentation = ExperimentKeepsRuntimeStage(mode));
                break;
            case EndToEndMode.Otel:
                builder.Services.AddOpenTelemetry()
                    .ConfigureResource(r => r.AddService("e2e"))
                    .WithTracing(t => t
                        .SetSampler(new OpenTelemetry.Trace.AlwaysOnSampler())
                        .AddAspNetCoreInstrumentation(o => o.Filter = static ctx => ctx.Request.Path.Value?.StartsWith("/__", StringComparison.Ordinal) != true)
                        .AddHttpClientInstrumentation()
                        .AddProcessor(new OpenTelemetry.BatchActivityExportProcessor(new CountingActivityExporter())));
                break;
            case EndToEndMode.Headers:
                client.AddHttpMessageHandler(() => new TraceParentOnlyHandler());
                break;
        }

        var app = builder.Build();
        // Before the tracing middleware, so the harness's own reads are never traced.
        app.Use(next => ctx =>
            ctx.Request.Path.Equals(StatsPath, StringComparison.Ordinal) ? WriteStatsAsync(ctx)
            : ctx.Request.Path.Equals(AllocationsPath, StringComparison.Ordinal) ? ctx.Response.WriteAsync(sampler?.TakeReport() ?? "")
            : next(ctx));
        if (mode is EndToEndMode.Traceline or EndToEndMode.TracelineB)
        {
            app.UseTracing();
        }

        app.MapGet("/hello", static () =>
        {
            if (Activity.Current is not null)
            {
                Interlocked.Increment(ref s_requestsWithActivity);
            }

            return HelloText;
        });
        app.MapGet("/chain", static (IHttpClientFactory clients) => clients.CreateClient(SelfClient).GetStringAsync("/hello"));

        await app.StartAsync().ConfigureAwait(false);
        var url = app.Urls.First(u => u.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        self.Uri = new Uri(url);
        Console.Out.WriteLine(ListeningPrefix + url);
        Console.Out.Flush();

        // The harness closes our stdin to stop us.
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is not null)
        {
        }

        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// The change under A/B in <see cref="EndToEndMode.TracelineB"/>: here, the runtime's own per-request stage kept in
    /// the traced client (as before 2026-12-07 evening). Earlier experiments are in docs/benchmarks.md.
    /// </summary>
    private static bool ExperimentKeepsRuntimeStage(EndToEndMode mode) => mode == EndToEndMode.TracelineB;

    private static Task WriteStatsAsync(HttpContext context)
    {
        using var process = Process.GetCurrentProcess();
        var stats = new ServerStats(
            GC.GetTotalAllocatedBytes(precise: true),
            process.TotalProcessorTime.Ticks,
            process.WorkingSet64,
            process.PeakWorkingSet64,
            ExportedSpans.Count,
            Interlocked.Read(ref s_requestsWithActivity),
            GC.CollectionCount(0),
            System.Runtime.JitInfo.GetCompilationTime().Ticks,
            GC.GetTotalPauseDuration().Ticks,
            ThreadPool.CompletedWorkItemCount,
            ContextSwitches());
        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync(stats.Format());
    }

    /// <summary>
    /// Context switches of all the process's threads (Linux; 0 elsewhere): each is a thread that blocked or was
    /// preempted, so with the pool's work items they show how often the server's threads go idle and wake again.
    /// </summary>
    private static long ContextSwitches()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        long total = 0;
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (var line in File.ReadLines(Path.Combine(task, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                        || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += long.Parse(line.AsSpan(line.IndexOf(':', StringComparison.Ordinal) + 1).Trim(), CultureInfo.InvariantCulture);
                    }
                }
            }
            catch (IOException)
            {
                // The thread ended while being read: its switches are lost from both readings alike.
            }
        }

        return total;
    }

    private sealed class SelfAddress
    {
        public Uri Uri { get; set; } = new("http://127.0.0.1/");
    }
}
