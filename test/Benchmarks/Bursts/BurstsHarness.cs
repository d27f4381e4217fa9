using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Traceline.Benchmarks.EndToEnd;

namespace Traceline.Benchmarks.Bursts;

/// <summary>
/// Issue 23's bursts scenario: the same app on Traceline and on the OpenTelemetry SDK, the same closed-loop load, the
/// same slow OTLP receiver (<see cref="SlowOtlpReceiver"/>, in this process), then a graceful stop; per run, the spans
/// the app ended against the spans the receiver got, the drops the app reported, the export requests' sizes (during
/// the load, and the final flush apart) and the backlog (ended minus received) sampled during the load. Runs are
/// interleaved (traceline, otel, traceline, ...), each on a fresh app process.
/// </summary>
internal static class BurstsHarness
{
    private const int BatchSize = 512; // both libraries' default
    private const int SmallBatch = 128;
    private const double FullnessTarget = 0.9;
    private static readonly TimeSpan BacklogInterval = TimeSpan.FromMilliseconds(250);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        BurstsOptions options;
        try
        {
            options = BurstsOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        if (options.Serve is { } mode)
        {
            return await BurstsApp.RunAsync(mode, options.Receiver ?? throw new ArgumentException("--serve needs --receiver."), options.Exports).ConfigureAwait(false);
        }

        var output = Console.Out;
        output.WriteLine(Invariant($"Traceline bursts: {options.Runs} run(s) per mode x {options.Duration.TotalSeconds:0.#} s, {options.InFlight} requests in flight on {options.Endpoint}{(options.Rate > 0 ? $" at {options.Rate} req/s (open loop)" : " (closed loop)")}, receiver {options.PerSpanMicroseconds} us CPU per span, {options.ReceiverWorkers} worker(s); Traceline exports in flight: traceline {ExportsText(options.Exports)}{(options.Modes.Contains(EndToEndMode.TracelineB) ? $", traceline-b {options.ExportsB}" : "")}"));
        output.WriteLine(Invariant($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));
        await using var receiver = await SlowOtlpReceiver.StartAsync(TimeSpan.FromTicks(options.PerSpanMicroseconds * 10L), options.ReceiverWorkers).ConfigureAwait(false);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        if (options.Warmup > TimeSpan.Zero)
        {
            foreach (var m in options.Modes)
            {
                var warm = await RunOnceAsync(0, m, options, options.Warmup, receiver, client).ConfigureAwait(false);
                output.WriteLine(Invariant($"warm-up {EndToEndOptions.ModeName(m),-11} {warm.RequestsPerSecond,7:N0} req/s, dropped {warm.Dropped:N0} (not counted)"));
            }
        }

        var results = new List<RunResult>();
        for (var run = 1; run <= options.Runs; run++)
        {
            foreach (var m in options.Modes)
            {
                var result = await RunOnceAsync(run, m, options, options.Duration, receiver, client).ConfigureAwait(false);
                results.Add(result);
                output.WriteLine(Invariant(
                    $"run {run} {EndToEndOptions.ModeName(m),-11} {result.RequestsPerSecond,7:N0} req/s  cpu {result.CpuPerRequest,5:0} us/req  ended {result.Ended,9:N0}  received {result.Received,9:N0}  dropped {result.Dropped,6:N0} (reported {result.ReportedDrops:N0})  exports {result.Exports.Count,4} x {RunResult.Mean(result.Exports),5:0} spans (under load {RunResult.Mean(result.LoadExports),5:0}, <{SmallBatch}: {RunResult.Small(result.LoadExports),4:P0})  backlog mean {result.MeanBacklog,6:N0} max {result.MaxBacklog,6:N0}  receiver busy {result.ServiceMilliseconds,5:0.0} ms, idle till next {result.GapMilliseconds,5:0.0} ms (max {result.MaxGapMilliseconds,4:0} ms){(result.Malformed > 0 ? $"  MALFORMED {result.Malformed}" : "")}"));
                if (result.Mode != EndToEndMode.Otel && result.Dropped != result.ReportedDrops)
                {
                    foreach (var warning in result.Warnings.Take(10))
                    {
                        output.WriteLine("  app: " + warning);
                    }
                }

                if (options.Series)
                {
                    output.WriteLine("  backlog: " + string.Join(' ', result.Backlog));
                }
            }
        }

        output.WriteLine();
        Summarize(output, options, results);
        return results.Any(r => r.Malformed > 0 || r.Ended == 0) ? 1 : 0;
    }

