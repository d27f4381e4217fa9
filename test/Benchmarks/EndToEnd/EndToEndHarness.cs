using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>
/// Starts the app once per <see cref="EndToEndMode"/> as a child process of this one, drives each in turn with
/// <see cref="LoadGenerator"/>, interleaved (none, traceline, otel, then traceline, otel, none, ...) so drift on a noisy
/// machine shows in every mode alike and no mode keeps one slot of the order, and prints medians and ratios against the
/// targets of issue 17.
/// </summary>
internal static class EndToEndHarness
{
    private const double CpuTarget = 0.6;
    private const double BytesTarget = 0.5;
    private static readonly TimeSpan MaxExtraWarmup = TimeSpan.FromSeconds(30);

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        EndToEndOptions options;
        try
        {
            options = EndToEndOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
            return 2;
        }

        if (options.Serve is { } mode)
        {
            return await EndToEndServer.RunAsync(mode, options.AllocationProfile, options.Logging).ConfigureAwait(false);
        }

        var output = Console.Out;
        CpuPinning? pinning = null;
        if (options.Pin)
        {
            try
            {
                pinning = CpuPinning.PinLoadGenerator();
            }
            catch (InvalidOperationException ex)
            {
                await Console.Error.WriteLineAsync(ex.Message).ConfigureAwait(false);
                return 2;
            }
        }

