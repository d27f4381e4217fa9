using System.Globalization;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>The harness's command line: <c>e2e [--rounds 5] [--duration 10s] [--warmup 3s] [--connections 16] ...</c>.</summary>
internal sealed class EndToEndOptions
{
    public const string Usage = """
        dotnet run -c Release --project test/Benchmarks -- e2e [options]
          --rounds N          interleaved rounds, each starting one mode later (none, traceline, otel;
                              traceline, otel, none; ...); default 5
          --duration T        load per mode, endpoint and round (10s, 500ms, or seconds); default 10s
          --warmup T          load per mode and endpoint before the first round, not measured; default 3s, then
                              2 s steps until one sees under 1 % of its time in the JIT (at most 30 s more)
          --connections N     keep-alive connections of the load generator; default 16
          --rate N            open loop: N requests per second over all connections, sent at fixed times (as
                              wrk2 does), so every mode serves the same load and CPU per request compares like
                              with like; default 0: closed loop, each connection sends as soon as it has its answer
          --endpoints LIST    hello,chain (default both)
          --modes LIST        none,traceline,otel (default all three); also headers: no tracing, but each
                              outbound request carries a fresh traceparent (the wire's share of the cost);
                              and none2: a second none server (the noise between two identical servers);
                              traceline-b: Traceline with the change under A/B (EndToEndServer.ExperimentKeepsRuntimeStage)
          --alloc-profile     sample the servers' allocations by type (GCAllocationTick) and print the top types per
                              request; slows the servers, so its other figures are not the benchmark's
          --pin               servers on one half of the CPUs, the load generator on the other (Linux, taskset):
                              on 2 cores, one each, so they never take turns on a core
          --server-gc         run the servers with Server GC (default: workstation GC, as the project builds)
          --no-spin           servers' thread pool blocks at once instead of spinning for work
                              (DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0): spinning burns CPU that depends on
                              how busy the machine is, not on the request, and swamps a few us of CPU per request
          --fresh             start new server processes for every round (each warmed up again): a process's
                              own luck (code layout, tiered/PGO choices, heap placement) then varies between
                              rounds and the medians average it, instead of biasing every round of one mode
          --logging           give every mode an enabled logger that writes nothing, as deployed apps have: ASP.NET
                              Core then starts its own Activity per request in every mode, none included
        Quick smoke check: e2e --rounds 1 --duration 3s --warmup 1s
        """;

    public int Rounds { get; private set; } = 5;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(10);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);

    public int Connections { get; private set; } = 16;

    /// <summary>Gets the open-loop request rate over all connections, or 0 for a closed loop.</summary>
    public int Rate { get; private set; }

    public IReadOnlyList<string> Endpoints { get; private set; } = ["/hello", "/chain"];

    public IReadOnlyList<EndToEndMode> Modes { get; private set; } = [EndToEndMode.None, EndToEndMode.Traceline, EndToEndMode.Otel];

    public bool ServerGc { get; private set; }

    public bool Pin { get; private set; }

    public bool AllocationProfile { get; private set; }

    public bool Logging { get; private set; }

    public bool NoSpin { get; private set; }

    /// <summary>Gets whether every round starts (and warms) new server processes.</summary>
    public bool Fresh { get; private set; }

    /// <summary>Set in a child process: serve in this mode instead of driving load.</summary>
    public EndToEndMode? Serve { get; private set; }

    public static EndToEndOptions Parse(IReadOnlyList<string> args)
    {
        var options = new EndToEndOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.\n{Usage}");
            switch (name)
            {
                case "--rounds":
                    options.Rounds = Positive(name, Value());
                    break;
                case "--duration":
                    options.Duration = ParseTime(name, Value());
                    break;
                case "--warmup":
                    options.Warmup = ParseTime(name, Value(), allowZero: true);
                    break;
                case "--connections":
                    options.Connections = Positive(name, Value());
                    break;
                case "--rate":
                    options.Rate = Positive(name, Value());
                    break;
                case "--endpoints":
                    options.Endpoints = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(e => "/" + e.TrimStart('/'))];
                    break;
                case "--modes":
                    options.Modes = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseMode)];
                    break;
                case "--pin":
                    options.Pin = true;
                    break;
                case "--server-gc":
                    options.ServerGc = true;
                    break;
                case "--alloc-profile":
                    options.AllocationProfile = true;
                    break;
                case "--logging":
                    options.Logging = true;
                    break;
                case "--no-spin":
                    options.NoSpin = true;
                    break;
                case "--fresh":
                    options.Fresh = true;
                    break;
                case "--serve":
                    options.Serve = ParseMode(Value());
                    break;
                case "-h" or "--help":
                    throw new ArgumentException(Usage);
                default:
                    throw new ArgumentException($"Unknown option '{name}'.\n{Usage}");
            }
        }

        return options;
    }

    public static string ModeName(EndToEndMode mode) => mode switch
    {
        EndToEndMode.None => "none",
        EndToEndMode.Traceline => "traceline",
        EndToEndMode.Headers => "headers",
        EndToEndMode.None2 => "none2",
        EndToEndMode.TracelineB => "traceline-b",
        _ => "otel",
    };

    private static EndToEndMode ParseMode(string text) => text.ToUpperInvariant() switch
    {
        "NONE" => EndToEndMode.None,
        "TRACELINE" => EndToEndMode.Traceline,
        "OTEL" => EndToEndMode.Otel,
        "HEADERS" => EndToEndMode.Headers,
        "NONE2" => EndToEndMode.None2,
        "TRACELINE-B" => EndToEndMode.TracelineB,
        _ => throw new ArgumentException($"Unknown mode '{text}': none, traceline, otel, headers or none2."),
    };

    internal static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} needs a positive whole number, not '{text}'.");

    internal static TimeSpan ParseTime(string name, string text, bool allowZero = false)
    {
        double factor = 1;
        var number = text;
        if (text.EndsWith("ms", StringComparison.OrdinalIgnoreCase))
        {
            factor = 0.001;
            number = text[..^2];
        }
        else if (text.EndsWith('s'))
        {
            number = text[..^1];
        }

        if (double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && (value > 0 || (allowZero && value == 0)))
        {
            return TimeSpan.FromSeconds(value * factor);
        }

        throw new ArgumentException($"{name} needs a time such as 10s or 500ms, not '{text}'.");
    }
}
