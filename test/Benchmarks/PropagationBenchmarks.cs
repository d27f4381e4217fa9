using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Microsoft.Extensions.Primitives;
using Traceline.Propagation;
#pragma warning disable CS0618 // OpenTelemetry.Api's B3Propagator is obsolete in favour of OpenTelemetry.Extensions.Propagators, which is not in our package list; its code is the same ("lift-and-shifted as is").
using OtelB3Propagator = OpenTelemetry.Context.Propagation.B3Propagator;
#pragma warning restore CS0618
using OtelPropagationContext = OpenTelemetry.Context.Propagation.PropagationContext;
using OtelTraceContextPropagator = OpenTelemetry.Context.Propagation.TraceContextPropagator;
using TracelinePropagationContext = Traceline.Propagation.PropagationContext;

namespace Traceline.Benchmarks;

/// <summary>
/// W3C Trace Context and Zipkin B3 extract and inject, Traceline against the OpenTelemetry .NET SDK's
/// <c>TraceContextPropagator</c> and <c>B3Propagator</c>, on the same headers. The carrier is a dictionary of string
/// arrays, so neither getter allocates: what is measured is the propagator.
/// </summary>
/// <remarks>
/// The SDK's B3 rows use OpenTelemetry.Api's (obsolete) <c>B3Propagator</c>: OpenTelemetry.Extensions.Propagators is
/// not in the allowed package list, and its B3 propagator is the same code. The SDK extracts only the encoding it is
/// configured to inject, where Traceline always reads <c>b3</c> and then <c>X-B3-*</c> (OpenTelemetry's B3 rules).
/// </remarks>
[MemoryDiagnoser]
[CategoriesColumn]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public class PropagationBenchmarks
{
    private const string TraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private const string TraceState = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
    private const string B3TraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string B3SpanId = "00f067aa0ba902b7";

    private static readonly Func<Dictionary<string, string[]>, string, StringValues> TracelineGetter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? new StringValues(values) : StringValues.Empty;

    private static readonly Func<Dictionary<string, string[]>, string, IEnumerable<string>?> OtelGetter =
        static (headers, name) => headers.TryGetValue(name, out var values) ? values : null;

    private static readonly Action<Dictionary<string, string>, string, string> Setter =
        static (headers, name, value) => headers[name] = value;

    private readonly TextMapPropagator _traceline = Propagators.TraceContext;
    private readonly OtelTraceContextPropagator _otel = new();
    private readonly TextMapPropagator _tracelineB3 = Propagators.B3;
    private readonly TextMapPropagator _tracelineB3Multi = Propagators.B3Multi;
#pragma warning disable CS0618 // see the remarks
    private readonly OtelB3Propagator _otelB3 = new(singleHeader: true);
    private readonly OtelB3Propagator _otelB3Multi = new(singleHeader: false);
#pragma warning restore CS0618

    private readonly Dictionary<string, string[]> _withState = new(StringComparer.OrdinalIgnoreCase)
    {
        ["traceparent"] = [TraceParent],
        ["tracestate"] = [TraceState],
    };

    private readonly Dictionary<string, string[]> _withoutState = new(StringComparer.OrdinalIgnoreCase)
    {
        ["traceparent"] = [TraceParent],
    };

    private readonly Dictionary<string, string[]> _b3Single = new(StringComparer.OrdinalIgnoreCase)
    {
        ["b3"] = [B3TraceId + "-" + B3SpanId + "-1"],
    };

    private readonly Dictionary<string, string[]> _b3Multi = new(StringComparer.OrdinalIgnoreCase)
    {
        ["X-B3-TraceId"] = [B3TraceId],
        ["X-B3-SpanId"] = [B3SpanId],
        ["X-B3-Sampled"] = ["1"],
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

        foreach (var (traceline, otel) in new[] { (ExtractB3_Traceline(), ExtractB3_OpenTelemetry()), (ExtractB3Multi_Traceline(), ExtractB3Multi_OpenTelemetry()) })
        {
            if (traceline.SpanContext.TraceId.ToString() != B3TraceId || otel.ActivityContext.TraceId.ToHexString() != B3TraceId)
            {
                throw new InvalidOperationException("Both propagators must read the B3 benchmark headers.");
            }
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

    [Benchmark(Baseline = true), BenchmarkCategory("Extract b3 single")]
    public OtelPropagationContext ExtractB3_OpenTelemetry() => _otelB3.Extract(default, _b3Single, OtelGetter);

    [Benchmark, BenchmarkCategory("Extract b3 single")]
    public TracelinePropagationContext ExtractB3_Traceline() => _tracelineB3.Extract(default, _b3Single, TracelineGetter);

    [Benchmark(Baseline = true), BenchmarkCategory("Extract X-B3 multi")]
    public OtelPropagationContext ExtractB3Multi_OpenTelemetry() => _otelB3Multi.Extract(default, _b3Multi, OtelGetter);

    // Traceline looks for b3 first (absent here), then reads the X-B3-* headers.
    [Benchmark, BenchmarkCategory("Extract X-B3 multi")]
    public TracelinePropagationContext ExtractB3Multi_Traceline() => _tracelineB3Multi.Extract(default, _b3Multi, TracelineGetter);

    [Benchmark(Baseline = true), BenchmarkCategory("Inject b3 single")]
    public int InjectB3_OpenTelemetry()
    {
        _otelB3.Inject(_otelContext, _output, Setter);
        return _output.Count;
    }

    [Benchmark, BenchmarkCategory("Inject b3 single")]
    public int InjectB3_Traceline()
    {
        _tracelineB3.Inject(_tracelineContext, _output, Setter);
        return _output.Count;
    }

    [Benchmark(Baseline = true), BenchmarkCategory("Inject X-B3 multi")]
    public int InjectB3Multi_OpenTelemetry()
    {
        _otelB3Multi.Inject(_otelContext, _output, Setter);
        return _output.Count;
    }

    [Benchmark, BenchmarkCategory("Inject X-B3 multi")]
    public int InjectB3Multi_Traceline()
    {
        _tracelineB3Multi.Inject(_tracelineContext, _output, Setter);
        return _output.Count;
    }
}