        output.WriteLine(Invariant($"Traceline end-to-end: {options.Rounds} round(s) x {options.Duration.TotalSeconds:0.#} s per mode and endpoint, {options.Connections} connections, warmup {options.Warmup.TotalSeconds:0.#} s{(options.Logging ? ", an enabled (silent) logger in every mode" : "")}{(options.NoSpin ? ", servers' thread pool not spinning" : "")}{(options.Rate > 0 ? $", open loop at {options.Rate} req/s" : ", closed loop")}{(options.Fresh ? ", new server processes every round" : "")}"));
        output.WriteLine(Invariant($"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, {(options.ServerGc ? "Server" : "Workstation")} GC{(pinning is null ? "" : $", servers pinned to CPU {pinning.ServerCpus}, load generator to CPU {pinning.LoadCpus}")}, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC"));

        var servers = new List<ServerProcess>();
        try
        {
            using var stats = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            if (!options.Fresh)
            {
                await StartAndWarmAsync(servers, options, pinning, stats, output, "").ConfigureAwait(false);
            }

            var samples = new List<Sample>();
            var profiles = new Dictionary<(string, EndToEndMode), AllocationProfile>();
            for (var round = 1; round <= options.Rounds; round++)
            {
                if (options.Fresh)
                {
                    await DisposeAllAsync(servers).ConfigureAwait(false);
                    await StartAndWarmAsync(servers, options, pinning, stats, output, Invariant($"round {round} ")).ConfigureAwait(false);
                }

                foreach (var endpoint in options.Endpoints)
                {
                    // Each round starts one mode later (none, traceline, otel; then traceline, otel, none; ...), so no
                    // mode always runs first or always follows the same one: an advantage of a slot in the order
                    // spreads over all modes instead of biasing one ratio.
                    for (var slot = 0; slot < servers.Count; slot++)
                    {
                        var server = servers[(slot + round - 1) % servers.Count];
                        if (options.AllocationProfile)
                        {
                            _ = await server.ReadAllocationsAsync(stats).ConfigureAwait(false); // drop what came before
                        }

                        var before = await server.ReadStatsAsync(stats).ConfigureAwait(false);
                        var load = await LoadGenerator.RunAsync(server.EndPoint, endpoint, options.Connections, options.Duration, options.Rate).ConfigureAwait(false);
                        var after = await server.ReadStatsAsync(stats).ConfigureAwait(false);
                        ThrowOnErrors(server, endpoint, load);
                        var sample = new Sample(round, endpoint, server.Mode, load, before, after);
                        samples.Add(sample);
                        if (options.AllocationProfile)
                        {
                            var profile = profiles.TryGetValue((endpoint, server.Mode), out var p) ? p : profiles[(endpoint, server.Mode)] = new AllocationProfile();
                            profile.Add(await server.ReadAllocationsAsync(stats).ConfigureAwait(false), load.Requests);
                        }

                        output.WriteLine(Invariant(
                            $"round {round} {endpoint,-7}{EndToEndOptions.ModeName(server.Mode),-10}{sample.BytesPerRequest,9:N0} B/req{load.RequestsPerSecond,10:N0} req/s  p50 {load.P50.TotalMilliseconds,6:0.00} ms  p99 {load.P99.TotalMilliseconds,6:0.00} ms{sample.CpuMicrosecondsPerRequest,8:0.0} us CPU/req{sample.GcPauseMicrosecondsPerRequest,6:0.0} us GC/req{sample.Gen0PerThousandRequests,6:0.0} gen0/1k{sample.JitMilliseconds,7:0} ms JIT"));
                    }
                }
            }

            output.WriteLine();
            foreach (var endpoint in options.Endpoints)
            {
                Summarize(output, options, endpoint, samples);
            }

            foreach (var ((endpoint, profiledMode), profile) in profiles)
            {
                output.WriteLine(Invariant($"Sampled allocations, {endpoint} {EndToEndOptions.ModeName(profiledMode)} (bytes per request by type, top 15):"));
                foreach (var (type, bytes) in profile.Top(15))
                {
                    output.WriteLine(Invariant($"  {bytes,8:N0}  {type}"));
                }
            }

            foreach (var server in servers)
            {
                var final = await server.ReadStatsAsync(stats).ConfigureAwait(false);
                output.WriteLine(Invariant(
                    $"{EndToEndOptions.ModeName(server.Mode),-10} spans exported {final.ExportedSpans:N0}, requests that saw an Activity in /hello {final.RequestsWithActivity:N0}"));
            }

            return 0;
        }
        finally
        {
            await DisposeAllAsync(servers).ConfigureAwait(false);
        }
    }

    /// <summary>Starts one server per mode and warms each on every endpoint until its JIT is quiet.</summary>
    private static async Task StartAndWarmAsync(List<ServerProcess> servers, EndToEndOptions options, CpuPinning? pinning, HttpClient stats, TextWriter output, string prefix)
    {
        foreach (var m in options.Modes)
        {
            servers.Add(await ServerProcess.StartAsync(m, options, pinning).ConfigureAwait(false));
        }

        if (options.Warmup <= TimeSpan.Zero)
        {
            return;
        }

        foreach (var endpoint in options.Endpoints)
        {
            foreach (var server in servers)
            {
                var warm = await LoadGenerator.RunAsync(server.EndPoint, endpoint, options.Connections, options.Warmup, options.Rate).ConfigureAwait(false);
                ThrowOnErrors(server, endpoint, warm);
                var (extra, quiet) = await WarmUntilJitQuietAsync(server, endpoint, options, stats).ConfigureAwait(false);
                output.WriteLine(Invariant(
                    $"{prefix}warm-up {endpoint,-7}{EndToEndOptions.ModeName(server.Mode),-10}{(options.Warmup + extra).TotalSeconds,4:0} s{(quiet ? "" : ", JIT still busy")}"));
            }
        }
    }

    private static async Task DisposeAllAsync(List<ServerProcess> servers)
    {
        foreach (var server in servers)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }

        servers.Clear();
    }

