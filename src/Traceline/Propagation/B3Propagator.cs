using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>
/// Zipkin B3 (openzipkin/b3-propagation) by the OpenTelemetry propagators specification's B3 requirements: extract
/// reads the single <c>b3</c> header first and the <c>X-B3-*</c> headers when it gives no ids; inject writes one
/// encoding, the single header (<c>OTEL_PROPAGATORS=b3</c>) or the multi header (<c>b3multi</c>), and never a parent
/// span id.
/// </summary>
/// <remarks>
/// <para>
/// Extract: a valid trace id and span id give a remote <see cref="SpanContext"/> (no trace state: B3 has none) and keep
/// the baggage; accept (<c>1</c>, legacy <c>true</c> in <c>X-B3-Sampled</c>) and debug (<c>d</c>, <c>X-B3-Flags: 1</c>)
/// are sampled; deny and an absent decision are not. Of a header sent several times the first value is read ("the
/// first value wins", B3). Anything the grammar rejects (a parent span id or sampling state that is present but bad
/// included), or a decision without ids (the deny-only <c>b3: 0</c>), leaves the context unchanged, so the sampler
/// decides on a new trace. Debug is read as sampled and not sent on as debug: Traceline's span context has no place
/// for it (neither has OpenTelemetry .NET's), so the next hop receives an accept.
/// </para>
/// <para>
/// In a composite, a B3 context found by this propagator replaces what an earlier one (W3C Trace Context) found, as
/// each extractor of an OpenTelemetry composite derives its context from the one before it; when the B3 headers are
/// absent or invalid the earlier result stays.
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

    /// <summary>The first <c>b3</c> value, when valid (see <see cref="B3Format.TryParseSingle"/>).</summary>
    internal static bool TryExtractSingle(StringValues values, out TraceId traceId, out SpanId spanId, out B3Sampling sampling)
    {
        if (TryGetFirst(values, out var value))
        {
            return B3Format.TryParseSingle(value, out traceId, out spanId, out sampling);
        }

        traceId = default;
        spanId = default;
        sampling = B3Sampling.Deferred;
        return false;
    }

    /// <summary>
    /// The <c>X-B3-*</c> headers, the first value of each (B3: "the first value wins"): a valid trace id and span id;
    /// a parent span id and a sampling state, when present, valid too; <c>X-B3-Flags: 1</c> makes it debug.
    /// </summary>
    internal static bool TryExtractMulti<TCarrier>(TCarrier carrier, Func<TCarrier, string, StringValues> getter, out TraceId traceId, out SpanId spanId, out B3Sampling sampling)
    {
        sampling = B3Sampling.Deferred;
        spanId = default;
        if (!TryGetFirst(getter(carrier, B3Format.TraceIdHeader), out var traceIdText)
            || !B3Format.TryParseTraceId(TraceParentFormat.TrimOws(traceIdText), out traceId)
            || !TryGetFirst(getter(carrier, B3Format.SpanIdHeader), out var spanIdText)
            || !B3Format.TryParseSpanId(TraceParentFormat.TrimOws(spanIdText), out spanId))
        {
            traceId = default;
            spanId = default;
            return false;
        }

        var parent = getter(carrier, B3Format.ParentSpanIdHeader);
        var sampled = getter(carrier, B3Format.SampledHeader);
        if ((TryGetFirst(parent, out var parentText) && !B3Format.TryParseSpanId(TraceParentFormat.TrimOws(parentText), out _))
            || (TryGetFirst(sampled, out var sampledText) && !B3Format.TryParseSampled(sampledText, out sampling)))
        {
            traceId = default;
            spanId = default;
            sampling = B3Sampling.Deferred;
            return false;
        }

        if (TryGetFirst(getter(carrier, B3Format.FlagsHeader), out var flags) && B3Format.IsDebugFlag(flags))
        {
            sampling = B3Sampling.Debug;
        }

        return true;
    }

    private static bool TryGetFirst(StringValues values, out string value)
    {
        value = values.Count != 0 ? values[0] ?? string.Empty : string.Empty;
        return values.Count != 0;
    }
}
