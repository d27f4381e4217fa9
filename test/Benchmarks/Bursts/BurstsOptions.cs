using Traceline.Benchmarks.EndToEnd;

namespace Traceline.Benchmarks.Bursts;

/// <summary>The bursts harness's command line: <c>e2e-bursts [--runs 6] [--duration 8s] [--in-flight 32] [--per-span-us 40] ...</c>.</summary>
internal sealed class BurstsOptions
{
    public const string Usage = """
        dotnet run -c Release --project test/Benchmarks -- e2e-bursts [options]
          --runs N              runs per mode, interleaved (traceline, otel, traceline, ...); default 6
          --duration T          load per run (8s, 500ms, or seconds); default 8s
          --warmup T            one run per mode before the measured ones, not counted (warms the receiver in
                                this process, which the first measured run would otherwise pay for); 0 for none;
                                default 3s
          --in-flight N         requests in flight (keep-alive connections of the load generator); default 32
          --rate N              open loop: N requests per second over the in-flight connections (the same spans
                                per second offered to both libraries); default 0, a closed loop
          --per-span-us N       the receiver's busy CPU per span, in microseconds; default 40
          --receiver-workers N  requests the receiver processes at once (its cores); default 1
          --endpoint PATH       the app's endpoint under load; default /chain (3 spans a request)
          --series              print each run's backlog samples (every 250 ms of the load)
          --modes LIST          traceline,otel (default), or one of them; traceline-b is a second Traceline
                                mode for an A/B of --exports against --exports-b
          --exports N           Traceline's OTLP exports in flight at once (MaxConcurrentExports); default
                                the library's default
          --exports-b N         the same for traceline-b; default 2
        Each run starts a fresh app, loads it, then closes its stdin (graceful stop: the host stops and the tracer
        provider flushes) and compares the spans the app ended with the spans the receiver got.
        """;

    public int Runs { get; private set; } = 6;

    public TimeSpan Duration { get; private set; } = TimeSpan.FromSeconds(8);

    public TimeSpan Warmup { get; private set; } = TimeSpan.FromSeconds(3);

    public int InFlight { get; private set; } = 32;

    public int Rate { get; private set; }

    public int PerSpanMicroseconds { get; private set; } = 40;

    public int ReceiverWorkers { get; private set; } = 1;

    public string Endpoint { get; private set; } = "/chain";

    /// <summary>Gets Traceline's <c>MaxConcurrentExports</c> (0: the library's default).</summary>
    public int Exports { get; private set; }

    public int ExportsB { get; private set; } = 2;

    public bool Series { get; private set; }

    public IReadOnlyList<EndToEndMode> Modes { get; private set; } = [EndToEndMode.Traceline, EndToEndMode.Otel];

    /// <summary>Set in a child process: serve in this mode, exporting to <see cref="Receiver"/>.</summary>
    public EndToEndMode? Serve { get; private set; }

    public Uri? Receiver { get; private set; }

    /// <summary>The <c>MaxConcurrentExports</c> a Traceline mode runs with (0: the library's default).</summary>
    public int ExportsOf(EndToEndMode mode) => mode == EndToEndMode.TracelineB ? ExportsB : Exports;

    public static BurstsOptions Parse(IReadOnlyList<string> args)
    {
        var options = new BurstsOptions();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.\n{Usage}");
            switch (name)
            {
                case "--runs":
                    options.Runs = EndToEndOptions.Positive(name, Value());
                    break;
                case "--duration":
                    options.Duration = EndToEndOptions.ParseTime(name, Value());
                    break;
                case "--warmup":
                    options.Warmup = EndToEndOptions.ParseTime(name, Value(), allowZero: true);
                    break;
                case "--in-flight":
                    options.InFlight = EndToEndOptions.Positive(name, Value());
                    break;
                case "--rate":
                    options.Rate = EndToEndOptions.Positive(name, Value());
                    break;
                case "--per-span-us":
                    options.PerSpanMicroseconds = EndToEndOptions.Positive(name, Value());
                    break;
                case "--receiver-workers":
                    options.ReceiverWorkers = EndToEndOptions.Positive(name, Value());
                    break;
                case "--endpoint":
                    options.Endpoint = "/" + Value().TrimStart('/');
                    break;
                case "--modes":
                    options.Modes = [.. Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ParseMode)];
                    break;
                case "--exports":
                    options.Exports = EndToEndOptions.Positive(name, Value());
                    break;
                case "--exports-b":
                    options.ExportsB = EndToEndOptions.Positive(name, Value());
                    break;
                case "--series":
                    options.Series = true;
                    break;
                case "--serve":
                    options.Serve = ParseMode(Value());
                    break;
                case "--receiver":
                    options.Receiver = new Uri(Value());
                    break;
                case "-h" or "--help":
                    throw new ArgumentException(Usage);
                default:
                    throw new ArgumentException($"Unknown option '{name}'.\n{Usage}");
            }
        }

        return options;
    }

    private static EndToEndMode ParseMode(string text) => text.ToUpperInvariant() switch
    {
        "TRACELINE" => EndToEndMode.Traceline,
        "OTEL" => EndToEndMode.Otel,
        "TRACELINE-B" => EndToEndMode.TracelineB,
        _ => throw new ArgumentException($"Unknown mode '{text}': traceline, traceline-b or otel."),
    };
}