    private static void Summarize(TextWriter output, EndToEndOptions options, string endpoint, List<Sample> samples)
    {
        output.WriteLine(Invariant($"{endpoint}: medians of {options.Rounds} interleaved round(s), {options.Connections} connections, {options.Duration.TotalSeconds:0.#} s each"));
        output.WriteLine("| mode      | CPU us/req | added CPU us/req |   B/req | added B/req |    req/s | GC us/req | GC us/collection | gen0/1k req | p50 ms | p99 ms | peak WS MB |");
        output.WriteLine("|-----------|-----------:|-----------------:|--------:|------------:|---------:|----------:|-----------------:|------------:|-------:|-------:|-----------:|");
        var hasNone = options.Modes.Contains(EndToEndMode.None);
        foreach (var mode in options.Modes)
        {
            var added = mode == EndToEndMode.None || !hasNone ? "" : Invariant($"{PairedDifference(samples, endpoint, mode, s => s.CpuMicrosecondsPerRequest):+0.0;-0.0;0.0}");
            var addedBytes = mode == EndToEndMode.None || !hasNone ? "" : Invariant($"{PairedDifference(samples, endpoint, mode, s => s.BytesPerRequest):+#,0;-#,0;0}");
            output.WriteLine(Invariant(
                $"| {EndToEndOptions.ModeName(mode),-9} | {Median(samples, endpoint, mode, s => s.CpuMicrosecondsPerRequest),10:0.0} | {added,16} | {Median(samples, endpoint, mode, s => s.BytesPerRequest),7:N0} | {addedBytes,11} | {Median(samples, endpoint, mode, s => s.Load.RequestsPerSecond),8:N0} | {Median(samples, endpoint, mode, s => s.GcPauseMicrosecondsPerRequest),9:0.00} | {Median(samples, endpoint, mode, s => s.GcPauseMicrosecondsPerCollection),16:0} | {Median(samples, endpoint, mode, s => s.Gen0PerThousandRequests),11:0.0} | {Median(samples, endpoint, mode, s => s.Load.P50.TotalMilliseconds),6:0.00} | {Median(samples, endpoint, mode, s => s.Load.P99.TotalMilliseconds),6:0.00} | {Max(samples, endpoint, mode, s => s.After.PeakWorkingSet / 1048576.0),10:0.0} |"));
        }

        output.WriteLine();
        if (hasNone)
        {
            SummarizeAgainstSdk(output, options, endpoint, samples);
            foreach (var mode in options.Modes)
            {
                if (mode == EndToEndMode.None)
                {
                    continue;
                }

                var rpsRatios = PairedRatios(samples, endpoint, mode, s => s.Load.RequestsPerSecond);
                var spread = rpsRatios.Count > 1 ? Invariant($" [rounds {rpsRatios.Min():P0} to {rpsRatios.Max():P0}]") : "";
                output.WriteLine(Invariant(
                    $"  {EndToEndOptions.ModeName(mode)}/none: req/s {MedianOf(rpsRatios):P1}{spread}, p50 x{PairedRatio(samples, endpoint, mode, s => s.Load.P50.TotalMilliseconds):0.00}, p99 x{PairedRatio(samples, endpoint, mode, s => s.Load.P99.TotalMilliseconds):0.00}, CPU/req x{PairedRatio(samples, endpoint, mode, s => s.CpuMicrosecondsPerRequest):0.00}"));
            }
        }

        output.WriteLine("  added CPU us/req per round: " + string.Join("  ", options.Modes.Where(m => m != EndToEndMode.None).Select(mode =>
            EndToEndOptions.ModeName(mode) + " " + string.Join('/', PairedDifferences(samples, endpoint, mode, s => s.CpuMicrosecondsPerRequest).Select(d => Invariant($"{d:+0.0;-0.0;0.0}"))))));
        output.WriteLine("  wake-ups per request (medians), thread-pool work items / context switches: " + string.Join("  ", options.Modes.Select(mode =>
            Invariant($"{EndToEndOptions.ModeName(mode)} {Median(samples, endpoint, mode, s => s.PoolWorkItemsPerRequest):0.00} / {Median(samples, endpoint, mode, s => s.ContextSwitchesPerRequest):0.00}"))));
        output.WriteLine("  req/s per round: " + string.Join("  ", options.Modes.Select(mode =>
            EndToEndOptions.ModeName(mode) + " " + string.Join('/', samples.Where(s => s.Endpoint == endpoint && s.Mode == mode).Select(s => Invariant($"{s.Load.RequestsPerSecond:0}"))))));
        output.WriteLine();
    }

