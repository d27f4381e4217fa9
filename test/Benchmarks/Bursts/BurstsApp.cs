using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Traceline.Benchmarks.EndToEnd;
using Traceline.Export;

namespace Traceline.Benchmarks.Bursts;

/// <summary>
/// The app of the bursts scenario, on Traceline or on the OpenTelemetry .NET SDK, each with its defaults (batch 512,
/// queue 2,048, delay 5 s) and OTLP http/protobuf to the receiver: <c>/chain</c> calls <c>/hello</c> through a factory
/// HttpClient (3 spans a request), the untraced <c>/__ended</c> says how many spans ended and how many the batch
/// processor dropped so far, and the process's CPU time in ticks (<c>ended;dropped;cpu</c>). When its standard
/// input closes it stops gracefully and prints the spans it ended (<see cref="EndedPrefix"/>) after the tracer
/// provider's flush; each drop report of either library goes to stdout as it comes (<see cref="DropPrefix"/>).
/// </summary>
internal static class BurstsApp
{
    public const string EndedPath = "/__ended";
    public const string EndedPrefix = "BURSTS-ENDED ";
    public const string DropPrefix = "BURSTS-DROP ";
    public const string WarningPrefix = "BURSTS-WARN ";
    private const string SelfClient = "self";

    private static long s_ended;

    public static long Ended => Interlocked.Read(ref s_ended);

    /// <param name="exports">Traceline's <c>MaxConcurrentExports</c>; 0 for the library's default.</param>
    public static async Task<int> RunAsync(EndToEndMode mode, Uri receiver, int exports)
    {
        using var drops = new DropReportListener();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        Uri? self = null;
        var client = builder.Services.AddHttpClient(SelfClient, c => c.BaseAddress = self);
        if (mode == EndToEndMode.Otel)
        {
            builder.Services.AddOpenTelemetry()
                .ConfigureResource(r => r.AddService("bursts"))
                .WithTracing(t => t
                    .SetSampler(new AlwaysOnSampler())
                    .AddAspNetCoreInstrumentation(o => o.Filter = static ctx => !ctx.Request.Path.StartsWithSegments(EndedPath, StringComparison.Ordinal))
                    .AddHttpClientInstrumentation()
                    .AddProcessor(new CountingActivityProcessor())
                    .AddOtlpExporter(o =>
                    {
                        o.Endpoint = receiver;
                        o.Protocol = OpenTelemetry.Exporter.OtlpExportProtocol.HttpProtobuf;
                    }));
        }
        else
        {
            builder.Services.AddTracing(t => t
                .WithServiceName("bursts")
                .WithSampler(Traceline.Sampling.Sampler.AlwaysOn)
                .AddProcessor(new CountingSpanProcessor())
                .UseOtlpExporter(o =>
                {
                    o.Endpoint = receiver;
                    o.Protocol = OtlpExportProtocol.HttpProtobuf;
                    if (exports > 0)
                    {
                        o.MaxConcurrentExports = exports;
                    }
                }));
            client.AddTracingHandler();
        }

        var app = builder.Build();
        var dropped = mode == EndToEndMode.Otel
            ? SdkDropCounter(app.Services.GetRequiredService<OpenTelemetry.Trace.TracerProvider>())
            : TracelineDropCounter(app.Services.GetRequiredService<TracerProvider>());

        // Before the tracing middleware, so the harness's reads are never traced.
        app.Use(next => ctx => ctx.Request.Path.Equals(EndedPath, StringComparison.Ordinal)
            ? ctx.Response.WriteAsync(string.Create(CultureInfo.InvariantCulture, $"{Ended};{dropped()};{Environment.CpuUsage.TotalTime.Ticks}"))
            : next(ctx));
        if (mode != EndToEndMode.Otel)
        {
            app.UseTracing();
        }

        app.MapGet("/hello", static () => EndToEndServer.HelloText);
        app.MapGet("/chain", static (IHttpClientFactory clients) => clients.CreateClient(SelfClient).GetStringAsync("/hello"));

        await app.StartAsync().ConfigureAwait(false);
        var url = app.Urls.First(u => u.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        self = new Uri(url);
        Console.Out.WriteLine(EndToEndServer.ListeningPrefix + url);
        Console.Out.Flush();

        // The harness closes our stdin to stop us: the host stops, and disposing it shuts the tracer provider down,
        // which exports what is queued (both libraries, as on SIGTERM).
        while (await Console.In.ReadLineAsync().ConfigureAwait(false) is not null)
        {
        }

        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        Console.Out.WriteLine(EndedPrefix + Ended.ToString(CultureInfo.InvariantCulture));
        Console.Out.Flush();
        return 0;
    }

    private static Func<long> TracelineDropCounter(TracerProvider provider)
    {
        var batch = provider.Processors.OfType<BatchSpanProcessor>().Single();
        return () => batch.DroppedCount;
    }

    /// <summary>The SDK's batch processor keeps its drop count internal (read by reflection; -1 if its shape changed).</summary>
    private static Func<long> SdkDropCounter(OpenTelemetry.Trace.TracerProvider provider)
    {
        const BindingFlags Internal = BindingFlags.Instance | BindingFlags.NonPublic;
        var root = provider.GetType().GetProperty("Processor", Internal)?.GetValue(provider);
        var processors = root?.GetType().GetMethod("ToReadOnlyList", Internal)?.Invoke(root, null) as System.Collections.IEnumerable;
        var batch = processors?.OfType<BatchActivityExportProcessor>().FirstOrDefault() ?? root as BatchActivityExportProcessor;
        var property = typeof(BatchExportProcessor<Activity>).GetProperty("DroppedCount", Internal);
        return batch is null || property is null ? () => -1 : () => (long)property.GetValue(batch)!;
    }

    /// <summary>Counts the spans Traceline ended; the batch processor after it owns them.</summary>
    private sealed class CountingSpanProcessor : SpanProcessor
    {
        public override void OnEnd(Span span) => Interlocked.Increment(ref s_ended);
    }

    /// <summary>Counts the Activities the SDK ended, before its batch processor.</summary>
    private sealed class CountingActivityProcessor : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => Interlocked.Increment(ref s_ended);
    }

