using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Primitives;
using Traceline.Propagation;
using OtelPropagationContext = OpenTelemetry.Context.Propagation.PropagationContext;
using OtelTraceContextPropagator = OpenTelemetry.Context.Propagation.TraceContextPropagator;
using TracelinePropagationContext = Traceline.Propagation.PropagationContext;

namespace Traceline.Benchmarks;

/// <summary>
/// W3C Trace Context extract and inject, Traceline against the OpenTelemetry .NET SDK's
/// <c>TraceContextPropagator</c>, on the same headers. The carrier is a dictionary of string arrays, so neither
/// getter allocates: what is measured is the propagator.
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PropagationBenchmarks
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private const string TraceState = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";

    private static readonly Func<Dictionary<string, string[]>, string, StringValues> TracelineGetter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? new StringValues(values) : StringValues.Empty;

    private static readonly Func<Dictionary<string, string[]>, string, IEnumerable<string>?> OtelGetter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? values : null;

    private static readonly Action<Dictionary<string, string>, string, string> Setter =
        static (headers, name, value) => headers[name] = value;

    private readonly TextMapPropagator _traceline = Propagators.TraceContext;
    private readonly OtelTraceContextPropagator _otel = new();

    private readonly Dictionary<string, string[]> _withState = new(StringComparer.OrdinalIgnoreCase)
    {
        ["traceparent"] = [TraceParent],
        ["tracestate"] = [TraceState],
    };

    private readonly Dictionary<string, string[]> _withoutState = new(StringComparer.OrdinalIgnoreCase)
    {
        ["traceparent"] = [TraceParent],
    };

    private readonly Dictionary<string, string> _output = new(StringComparer.OrdinalIgnoreCase);

    private TracelinePropagationContext _tracelineContext;
    private OtelPropagationContext _otelContext;

    [GlobalSetup]
    public void Setup()
    {
        _tracelineContext = _traceline.Extract(default, _withState, TracelineGetter);
        _otelContext = _otel.Extract(default, _withState, OtelGetter);
        if (!_tracelineContext.SpanContext.IsValid || _otelContext.ActivityContext == default)
        {
            throw new InvalidOperationException("Both propagators must read the benchmark headers.");
        }
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Extract traceparent+tracestate")]
    public OtelPropagationContext Extract_OpenTelemetry() => _otel.Extract(default, _withState, OtelGetter);

    [Benchmark, BenchmarkCategory("Extract traceparent+tracestate")]
    public TracelinePropagationContext Extract_Traceline() => _traceline.Extract(default, _withState, TracelineGetter);

    [Benchmark(Baseline = true), BenchmarkCategory("Extract traceparent only")]
    public OtelPropagationContext ExtractNoState_OpenTelemetry() => _otel.Extract(default, _withoutState, OtelGetter);

    [Benchmark, BenchmarkCategory("Extract traceparent only")]
    public TracelinePropagationContext ExtractNoState_Traceline() => _traceline.Extract(default, _withoutState, TracelineGetter);

    [Benchmark(Baseline = true), BenchmarkCategory("Inject traceparent+tracestate")]
    public int Inject_OpenTelemetry()
    {
        _otel.Inject(_otelContext, _output, Setter);
        return _output.Count;
    }

    [Benchmark, BenchmarkCategory("Inject traceparent+tracestate")]
    public int Inject_Traceline()
    {
        _traceline.Inject(_tracelineContext, _output, Setter);
        return _output.Count;
    }
}