    /// <summary>
    /// The targets of issue 17, each Traceline figure over the SDK's of the same run: CPU and bytes added per request
    /// over <c>none</c> (medians of the per-round differences), and req/s relative to <c>none</c>. <c>none2</c>'s added
    /// CPU, when it ran, is the noise floor every added figure carries.
    /// </summary>
    private static void SummarizeAgainstSdk(TextWriter output, EndToEndOptions options, string endpoint, List<Sample> samples)
    {
        if (!options.Modes.Contains(EndToEndMode.Traceline) || !options.Modes.Contains(EndToEndMode.Otel))
        {
            return;
        }

        var cpu = PairedDifference(samples, endpoint, EndToEndMode.Traceline, s => s.CpuMicrosecondsPerRequest);
        var otelCpu = PairedDifference(samples, endpoint, EndToEndMode.Otel, s => s.CpuMicrosecondsPerRequest);
        var floor = options.Modes.Contains(EndToEndMode.None2)
            ? Invariant($"; noise floor none2 {PairedDifference(samples, endpoint, EndToEndMode.None2, s => s.CpuMicrosecondsPerRequest):+0.0;-0.0;0.0} us")
            : "";
        output.WriteLine(Invariant(
            $"  CPU added per request: traceline {cpu:+0.0;-0.0;0.0} us, otel {otelCpu:+0.0;-0.0;0.0} us -> {cpu / otelCpu:0.00} of the SDK's (target <= {CpuTarget:0.00}: {Verdict(cpu / otelCpu <= CpuTarget)}){floor}"));
        var bytes = PairedDifference(samples, endpoint, EndToEndMode.Traceline, s => s.BytesPerRequest);
        var otelBytes = PairedDifference(samples, endpoint, EndToEndMode.Otel, s => s.BytesPerRequest);
        output.WriteLine(Invariant(
            $"  bytes added per request: traceline {bytes:+#,0;-#,0;0} B, otel {otelBytes:+#,0;-#,0;0} B -> {bytes / otelBytes:0.00} of the SDK's (target <= {BytesTarget:0.00}: {Verdict(bytes / otelBytes <= BytesTarget)})"));
        var rps = PairedRatio(samples, endpoint, EndToEndMode.Traceline, s => s.Load.RequestsPerSecond);
        var otelRps = PairedRatio(samples, endpoint, EndToEndMode.Otel, s => s.Load.RequestsPerSecond);
        output.WriteLine(Invariant(
            $"  req/s of none: traceline {rps:P1}, otel {otelRps:P1} (target: traceline >= otel: {Verdict(rps >= otelRps)})"));
    }

    /// <summary>
    /// Tiered compilation goes on compiling for many seconds after a server first sees load (hundreds of ms of JIT in
    /// a 5 s round, measured), which would charge one mode's round for work the others already finished. Keeps the load
    /// on, in short steps, until a step sees almost no JIT (under 1 % of its time), for at most <see cref="MaxExtraWarmup"/>.
    /// A later burst can still land in the first round (the JIT column of each round shows it); the medians and the
    /// paired ratios are what keep one such round from deciding a result.
    /// </summary>
    private static async Task<(TimeSpan Extra, bool Quiet)> WarmUntilJitQuietAsync(ServerProcess server, string endpoint, EndToEndOptions options, HttpClient stats)
    {
        var step = TimeSpan.FromSeconds(2);
        var extra = TimeSpan.Zero;
        while (extra < MaxExtraWarmup)
        {
            var before = await server.ReadStatsAsync(stats).ConfigureAwait(false);
            var load = await LoadGenerator.RunAsync(server.EndPoint, endpoint, options.Connections, step, options.Rate).ConfigureAwait(false);
            var after = await server.ReadStatsAsync(stats).ConfigureAwait(false);
            ThrowOnErrors(server, endpoint, load);
            extra += step;
            if (after.JitTicks - before.JitTicks < step.Ticks / 100)
            {
                return (extra, true);
            }
        }

        return (extra, false);
    }

    private static string Verdict(bool met) => met ? "PASS" : "FAIL";

    /// <summary>The median over rounds of mode/none, each ratio taken within one round, so slow drift cancels.</summary>
    private static double PairedRatio(List<Sample> samples, string endpoint, EndToEndMode mode, Func<Sample, double> value) =>
        MedianOf(PairedRatios(samples, endpoint, mode, value));

    /// <summary>mode/none in each round.</summary>
    private static List<double> PairedRatios(List<Sample> samples, string endpoint, EndToEndMode mode, Func<Sample, double> value)
    {
        var ratios = new List<double>();
        foreach (var sample in samples)
        {
            if (sample.Endpoint == endpoint && sample.Mode == mode
                && samples.FirstOrDefault(s => s.Endpoint == endpoint && s.Round == sample.Round && s.Mode == EndToEndMode.None) is { } baseline)
            {
                ratios.Add(value(sample) / value(baseline));
            }
        }

        return ratios;
    }

    /// <summary>The median over rounds of mode - none, each difference taken within one round.</summary>
    private static double PairedDifference(List<Sample> samples, string endpoint, EndToEndMode mode, Func<Sample, double> value) =>
        MedianOf(PairedDifferences(samples, endpoint, mode, value));

