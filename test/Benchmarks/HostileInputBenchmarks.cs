using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Primitives;
using Traceline.Propagation;
using OtelBaggagePropagator = OpenTelemetry.Context.Propagation.BaggagePropagator;
using OtelPropagationContext = OpenTelemetry.Context.Propagation.PropagationContext;
using OtelTraceContextPropagator = OpenTelemetry.Context.Propagation.TraceContextPropagator;
using TracelinePropagationContext = Traceline.Propagation.PropagationContext;

namespace Traceline.Benchmarks;

/// <summary>
/// What a hostile caller's headers cost: an 8 KB <c>baggage</c> of invalid members, a 32 KB <c>tracestate</c> of empty
/// members behind a valid <c>traceparent</c>, and a <c>traceparent</c> repeated 100 times. Traceline against the
/// OpenTelemetry .NET SDK's propagators, on the same carriers (dictionaries of string arrays: the getters allocate nothing).
/// </summary>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class HostileInputBenchmarks
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static readonly Func<Dictionary<string, string[]>, string, StringValues> TracelineGetter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? new StringValues(values) : StringValues.Empty;

    private static readonly Func<Dictionary<string, string[]>, string, IEnumerable<string>?> OtelGetter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? values : null;

    private readonly Dictionary<string, string[]> _garbageBaggage = new(StringComparer.OrdinalIgnoreCase)
    {
        ["baggage"] = [string.Concat(Enumerable.Repeat("k=v;a b,", 1024))],
    };

    private readonly Dictionary<string, string[]> _paddedTraceState = new(StringComparer.OrdinalIgnoreCase)
    {
        ["traceparent"] = [TraceParent],
        ["tracestate"] = ["congo=t61rcWkgMzE" + new string(',', 32 * 1024)],
    };

    private readonly Dictionary<string, string[]> _repeatedTraceParent = new(StringComparer.OrdinalIgnoreCase)
    {
        ["traceparent"] = [.. Enumerable.Repeat(TraceParent, 100)],
    };

    private readonly TextMapPropagator _tracelineBaggage = Propagators.Baggage;
    private readonly TextMapPropagator _tracelineTraceContext = Propagators.TraceContext;
    private readonly OtelBaggagePropagator _otelBaggage = new();
    private readonly OtelTraceContextPropagator _otelTraceContext = new();

    [Benchmark(Baseline = true), BenchmarkCategory("baggage: 8 KB of invalid members")]
    public OtelPropagationContext GarbageBaggage_OpenTelemetry() => _otelBaggage.Extract(default, _garbageBaggage, OtelGetter);

    [Benchmark, BenchmarkCategory("baggage: 8 KB of invalid members")]
    public TracelinePropagationContext GarbageBaggage_Traceline() => _tracelineBaggage.Extract(default, _garbageBaggage, TracelineGetter);

    [Benchmark(Baseline = true), BenchmarkCategory("tracestate: 32 KB of empty members")]
    public OtelPropagationContext PaddedTraceState_OpenTelemetry() => _otelTraceContext.Extract(default, _paddedTraceState, OtelGetter);

    [Benchmark, BenchmarkCategory("tracestate: 32 KB of empty members")]
    public TracelinePropagationContext PaddedTraceState_Traceline() => _tracelineTraceContext.Extract(default, _paddedTraceState, TracelineGetter);

    [Benchmark(Baseline = true), BenchmarkCategory("traceparent repeated 100 times")]
    public OtelPropagationContext RepeatedTraceParent_OpenTelemetry() => _otelTraceContext.Extract(default, _repeatedTraceParent, OtelGetter);

    [Benchmark, BenchmarkCategory("traceparent repeated 100 times")]
    public TracelinePropagationContext RepeatedTraceParent_Traceline() => _tracelineTraceContext.Extract(default, _repeatedTraceParent, TracelineGetter);
}
