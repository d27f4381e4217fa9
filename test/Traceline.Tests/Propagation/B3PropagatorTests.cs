using CsCheck;
using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

/// <summary><c>Propagators.B3</c> and <c>Propagators.B3Multi</c>: inject, extract, fields, and their place in a composite.</summary>
public class B3PropagatorTests
{
    private const string TraceIdHex = "80f198ee56343ba864fe8b2a57d3eff7";
    private const string SpanIdHex = "e457b5a2e4d86bd1";
    private const string OtherTraceIdHex = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string OtherSpanIdHex = "00f067aa0ba902b7";
    private const string TraceParent = "00-" + OtherTraceIdHex + "-" + OtherSpanIdHex + "-01";
    private const string B3Single = TraceIdHex + "-" + SpanIdHex + "-1";

    private static readonly Gen<SpanContext> AnyContext = Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong, Gen.Byte)
        .Where((high, low, span, _) => (high | low) != 0 && span != 0)
        .Select((high, low, span, flags) => new SpanContext(TraceId.FromHalves(high, low), SpanId.FromUInt64(span), (TraceFlags)flags, "k=v"));

    [Fact]
    public void Fields_Single_IsTheB3Header()
    {
        Assert.Equal(["b3"], Propagators.B3.Fields);
    }

    [Fact]
    public void Fields_Multi_AreTheXB3HeadersInjectWritesOrClears()
    {
        Assert.Equal(["X-B3-TraceId", "X-B3-SpanId", "X-B3-Sampled", "X-B3-ParentSpanId", "X-B3-Flags"], Propagators.B3Multi.Fields);
    }

    [Theory]
    [InlineData(TraceFlags.Sampled, "1")]
    [InlineData(TraceFlags.Sampled | TraceFlags.Random, "1")]
    [InlineData(TraceFlags.None, "0")]
    [InlineData(TraceFlags.Random, "0")]
    public void Inject_Single_OneHeaderWithoutParentAndAnExplicitDecision(TraceFlags flags, string sampled)
    {
        var carrier = new TestCarrier();

        Propagators.B3.Inject(Context(flags), carrier, TestCarrier.Setter);

        Assert.Equal(TraceIdHex + "-" + SpanIdHex + "-" + sampled, Assert.Single(carrier.Headers).Value.ToString());
        Assert.Equal(TraceIdHex + "-" + SpanIdHex + "-" + sampled, carrier.Get("b3"));
    }

    [Theory]
    [InlineData(TraceFlags.Sampled, "1")]
    [InlineData(TraceFlags.None, "0")]
    public void Inject_Multi_TraceIdSpanIdAndSampledOnly(TraceFlags flags, string sampled)
    {
        var carrier = new TestCarrier();

        Propagators.B3Multi.Inject(Context(flags), carrier, TestCarrier.Setter);

        Assert.Equal(3, carrier.Headers.Count);
        Assert.Equal(TraceIdHex, carrier.Get("X-B3-TraceId"));
        Assert.Equal(SpanIdHex, carrier.Get("X-B3-SpanId"));
        Assert.Equal(sampled, carrier.Get("X-B3-Sampled"));
        Assert.Null(carrier.Get("X-B3-ParentSpanId")); // OpenTelemetry's B3 rules: MUST NOT propagate the parent
        Assert.Null(carrier.Get("b3"));
    }

    [Fact]
    public void Inject_InvalidContext_WritesNothing()
    {
        foreach (var propagator in new[] { Propagators.B3, Propagators.B3Multi })
        {
            var carrier = new TestCarrier();

            propagator.Inject(default, carrier, TestCarrier.Setter);

            Assert.Empty(carrier.Headers);
        }
    }

    [Fact]
    public void InjectThenExtract_Single_AnyContextRoundTrips()
    {
        AnyContext.Sample(sent => RoundTrip(Propagators.B3, sent, carrier => Assert.Equal(["b3"], carrier.Headers.Keys)));
    }

    [Fact]
    public void InjectThenExtract_Multi_AnyContextRoundTrips()
    {
        AnyContext.Sample(sent => RoundTrip(Propagators.B3Multi, sent, carrier => Assert.Equal(3, carrier.Headers.Count)));
    }

    [Fact]
    public void ExtractThenInject_Any64BitTraceId_LeftPaddedAndKept()
    {
        Gen.Select(Gen.ULong.Where(v => v != 0), Gen.ULong.Where(v => v != 0), Gen.Bool).Sample((low, span, sampled) =>
        {
            var traceHex = low.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
            var spanHex = span.ToString("x16", System.Globalization.CultureInfo.InvariantCulture);
            var carrier = TestCarrier.With(("X-B3-TraceId", [traceHex]), ("X-B3-SpanId", [spanHex]), ("X-B3-Sampled", [sampled ? "1" : "0"]));

            var extracted = Propagators.B3.Extract(default, carrier, TestCarrier.Getter);
            var output = new TestCarrier();
            Propagators.B3.Inject(extracted, output, TestCarrier.Setter);

            Assert.Equal("0000000000000000" + traceHex + "-" + spanHex + "-" + (sampled ? "1" : "0"), output.Get("b3"));
        });
    }

    [Fact]
    public void Extract_SingleAndMulti_SingleTakesPrecedence()
    {
        var carrier = TestCarrier.With(("b3", [B3Single]), ("X-B3-TraceId", [OtherTraceIdHex]), ("X-B3-SpanId", [OtherSpanIdHex]));

        foreach (var propagator in new[] { Propagators.B3, Propagators.B3Multi })
        {
            Assert.Equal(TraceIdHex, propagator.Extract(default, carrier, TestCarrier.Getter).SpanContext.TraceId.ToString());
        }
    }

    [Theory]
    [InlineData("0")] // a decision without ids
    [InlineData("not-b3")]
    [InlineData("")]
    public void Extract_SingleWithoutIdsAndValidMulti_MultiRead(string single)
    {
        var carrier = TestCarrier.With(("b3", [single]), ("X-B3-TraceId", [OtherTraceIdHex]), ("X-B3-SpanId", [OtherSpanIdHex]), ("X-B3-Sampled", ["1"]));

        var context = Propagators.B3.Extract(default, carrier, TestCarrier.Getter).SpanContext;

        Assert.Equal(OtherTraceIdHex + "-" + OtherSpanIdHex + "-01", context.ToString());
    }

    [Fact]
    public void Extract_HeaderSentTwice_FirstValueWins()
    {
        var single = TestCarrier.With(("b3", [B3Single, OtherTraceIdHex + "-" + OtherSpanIdHex + "-0"]));
        var multi = TestCarrier.With(
            ("X-B3-TraceId", [TraceIdHex, OtherTraceIdHex]),
            ("X-B3-SpanId", [SpanIdHex, "garbage"]),
            ("X-B3-Sampled", ["1", "0"]));

        Assert.Equal(TraceIdHex + "-" + SpanIdHex + "-01", Propagators.B3.Extract(default, single, TestCarrier.Getter).SpanContext.ToString());
        Assert.Equal(TraceIdHex + "-" + SpanIdHex + "-01", Propagators.B3.Extract(default, multi, TestCarrier.Getter).SpanContext.ToString());
    }

    [Fact]
    public void Extract_InvalidB3_ContextAndBaggageGivenBack()
    {
        var given = new PropagationContext(Context(TraceFlags.Sampled).SpanContext, Baggage.Create(new BaggageItem("k", "v")));
        var carrier = TestCarrier.With(("b3", ["0"]), ("X-B3-TraceId", ["nope"]));

        var extracted = Propagators.B3.Extract(given, carrier, TestCarrier.Getter);

        Assert.Equal(given, extracted);
    }

    [Fact]
    public void Extract_ValidB3_KeepsBaggageAndDropsTraceState()
    {
        var given = new PropagationContext(new SpanContext(TraceId.Parse(OtherTraceIdHex), SpanId.Parse(OtherSpanIdHex), TraceFlags.None, "a=b", isRemote: true), Baggage.Create(new BaggageItem("k", "v")));

        var extracted = Propagators.B3.Extract(given, TestCarrier.With(("b3", [B3Single])), TestCarrier.Getter);

        Assert.Equal(TraceIdHex + "-" + SpanIdHex + "-01", extracted.SpanContext.ToString());
        Assert.True(extracted.SpanContext.IsRemote);
        Assert.Null(extracted.SpanContext.TraceState);
        Assert.Equal("v", extracted.Baggage.GetValue("k"));
    }

    [Fact]
    public void Extract_NullCarrierOrGetter_ContextGivenBack()
    {
        var given = Context(TraceFlags.Sampled);

        Assert.Equal(given, Propagators.B3.Extract<TestCarrier?>(given, null, TestCarrier.Getter!));
        Assert.Equal(given, Propagators.B3Multi.Extract(given, new TestCarrier(), null!));
    }

    [Fact]
    public void Extract_ArbitraryHeaders_NeverThrowsAndOnlyValidContexts()
    {
        Gen.Select(Gen.String, Gen.String, Gen.String, Gen.String).Sample((single, trace, span, sampled) =>
        {
            var carrier = TestCarrier.With(("b3", [single]), ("X-B3-TraceId", [trace]), ("X-B3-SpanId", [span]), ("X-B3-Sampled", [sampled]));

            var context = Propagators.B3.Extract(default, carrier, TestCarrier.Getter).SpanContext;

            Assert.True(context == default || (context.IsValid && context.IsRemote));
        });
    }

    [Fact]
    public void CompositeTraceContextThenB3_BothArrive_B3WinsAsTheLaterExtractor()
    {
        var both = TestCarrier.With(("traceparent", [TraceParent]), ("tracestate", ["k=v"]), ("b3", [B3Single]));

        var context = Propagators.Composite(Propagators.TraceContext, Propagators.B3).Extract(default, both, TestCarrier.Getter).SpanContext;

        Assert.Equal(TraceIdHex + "-" + SpanIdHex + "-01", context.ToString());
        Assert.Null(context.TraceState); // the trace state belonged to the W3C parent that lost
    }

    [Fact]
    public void CompositeB3ThenTraceContext_BothArrive_TraceContextWinsAsTheLaterExtractor()
    {
        var both = TestCarrier.With(("traceparent", [TraceParent]), ("tracestate", ["k=v"]), ("b3", [B3Single]));

        var context = Propagators.Composite(Propagators.B3, Propagators.TraceContext).Extract(default, both, TestCarrier.Getter).SpanContext;

        Assert.Equal(OtherTraceIdHex + "-" + OtherSpanIdHex + "-01", context.ToString());
        Assert.Equal("k=v", context.TraceState);
    }

    [Fact]
    public void CompositeTraceContextThenB3_B3Invalid_TraceContextKept()
    {
        var carrier = TestCarrier.With(("traceparent", [TraceParent]), ("b3", [TraceIdHex.ToUpperInvariant() + "-" + SpanIdHex + "-1"]));

        var context = Propagators.Composite(Propagators.TraceContext, Propagators.B3).Extract(default, carrier, TestCarrier.Getter).SpanContext;

        Assert.Equal(OtherTraceIdHex + "-" + OtherSpanIdHex + "-01", context.ToString());
    }

    [Fact]
    public void CompositeTraceContextAndB3_Inject_WritesBothHeaderSetsForOneSpan()
    {
        var carrier = new TestCarrier();

        Propagators.Composite(Propagators.TraceContext, Propagators.Baggage, Propagators.B3Multi).Inject(Context(TraceFlags.Sampled), carrier, TestCarrier.Setter);

        Assert.Equal("00-" + TraceIdHex + "-" + SpanIdHex + "-01", carrier.Get("traceparent"));
        Assert.Equal(TraceIdHex, carrier.Get("X-B3-TraceId"));
        Assert.Equal(SpanIdHex, carrier.Get("X-B3-SpanId"));
        Assert.Equal("1", carrier.Get("X-B3-Sampled"));
    }

    private static PropagationContext Context(TraceFlags flags) =>
        new(new SpanContext(TraceId.Parse(TraceIdHex), SpanId.Parse(SpanIdHex), flags, "k=v"), null);

    private static void RoundTrip(TextMapPropagator propagator, SpanContext sent, Action<TestCarrier> checkCarrier)
    {
        var carrier = new TestCarrier();
        propagator.Inject(new PropagationContext(sent, null), carrier, TestCarrier.Setter);
        checkCarrier(carrier);
        foreach (var value in carrier.Headers.Values)
        {
            Assert.All(value.ToString(), c => Assert.True(c == '-' || char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'));
        }

        var received = Propagators.B3.Extract(default, carrier, TestCarrier.Getter).SpanContext;

        // Same ids; B3 carries the sampled decision only (no random flag, no trace state).
        Assert.Equal(new SpanContext(sent.TraceId, sent.SpanId, sent.TraceFlags & TraceFlags.Sampled, null, isRemote: true), received);
    }
}