    /// <summary>mode - none in each round.</summary>
    private static List<double> PairedDifferences(List<Sample> samples, string endpoint, EndToEndMode mode, Func<Sample, double> value)
    {
        var differences = new List<double>();
        foreach (var sample in samples)
        {
            if (sample.Endpoint == endpoint && sample.Mode == mode
                && samples.FirstOrDefault(s => s.Endpoint == endpoint && s.Round == sample.Round && s.Mode == EndToEndMode.None) is { } baseline)
            {
                differences.Add(value(sample) - value(baseline));
            }
        }

        return differences;
    }

    private static double Median(List<Sample> samples, string endpoint, EndToEndMode mode, Func<Sample, double> value) =>
        MedianOf([.. samples.Where(s => s.Endpoint == endpoint && s.Mode == mode).Select(value)]);

    private static double Max(List<Sample> samples, string endpoint, EndToEndMode mode, Func<Sample, double> value) =>
        samples.Where(s => s.Endpoint == endpoint && s.Mode == mode).Select(value).DefaultIfEmpty(double.NaN).Max();

    private static double MedianOf(List<double> values)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        values.Sort();
        var middle = values.Count / 2;
        return values.Count % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    private static void ThrowOnErrors(ServerProcess server, string endpoint, LoadResult load)
    {
        if (load.Errors > 0 || load.Requests == 0)
        {
            throw new InvalidOperationException(Invariant(
                $"{EndToEndOptions.ModeName(server.Mode)} {endpoint}: {load.Errors} of {load.Requests} responses were not 200 OK.\n{server.ErrorOutput}"));
        }
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One mode, endpoint and round: the load's figures and the server's counters around it.</summary>
    private sealed record Sample(int Round, string Endpoint, EndToEndMode Mode, LoadResult Load, ServerStats Before, ServerStats After)
    {
        public double BytesPerRequest => (After.AllocatedBytes - Before.AllocatedBytes) / (double)Load.Requests;

        public double CpuMicrosecondsPerRequest => (After.CpuTicks - Before.CpuTicks) / 10.0 / Load.Requests;

        /// <summary>Gets the time the server's JIT compiled during the round: above zero, the server was not yet warm.</summary>
        public double JitMilliseconds => (After.JitTicks - Before.JitTicks) / 10_000.0;

        /// <summary>Gets the time the server's threads stood paused for garbage collections, per request.</summary>
        public double GcPauseMicrosecondsPerRequest => (After.GcPauseTicks - Before.GcPauseTicks) / 10.0 / Load.Requests;

        /// <summary>Gets the mean pause of one collection (any generation counted by gen0, which every collection includes).</summary>
        public double GcPauseMicrosecondsPerCollection => After.Gen0Collections == Before.Gen0Collections
            ? 0
            : (After.GcPauseTicks - Before.GcPauseTicks) / 10.0 / (After.Gen0Collections - Before.Gen0Collections);

        /// <summary>Gets the thread-pool work items the server completed per request.</summary>
        public double PoolWorkItemsPerRequest => (After.PoolWorkItems - Before.PoolWorkItems) / (double)Load.Requests;

        /// <summary>Gets the context switches of the server's threads per request (Linux).</summary>
        public double ContextSwitchesPerRequest => (After.ContextSwitches - Before.ContextSwitches) / (double)Load.Requests;

        /// <summary>Gets the gen0 collections per 1,000 requests.</summary>
        public double Gen0PerThousandRequests => (After.Gen0Collections - Before.Gen0Collections) * 1000.0 / Load.Requests;
    }

    /// <summary>Sampled allocation bytes by type over the samples of one mode and endpoint.</summary>
    private sealed class AllocationProfile
    {
        private readonly Dictionary<string, long> _bytes = new(StringComparer.Ordinal);
        private long _requests;

        public void Add(string report, long requests)
        {
            _requests += requests;
            foreach (var line in report.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = line.LastIndexOf('=');
                var bytes = long.Parse(line.AsSpan(equals + 1), CultureInfo.InvariantCulture);
                _bytes[line[..equals]] = _bytes.GetValueOrDefault(line[..equals]) + bytes;
            }
        }

        public IEnumerable<(string Type, double BytesPerRequest)> Top(int count) =>
            _bytes.OrderByDescending(p => p.Value).Take(count).Select(p => (p.Key, p.Value / (double)Math.Max(1, _requests)));
    }
}
