using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>
/// Zipkin B3 (openzipkin/b3-propagation) by OpenTelemetry's B3 rules: extract reads the single <c>b3</c> header first
/// and the <c>X-B3-*</c> headers when it gives no ids; inject writes one encoding, the single header by default
/// (<c>OTEL_PROPAGATORS=b3</c>) or the multi header (<c>b3multi</c>), and never a parent span id.
/// </summary>
/// <remarks>
/// <para>
/// Extract: a valid trace id and span id give a remote <see cref="SpanContext"/> (no trace state: B3 has none) and keep
/// the baggage; accept (<c>1</c>, legacy <c>true</c>) and debug (<c>d</c>, <c>X-B3-Flags: 1</c>) are sampled; deny and
/// an absent decision are not. Anything invalid, several values of one header, or a decision without ids (the
/// deny-only <c>b3: 0</c>) leaves the context unchanged, so the sampler decides on a new trace. The debug flag is read
/// as sampled; it is not carried further (Traceline's span context has no place for it, as OpenTelemetry .NET's has none).
/// </para>
/// <para>
/// In a composite, a B3 context found by this propagator replaces what an earlier one (W3C Trace Context) found, the
/// way each later extractor writes over the context in OpenTelemetry's composite propagator.
/// </para>
/// </remarks>
internal sealed class B3Propagator : TextMapPropagator
{
    private static readonly string[] SingleFields = [B3Format.SingleHeader];

    // Fields are what inject writes, and what the HttpClient handler clears first: the parent and flags headers an
    // earlier hop left are removed too, since inject never writes them.
    private static readonly string[] MultiFields =
        [B3Format.TraceIdHeader, B3Format.SpanIdHeader, B3Format.SampledHeader, B3Format.ParentSpanIdHeader, B3Format.FlagsHeader];

    /// <summary>Injects the single <c>b3</c> header.</summary>
    public static readonly B3Propagator Single = new(multiHeader: false);

    /// <summary>Injects the <c>X-B3-*</c> headers.</summary>
    public static readonly B3Propagator Multi = new(multiHeader: true);

    private readonly bool _multiHeader;

    private B3Propagator(bool multiHeader) => _multiHeader = multiHeader;

    public override IReadOnlyCollection<string> Fields => _multiHeader ? MultiFields : SingleFields;

    public override void Inject<TCarrier>(in PropagationContext context, TCarrier carrier, Action<TCarrier, string, string> setter)
    {
        var spanContext = context.SpanContext;
        if (!spanContext.IsValid || carrier is null || setter is null)
        {
            return;
        }

        if (!_multiHeader)
        {
            setter(carrier, B3Format.SingleHeader, B3Format.FormatSingle(spanContext));
            return;
        }

        setter(carrier, B3Format.TraceIdHeader, spanContext.TraceId.ToString());
        setter(carrier, B3Format.SpanIdHeader, spanContext.SpanId.ToString());
        setter(carrier, B3Format.SampledHeader, spanContext.TraceFlags.HasFlag(TraceFlags.Sampled) ? "1" : "0");
    }

    public override PropagationContext Extract<TCarrier>(in PropagationContext context, TCarrier carrier, Func<TCarrier, string, StringValues> getter)
    {
        if (carrier is null || getter is null)
        {
            return context;
        }

        // The single header takes precedence; the multi header is read when it gives no ids.
        if ((TryExtractSingle(getter(carrier, B3Format.SingleHeader), out var traceId, out var spanId, out var sampling)
                && traceId != default)
            || TryExtractMulti(carrier, getter, out traceId, out spanId, out sampling))
        {
            return new PropagationContext(new SpanContext(traceId, spanId, B3Format.ToTraceFlags(sampling), traceState: null, isRemote: true), context.Baggage);
        }

        return context;
    }

    /// <summary>Exactly one valid <c>b3</c> value (see <see cref="B3Format.TryParseSingle"/>), or nothing.</summary>
    internal static bool TryExtractSingle(StringValues values, out TraceId traceId, out SpanId spanId, out B3Sampling sampling)
    {
        if (values.Count == 1)
        {
            return B3Format.TryParseSingle(values[0], out traceId, out spanId, out sampling);
        }

        traceId = default;
        spanId = default;
        sampling = B3Sampling.Deferred;
        return false;
    }

    /// <summary>
    /// The <c>X-B3-*</c> headers: one valid trace id and span id; a parent span id and a sampling state, when present,
    /// one valid value each; <c>X-B3-Flags: 1</c> makes it debug.
    /// </summary>
    internal static bool TryExtractMulti<TCarrier>(TCarrier carrier, Func<TCarrier, string, StringValues> getter, out TraceId traceId, out SpanId spanId, out B3Sampling sampling)
    {
        sampling = B3Sampling.Deferred;
        spanId = default;
        if (!TryGetOne(getter(carrier, B3Format.TraceIdHeader), out var traceIdText)
            || !B3Format.TryParseTraceId(traceIdText, out traceId)
            || !TryGetOne(getter(carrier, B3Format.SpanIdHeader), out var spanIdText)
            || !B3Format.TryParseSpanId(spanIdText, out spanId))
        {
            traceId = default;
            spanId = default;
            return false;
        }

        var parent = getter(carrier, B3Format.ParentSpanIdHeader);
        var sampled = getter(carrier, B3Format.SampledHeader);
        if ((parent.Count != 0 && !(TryGetOne(parent, out var parentText) && B3Format.TryParseSpanId(parentText, out _)))
            || (sampled.Count != 0 && !(TryGetOne(sampled, out var sampledText) && B3Format.TryParseSampled(sampledText, out sampling))))
        {
            traceId = default;
            spanId = default;
            sampling = B3Sampling.Deferred;
            return false;
        }

        var flags = getter(carrier, B3Format.FlagsHeader);
        if (flags.Count == 1 && B3Format.IsDebugFlag(flags[0]))
        {
            sampling = B3Sampling.Debug;
        }

        return true;
    }

    private static bool TryGetOne(StringValues values, out string? value)
    {
        value = values.Count == 1 ? values[0] : null;
        return value is not null;
    }
}
