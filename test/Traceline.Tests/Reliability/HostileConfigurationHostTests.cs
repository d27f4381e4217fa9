using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Traceline.AspNetCore;
using Traceline.Tests.Otlp;

namespace Traceline.Tests.Reliability;

/// <summary>
/// Every numeric and structured variable of README's configuration table (and the configuration key of a setting that
/// has no variable) with hostile values, each in a real app on
/// Kestrel (127.0.0.1) exporting over OTLP to a real receiver: the app serves, its spans arrive with the defaults,
/// the bad value is reported exactly once naming the variable, and no secret is in any report. Many hosts run at
/// once in this process, so the whole table takes seconds.
/// </summary>
public sealed class HostileConfigurationHostTests
{
    private const string Secret = "s3cr3t-token";
    private const string ConcurrentExportsKey = "Tracing:Otlp:MaxConcurrentExports";

    // A host's shutdown flush may take this long (not the 5 s default): eight hosts stop at once, and on a loaded
    // machine a flush can stall past 5 s, which loses the spans this test counts. Its timing is not what it checks.
    private static readonly TimeSpan StalledShutdown = TimeSpan.FromMinutes(1);

    private static readonly string[] Numbers =
    [
        "OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE",
        "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT", "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT",
        "OTEL_SPAN_EVENT_COUNT_LIMIT", "OTEL_SPAN_LINK_COUNT_LIMIT", "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT",
        "OTEL_ATTRIBUTE_COUNT_LIMIT", "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT",
    ];

    // Negative, past int, past the range, non-ASCII digits, blank, inner space, a sign, a fraction, hex.
    private static readonly string[] HostileNumbers = ["-1", "99999999999", "2147483648", "\u0661\u0662", " ", "1 0", "+5", "1.5", "0x10"];

    private static readonly string[] StartAtOne = ["OTEL_EXPORTER_OTLP_TIMEOUT", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_BSP_MAX_QUEUE_SIZE", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE", "OTEL_BSP_SCHEDULE_DELAY", "OTEL_BSP_EXPORT_TIMEOUT"];

    public static TheoryData<string, string> Cases()
    {
        var cases = new TheoryData<string, string>();
        foreach (var variable in Numbers)
        {
            foreach (var value in HostileNumbers)
            {
                cases.Add(variable, value);
            }
        }

        foreach (var variable in StartAtOne)
        {
            cases.Add(variable, "0");
        }

        foreach (var variable in new[] { "OTEL_EXPORTER_OTLP_HEADERS", "OTEL_EXPORTER_OTLP_TRACES_HEADERS" })
        {
            cases.Add(variable, "=,=");
            cases.Add(variable, "authorization=" + new string('s', 100_000) + Secret);
            cases.Add(variable, "api-key=" + Secret + "%0D%0AX-Evil:1,bad key=" + Secret);
        }

        cases.Add("OTEL_RESOURCE_ATTRIBUTES", "=,=");
        cases.Add("OTEL_RESOURCE_ATTRIBUTES", "a=%zz,b");
        cases.Add("OTEL_SDK_DISABLED", "yes please");
        cases.Add("OTEL_TRACES_SAMPLER", "sometimes");
        cases.Add("OTEL_TRACES_SAMPLER_ARG", "2"); // read by the ratio sampler set below
        cases.Add("OTEL_TRACES_SAMPLER_ARG", "NaN");
        cases.Add("OTEL_PROPAGATORS", "carrier-pigeon");
        cases.Add("OTEL_EXPORTER_OTLP_PROTOCOL", "carrier-pigeon");
        cases.Add("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/2");
        cases.Add("OTEL_EXPORTER_OTLP_COMPRESSION", "zip");
        cases.Add("OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "brotli");

        // No OTEL_ variable names the exports in flight: its configuration key gets the same hostile values.
        foreach (var value in HostileNumbers.Append("0").Append("17"))
        {
            cases.Add(ConcurrentExportsKey, value);
        }

        return cases;
    }

    [Fact]
    public async Task EveryHostileValue_AppServes_SpansArriveWithDefaults_OneReportWithoutSecrets()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1);
        var cases = Cases().Select(row => ((string)row[0], (string)row[1])).ToList();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var index = 0;

        // The first host alone (it pays for the JIT), then eight at a time: each is a whole app with its own port,
        // environment, logger and provider.
        await RunAsync(receiver, cases[0].Item1, cases[0].Item2, Interlocked.Increment(ref index), failures);
        foreach (var chunk in cases.Skip(1).Chunk(8))
        {
            await Task.WhenAll(chunk.Select(c => RunAsync(receiver, c.Item1, c.Item2, Interlocked.Increment(ref index), failures)));
        }

        Assert.True(failures.IsEmpty, $"{failures.Count} of {cases.Count} cases failed:\n" + string.Join("\n", failures));
    }

    private static async Task RunAsync(OtlpTestReceiver receiver, string variable, string value, int index, System.Collections.Concurrent.ConcurrentQueue<string> failures)
    {
        var shown = value.Length > 40 ? value[..40] + "…" : value;
        var environment = new Dictionary<string, string>
        {
            ["OTEL_TRACES_EXPORTER"] = "otlp",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address.ToString(),
            ["OTEL_SERVICE_NAME"] = "hostile-" + index,
        };
        if (variable == "OTEL_TRACES_SAMPLER_ARG")
        {
            environment["OTEL_TRACES_SAMPLER"] = "parentbased_traceidratio";
        }

        var log = new CapturingLoggerFactory();
        var builder = WebApplication.CreateSlimBuilder();
        if (variable.StartsWith("Tracing:", StringComparison.Ordinal))
        {
            builder.Configuration[variable] = value;
        }
        else
        {
            environment[variable] = value;
        }

        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddTracing(t => t.WithLoggerFactory(log), environment.GetValueOrDefault);
        builder.Services.Configure<TracingHostingOptions>(o => o.ShutdownTimeout = StalledShutdown);
        await using var app = builder.Build();
        app.UseTracing();
        app.MapGet("/", () => "ok");
        await app.StartAsync();

        var traceId = $"{index:x32}";
        using (var client = new HttpClient { BaseAddress = new Uri(app.Urls.First()) })
        {
            for (var i = 0; i < 3; i++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/");
                request.Headers.Add("traceparent", $"00-{traceId}-00f067aa0ba902b{i}-01");
                using var response = await client.SendAsync(request);
                if (await response.Content.ReadAsStringAsync() != "ok")
                {
                    failures.Enqueue($"{variable}={shown}: the app did not serve");
                }
            }
        }

        await app.StopAsync(); // the shutdown flush sends every span, whatever the schedule delay

        var arrived = receiver.Requests.Where(r => r.Path == "/v1/traces")
            .SelectMany(r => r.DecodeProtobuf().ResourceSpans).SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans)
            .Count(s => Convert.ToHexStringLower(s.TraceId.ToByteArray()) == traceId);
        if (arrived != 3)
        {
            failures.Enqueue($"{variable}={shown}: {arrived} of 3 spans arrived");
        }

        var reports = log.Messages("InvalidConfiguration").ToList();
        if (reports.Count != 1 || !reports[0].Contains(variable, StringComparison.Ordinal))
        {
            failures.Enqueue($"{variable}={shown}: {reports.Count} reports: {string.Join(" | ", reports)}");
        }

        if (log.AllText.Contains(Secret, StringComparison.Ordinal) || log.AllText.Contains("sssssssss", StringComparison.Ordinal))
        {
            failures.Enqueue($"{variable}={shown}: a secret is in a report");
        }
    }
}