    private static async Task<RunResult> RunOnceAsync(int run, EndToEndMode mode, BurstsOptions options, TimeSpan duration, SlowOtlpReceiver receiver, HttpClient client)
    {
        receiver.Reset();
        List<string> arguments = ["e2e-bursts", "--serve", EndToEndOptions.ModeName(mode), "--receiver", receiver.TracesUrl.ToString()];
        if (options.ExportsOf(mode) > 0)
        {
            arguments.AddRange(["--exports", options.ExportsOf(mode).ToString(CultureInfo.InvariantCulture)]);
        }

        var server = await ServerProcess.LaunchAsync(mode, arguments).ConfigureAwait(false);
        await using (server.ConfigureAwait(false))
        {
            var endedUrl = new Uri(server.Address, BurstsApp.EndedPath);
            using var stopSampling = new CancellationTokenSource();
            var cpuBefore = await ReadCpuAsync(client, endedUrl).ConfigureAwait(false);
            var sampling = SampleBacklogAsync(client, endedUrl, receiver, stopSampling.Token);
            var load = await LoadGenerator.RunAsync(server.EndPoint, options.Endpoint, options.InFlight, duration, options.Rate).ConfigureAwait(false);
            var loadEnd = Stopwatch.GetTimestamp();
            var cpu = await ReadCpuAsync(client, endedUrl).ConfigureAwait(false) - cpuBefore;
            await stopSampling.CancelAsync().ConfigureAwait(false);
            var backlog = await sampling.ConfigureAwait(false);
            if (load.Errors > 0 || load.Requests == 0)
            {
                throw new InvalidOperationException(Invariant($"{EndToEndOptions.ModeName(mode)}: {load.Errors} of {load.Requests} responses were not 200 OK.\n{server.ErrorOutput}"));
            }

            var exit = await server.StopAsync(TimeSpan.FromMinutes(1)).ConfigureAwait(false);
            if (exit != 0)
            {
                throw new InvalidOperationException(Invariant($"{EndToEndOptions.ModeName(mode)} did not stop cleanly (exit {exit?.ToString(CultureInfo.InvariantCulture) ?? "none, killed"}).\n{server.ErrorOutput}"));
            }

            long ended = -1;
            long reported = 0;
            foreach (var line in server.Output)
            {
                if (line.StartsWith(BurstsApp.EndedPrefix, StringComparison.Ordinal))
                {
                    ended = long.Parse(line.AsSpan(BurstsApp.EndedPrefix.Length), CultureInfo.InvariantCulture);
                }
                else if (line.StartsWith(BurstsApp.DropPrefix, StringComparison.Ordinal))
                {
                    var rest = line.AsSpan(BurstsApp.DropPrefix.Length);
                    reported += long.Parse(rest[..rest.IndexOf(' ')], CultureInfo.InvariantCulture);
                }
            }

            if (ended < 0)
            {
                throw new InvalidOperationException($"{EndToEndOptions.ModeName(mode)} printed no {BurstsApp.EndedPrefix.Trim()} line.\n{server.ErrorOutput}");
            }

            var exports = receiver.TakeExports();
            var warnings = server.Output.Where(l => l.StartsWith(BurstsApp.WarningPrefix, StringComparison.Ordinal)).ToList();
            return new RunResult(run, mode, load, ended, receiver.Spans, reported, receiver.Malformed, exports, loadEnd, backlog, cpu) { Warnings = warnings };
        }
    }

    /// <summary>The app's CPU time so far (its third <c>/__ended</c> field).</summary>
    private static async Task<TimeSpan> ReadCpuAsync(HttpClient client, Uri endedUrl) =>
        TimeSpan.FromTicks(long.Parse((await client.GetStringAsync(endedUrl).ConfigureAwait(false)).Split(';')[2], CultureInfo.InvariantCulture));