    /// <summary>
    /// Prints the drop reports of both libraries: Traceline's <c>SpansDropped</c> (spans since the last report) and
    /// the SDK's <c>ExistsDroppedExportProcessorItems</c> (all its drops, at shutdown), as "count text".
    /// </summary>
    private sealed class DropReportListener : EventListener
    {
        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name is "Traceline" or "OpenTelemetry-Sdk")
            {
                EnableEvents(eventSource, EventLevel.Warning);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs eventData)
        {
            var count = eventData.EventName switch
            {
                "SpansDropped" => eventData.Payload?[1],
                "ExistsDroppedExportProcessorItems" => eventData.Payload?[2],
                _ => null,
            };
            if (count is null && eventData.EventSource.Name == "Traceline")
            {
                // Any other Traceline warning (an export that failed or timed out): the harness shows these for a run
                // whose spans went missing without a drop report.
                var message = eventData.Message is { } format && eventData.Payload is { } values ? string.Format(CultureInfo.InvariantCulture, format, [.. values]) : eventData.EventName;
                Console.Out.WriteLine(WarningPrefix + eventData.EventName + ": " + message);
                Console.Out.Flush();
            }

            if (count is not null)
            {
                var text = eventData.Message is { } message && eventData.Payload is { } payload
                    ? string.Format(CultureInfo.InvariantCulture, message, [.. payload])
                    : eventData.EventName;
                Console.Out.WriteLine(DropPrefix + Convert.ToInt64(count, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture) + " " + text);
                Console.Out.Flush();
            }
        }
    }
}