    private static string ExportsText(int exports) => exports > 0 ? exports.ToString(CultureInfo.InvariantCulture) : "default";

    /// <summary>Spans ended and not dropped (the app's counts) minus spans received (the receiver's), i.e. queued or in flight, every <see cref="BacklogInterval"/> while the load runs.</summary>
    private static async Task<List<long>> SampleBacklogAsync(HttpClient client, Uri endedUrl, SlowOtlpReceiver receiver, CancellationToken stop)
    {
        var samples = new List<long>();
        using var timer = new PeriodicTimer(BacklogInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var counts = (await client.GetStringAsync(endedUrl, stop).ConfigureAwait(false)).Split(';');
                var ended = long.Parse(counts[0], CultureInfo.InvariantCulture);
                var dropped = long.Parse(counts[1], CultureInfo.InvariantCulture);
                if (dropped >= 0)
                {
                    samples.Add(ended - dropped - receiver.Spans);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return samples;
    }

    private static void Summarize(TextWriter output, BurstsOptions options, List<RunResult> results)
    {
        output.WriteLine(Invariant($"Totals over {options.Runs} interleaved run(s) per mode ({options.Duration.TotalSeconds:0.#} s, {options.InFlight} in flight, {options.PerSpanMicroseconds} us/span, {options.ReceiverWorkers} receiver worker(s)):"));
        output.WriteLine("| mode        |   req/s | app CPU us/req | spans ended | received | dropped (runs) | dropped % | reported | exports | spans/export | under load | <128 under load | backlog mean | backlog max |");
        output.WriteLine("|-------------|--------:|---------------:|------------:|---------:|---------------:|----------:|---------:|--------:|-------------:|-----------:|----------------:|-------------:|------------:|");
        foreach (var mode in options.Modes)
        {
            var runs = results.Where(r => r.Mode == mode).ToList();
            var all = runs.SelectMany(r => r.Exports).ToList();
            var underLoad = runs.SelectMany(r => r.LoadExports).ToList();
            var backlog = runs.SelectMany(r => r.Backlog).ToList();
            output.WriteLine(Invariant(
                $"| {EndToEndOptions.ModeName(mode),-11} | {runs.Average(r => r.RequestsPerSecond),7:N0} | {runs.Sum(r => r.Cpu.TotalMicroseconds) / runs.Sum(r => r.Load.Requests),14:0} | {runs.Sum(r => r.Ended),11:N0} | {runs.Sum(r => r.Received),8:N0} | {runs.Sum(r => r.Dropped),7:N0} ({runs.Count(r => r.Dropped > 0)}/{runs.Count}) | {Share(runs.Sum(r => r.Dropped), runs.Sum(r => r.Ended)),9:P2} | {runs.Sum(r => r.ReportedDrops),8:N0} | {all.Count,7:N0} | {RunResult.Mean(all),12:0} | {RunResult.Mean(underLoad),10:0} | {RunResult.Small(underLoad),15:P0} | {(backlog.Count == 0 ? 0 : backlog.Average()),12:N0} | {(backlog.Count == 0 ? 0 : backlog.Max()),11:N0} |"));
        }

        output.WriteLine();
        if (options.Modes.Contains(EndToEndMode.Traceline) && options.Modes.Contains(EndToEndMode.Otel))
        {
            var traceline = results.Where(r => r.Mode == EndToEndMode.Traceline).ToList();
            var otel = results.Where(r => r.Mode == EndToEndMode.Otel).ToList();
            var dropped = traceline.Sum(r => r.Dropped);
            var otelDropped = otel.Sum(r => r.Dropped);
            output.WriteLine(Invariant(
                $"  drops: traceline {dropped:N0} of {traceline.Sum(r => r.Ended):N0} ({Share(dropped, traceline.Sum(r => r.Ended)):P2}), otel {otelDropped:N0} of {otel.Sum(r => r.Ended):N0} ({Share(otelDropped, otel.Sum(r => r.Ended)):P2}) (target: traceline drops no more than the SDK: {Verdict(Share(dropped, traceline.Sum(r => r.Ended)) <= Share(otelDropped, otel.Sum(r => r.Ended)))})"));
            var fullness = RunResult.Mean([.. traceline.SelectMany(r => r.LoadExports)]) / BatchSize;
            var otelFullness = RunResult.Mean([.. otel.SelectMany(r => r.LoadExports)]) / BatchSize;
            output.WriteLine(Invariant(
                $"  spans per export request under load, of the batch size {BatchSize}: traceline {fullness:0.00}x, otel {otelFullness:0.00}x (target: traceline >= {FullnessTarget:0.0}x: {Verdict(fullness >= FullnessTarget)})"));
            var unreported = results.Where(r => r.Mode != EndToEndMode.Otel && r.Dropped != r.ReportedDrops).ToList();
            output.WriteLine(Invariant(
                $"  every Traceline drop reported: {Verdict(unreported.Count == 0)}{(unreported.Count == 0 ? "" : $" (runs {string.Join(',', unreported.Select(r => r.Run))})")}"));
        }
    }

    private static double Share(long part, long whole) => whole == 0 ? 0 : part / (double)whole;

    private static string Verdict(bool met) => met ? "PASS" : "FAIL";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One run: the load, the app's counts, and what the receiver got (<paramref name="LoadEnd"/> splits the exports sent under load from the final flush).</summary>
    private sealed record RunResult(
        int Run,
        EndToEndMode Mode,
        LoadResult Load,
        long Ended,
        long Received,
        long ReportedDrops,
        long Malformed,
        List<ReceivedExport> Exports,
        long LoadEnd,
        List<long> Backlog,
        TimeSpan Cpu)
    {
        /// <summary>Gets the app's Traceline warnings other than drop reports.</summary>
        public List<string> Warnings { get; init; } = [];

        /// <summary>Gets the app's CPU per request during the load, in microseconds (its export path included).</summary>
        public double CpuPerRequest => Load.Requests == 0 ? 0 : Cpu.TotalMicroseconds / Load.Requests;

        public long Dropped => Ended - Received;

        public double RequestsPerSecond => Load.RequestsPerSecond;

        /// <summary>Gets the export requests that arrived while the load ran: the sustained state, the final flush left out.</summary>
        public List<ReceivedExport> LoadExports => [.. Exports.Where(e => e.Timestamp < LoadEnd)];

        /// <summary>Gets the mean time from an export's arrival to its answer, under load.</summary>
        public double ServiceMilliseconds => LoadExports is { Count: > 0 } e ? e.Average(x => (x.Answered - x.Timestamp) * 1000.0 / Stopwatch.Frequency) : 0;

        /// <summary>Gets the mean time from one export's answer to the next one's arrival, under load: the exporter's turnaround.</summary>
        public double GapMilliseconds
        {
            get
            {
                var e = LoadExports;
                double sum = 0;
                for (var i = 1; i < e.Count; i++)
                {
                    sum += (e[i].Timestamp - e[i - 1].Answered) * 1000.0 / Stopwatch.Frequency;
                }

                return e.Count > 1 ? sum / (e.Count - 1) : 0;
            }
        }

        /// <summary>Gets the longest time the receiver waited for the next export under load: the exporter's worst stall.</summary>
        public double MaxGapMilliseconds
        {
            get
            {
                var e = LoadExports;
                long max = 0;
                for (var i = 1; i < e.Count; i++)
                {
                    max = Math.Max(max, e[i].Timestamp - e[i - 1].Answered);
                }

                return max * 1000.0 / Stopwatch.Frequency;
            }
        }

        public double MeanBacklog => Backlog.Count == 0 ? 0 : Backlog.Average();

        public long MaxBacklog => Backlog.Count == 0 ? 0 : Backlog.Max();

        public static double Mean(List<ReceivedExport> exports) => exports.Count == 0 ? 0 : exports.Average(e => e.Spans);

        public static double Small(List<ReceivedExport> exports) => exports.Count == 0 ? 0 : exports.Count(e => e.Spans < SmallBatch) / (double)exports.Count;
    }
}
