using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

/// <summary>The B3 single and multi header values, by the examples and rules of openzipkin/b3-propagation.</summary>
public class B3FormatTests
{
    // The specification's own example ids.
    private const string Trace128 = "80f198ee56343ba864fe8b2a57d3eff7";
    private const string Trace64 = "a3ce929d0e0e4736";
    private const string Span = "e457b5a2e4d86bd1";
    private const string Parent = "05e3ac9a4f6e3b90";

    /// <summary>
    /// <c>b3</c> values. Each row: the rule, the value as received, and what it gives: the trace id (32 hex, 16 left-padded),
    /// the span id and the sampling state; <see langword="null"/> ids for a decision alone; <c>"reject"</c> when the
    /// grammar rejects it.
    /// </summary>
    public static TheoryData<string, string, string?, string?, string> SingleVectors => new()
    {
        // The specification's examples.
        { "spec example: 128-bit, accept, parent", Trace128 + "-" + Span + "-1-" + Parent, Trace128, Span, "Accept" },
        { "spec example: 128-bit, accept", Trace128 + "-" + Parent + "-1", Trace128, Parent, "Accept" },
        { "spec example: debug", Trace128 + "-" + Parent + "-d", Trace128, Parent, "Debug" },
        { "spec example: deny decision alone", "0", null, null, "Deny" },
        { "accept decision alone", "1", null, null, "Accept" },
        { "debug decision alone", "d", null, null, "Debug" },
        { "ids only: defer", Trace128 + "-" + Span, Trace128, Span, "Deferred" },
        { "deny with ids", Trace128 + "-" + Span + "-0", Trace128, Span, "Deny" },
        { "deny with ids and parent", Trace128 + "-" + Span + "-0-" + Parent, Trace128, Span, "Deny" },
        { "debug with parent", Trace128 + "-" + Span + "-d-" + Parent, Trace128, Span, "Debug" },
        { "64-bit trace id is left-padded", Trace64 + "-" + Span + "-1", "0000000000000000" + Trace64, Span, "Accept" },
        { "64-bit trace id with parent", Trace64 + "-" + Span + "-1-" + Parent, "0000000000000000" + Trace64, Span, "Accept" },
        { "64-bit trace id, ids only", Trace64 + "-" + Span, "0000000000000000" + Trace64, Span, "Deferred" },
        { "128-bit with zero upper half is valid", "0000000000000000" + Trace64 + "-" + Span + "-1", "0000000000000000" + Trace64, Span, "Accept" },
        { "OWS both ends", " \t" + Trace128 + "-" + Span + "-1\t ", Trace128, Span, "Accept" },
        { "OWS around a decision alone", " 0 ", null, null, "Deny" },

        // Lengths.
        { "trace id: 31 characters", Trace128[..31] + "-" + Span + "-1", null, null, "reject" },
        { "trace id: 33 characters", Trace128 + "a-" + Span + "-1", null, null, "reject" },
        { "trace id: 15 characters", Trace64[..15] + "-" + Span + "-1", null, null, "reject" },
        { "trace id: 17 characters", Trace64 + "a-" + Span + "-1", null, null, "reject" },
        { "trace id: 24 characters", Trace128[..24] + "-" + Span + "-1", null, null, "reject" },
        { "span id: 15 characters", Trace128 + "-" + Span[..15] + "-1", null, null, "reject" },
        { "span id: 17 characters", Trace128 + "-" + Span + "a-1", null, null, "reject" },
        { "span id: 32 characters", Trace128 + "-" + Trace128 + "-1", null, null, "reject" },
        { "parent id: 15 characters", Trace128 + "-" + Span + "-1-" + Parent[..15], null, null, "reject" },
        { "parent id: 17 characters", Trace128 + "-" + Span + "-1-" + Parent + "a", null, null, "reject" },
        { "sampling: two characters", Trace128 + "-" + Span + "-11", null, null, "reject" },

        // Uppercase hex and other characters.
        { "trace id: uppercase", Trace128.ToUpperInvariant() + "-" + Span + "-1", null, null, "reject" },
        { "trace id: one uppercase letter", "80F198ee56343ba864fe8b2a57d3eff7-" + Span + "-1", null, null, "reject" },
        { "64-bit trace id: uppercase", Trace64.ToUpperInvariant() + "-" + Span + "-1", null, null, "reject" },
        { "span id: uppercase", Trace128 + "-" + Span.ToUpperInvariant() + "-1", null, null, "reject" },
        { "parent id: uppercase", Trace128 + "-" + Span + "-1-" + Parent.ToUpperInvariant(), null, null, "reject" },
        { "trace id: not hex", "80f198ee56343ba864fe8b2a57d3eff" + "g-" + Span + "-1", null, null, "reject" },
        { "span id: non-ASCII digit", Trace128 + "-e457b5a2e4d86bd\u0661-1", null, null, "reject" },

        // Sampling states.
        { "sampling: uppercase D", Trace128 + "-" + Span + "-D", null, null, "reject" },
        { "sampling: 2", Trace128 + "-" + Span + "-2", null, null, "reject" },
        { "sampling: true is for the legacy X-B3-Sampled only", Trace128 + "-" + Span + "-true", null, null, "reject" },
        { "sampling: x alone", "x", null, null, "reject" },
        { "sampling: D alone", "D", null, null, "reject" },
        { "sampling: 2 alone", "2", null, null, "reject" },
        { "sampling: 00 alone", "00", null, null, "reject" },
        { "sampling: true alone", "true", null, null, "reject" },

        // All-zero ids.
        { "trace id: all zero (128)", new string('0', 32) + "-" + Span + "-1", null, null, "reject" },
        { "trace id: all zero (64)", new string('0', 16) + "-" + Span + "-1", null, null, "reject" },
        { "span id: all zero", Trace128 + "-" + new string('0', 16) + "-1", null, null, "reject" },
        { "parent id: all zero", Trace128 + "-" + Span + "-1-" + new string('0', 16), null, null, "reject" },

        // Empty parts, missing and extra fields, trailing garbage.
        { "empty value", string.Empty, null, null, "reject" },
        { "only whitespace", " \t ", null, null, "reject" },
        { "empty trace id", "-" + Span + "-1", null, null, "reject" },
        { "empty span id", Trace128 + "--1", null, null, "reject" },
        { "empty sampling before parent", Trace128 + "-" + Span + "--" + Parent, null, null, "reject" },
        { "empty sampling at the end", Trace128 + "-" + Span + "-", null, null, "reject" },
        { "empty parent at the end", Trace128 + "-" + Span + "-1-", null, null, "reject" },
        { "trace id alone", Trace128, null, null, "reject" },
        { "parent without sampling state", Trace128 + "-" + Span + "-" + Parent, null, null, "reject" },
        { "fifth field", Trace128 + "-" + Span + "-1-" + Parent + "-1", null, null, "reject" },
        { "trailing garbage after span id", Trace128 + "-" + Span + "x", null, null, "reject" },
        { "trailing garbage after sampling", Trace128 + "-" + Span + "-1x", null, null, "reject" },
        { "trailing garbage after parent", Trace128 + "-" + Span + "-1-" + Parent + ";", null, null, "reject" },
        { "trailing '-' after parent", Trace128 + "-" + Span + "-1-" + Parent + "-", null, null, "reject" },
        { "'_' as delimiter", Trace128 + "_" + Span + "_1", null, null, "reject" },
        { "space inside", Trace128 + " -" + Span + "-1", null, null, "reject" },
        { "two values folded into one field", Trace128 + "-" + Span + "-1," + Trace128 + "-" + Span + "-1", null, null, "reject" },
        { "CR LF inside the value", Trace128 + "-" + Span + "-1\r\nx", null, null, "reject" },
        { "traceparent sent as b3", "00-" + Trace128 + "-" + Span + "-01", null, null, "reject" },
    };

    /// <summary>
    /// <c>X-B3-*</c> headers. Each row: the rule, the trace id, span id, parent span id, sampled and flags headers as
    /// received (<see langword="null"/> = absent), and the context extracted: <c>{trace-id}-{span-id}-{sampled 1|0}</c>,
    /// or <see langword="null"/> when nothing is.
    /// </summary>
    public static TheoryData<string, string?, string?, string?, string?, string?, string?> MultiVectors => new()
    {
        { "spec example: all four headers", Trace128, Span, Parent, "1", null, Trace128 + "-" + Span + "-1" },
        { "spec example: span id header", "463ac35c9f6413ad48485a3953bb6124", "a2fb4a1d1a96d312", null, "1", null, "463ac35c9f6413ad48485a3953bb6124-a2fb4a1d1a96d312-1" },
        { "spec example: parent span id header", Trace128, Span, "0020000000000001", "1", null, Trace128 + "-" + Span + "-1" },
        { "deny", Trace128, Span, null, "0", null, Trace128 + "-" + Span + "-0" },
        { "absent sampled: defer, not sampled", Trace128, Span, null, null, null, Trace128 + "-" + Span + "-0" },
        { "legacy true", Trace128, Span, null, "true", null, Trace128 + "-" + Span + "-1" },
        { "legacy false", Trace128, Span, null, "false", null, Trace128 + "-" + Span + "-0" },
        { "debug flag alone implies accept", Trace128, Span, null, null, "1", Trace128 + "-" + Span + "-1" },
        { "debug flag beats a deny", Trace128, Span, null, "0", "1", Trace128 + "-" + Span + "-1" },
        { "other flags values are ignored", Trace128, Span, null, null, "0", Trace128 + "-" + Span + "-0" },
        { "garbage flags value is ignored", Trace128, Span, null, "1", "yes", Trace128 + "-" + Span + "-1" },
        { "64-bit trace id is left-padded", Trace64, Span, null, "1", null, "0000000000000000" + Trace64 + "-" + Span + "-1" },
        { "OWS around values", " " + Trace128 + "\t", "\t" + Span + " ", " " + Parent, " 1 ", null, Trace128 + "-" + Span + "-1" },
        { "trace id absent", null, Span, null, "1", null, null },
        { "span id absent", Trace128, null, null, "1", null, null },
        { "trace id empty", string.Empty, Span, null, "1", null, null },
        { "span id empty", Trace128, string.Empty, null, "1", null, null },
        { "trace id: 31 characters", Trace128[..31], Span, null, "1", null, null },
        { "trace id: 33 characters", Trace128 + "a", Span, null, "1", null, null },
        { "trace id: 17 characters", Trace64 + "a", Span, null, "1", null, null },
        { "span id: 15 characters", Trace128, Span[..15], null, "1", null, null },
        { "span id: 17 characters", Trace128, Span + "a", null, "1", null, null },
        { "trace id: uppercase", Trace128.ToUpperInvariant(), Span, null, "1", null, null },
        { "span id: uppercase", Trace128, Span.ToUpperInvariant(), null, "1", null, null },
        { "parent id: uppercase", Trace128, Span, Parent.ToUpperInvariant(), "1", null, null },
        { "parent id: 15 characters", Trace128, Span, Parent[..15], "1", null, null },
        { "parent id: empty", Trace128, Span, string.Empty, "1", null, null },
        { "trace id: all zero (128)", new string('0', 32), Span, null, "1", null, null },
        { "trace id: all zero (64)", new string('0', 16), Span, null, "1", null, null },
        { "span id: all zero", Trace128, new string('0', 16), null, "1", null, null },
        { "parent id: all zero", Trace128, Span, new string('0', 16), "1", null, null },
        { "sampled: d belongs to the single header", Trace128, Span, null, "d", null, null },
        { "sampled: 2", Trace128, Span, null, "2", null, null },
        { "sampled: TRUE", Trace128, Span, null, "TRUE", null, null },
        { "sampled: empty", Trace128, Span, null, string.Empty, null, null },
        { "sampled: 01", Trace128, Span, null, "01", null, null },
        { "trace id: trailing garbage", Trace128 + ";", Span, null, "1", null, null },
        { "span id: trailing garbage", Trace128, Span + "-1", null, "1", null, null },
        { "sampled: trailing garbage", Trace128, Span, null, "1;", null, null },
        { "trace id in single header form", Trace128 + "-" + Span, Span, null, "1", null, null },
    };

    [Theory]
    [MemberData(nameof(SingleVectors))]
    public void TryParseSingle_SpecificationVectors_AcceptsOrRejectsAsTheGrammarSays(string rule, string value, string? traceId, string? spanId, string outcome)
    {
        var ok = B3Format.TryParseSingle(value, out var parsedTrace, out var parsedSpan, out var sampling);

        Assert.True(ok == (outcome != "reject"), rule);
        if (!ok)
        {
            Assert.Equal(default, parsedTrace);
            Assert.Equal(default, parsedSpan);
            return;
        }

        Assert.Equal(outcome, sampling.ToString());
        Assert.Equal(traceId, parsedTrace == default ? null : parsedTrace.ToString());
        Assert.Equal(spanId, parsedSpan == default ? null : parsedSpan.ToString());
    }

    [Theory]
    [MemberData(nameof(SingleVectors))]
    public void Extract_SingleHeaderVectors_RemoteContextOnlyWithIds(string rule, string value, string? traceId, string? spanId, string outcome)
    {
        var carrier = TestCarrier.With(("b3", [value]));

        var context = Propagators.B3.Extract(default, carrier, TestCarrier.Getter).SpanContext;

        if (traceId is null)
        {
            Assert.False(context.IsValid, rule); // a decision alone or a rejected value: a new trace
            return;
        }

        Assert.True(context.IsRemote, rule);
        Assert.Equal(traceId + "-" + spanId + (outcome is "Accept" or "Debug" ? "-01" : "-00"), context.ToString());
        Assert.Null(context.TraceState);
    }

    [Theory]
    [MemberData(nameof(MultiVectors))]
    public void Extract_MultiHeaderVectors_AcceptsOrRejectsAsTheSpecificationSays(string rule, string? traceId, string? spanId, string? parentId, string? sampled, string? flags, string? expected)
    {
        var carrier = new TestCarrier();
        Add(carrier, "X-B3-TraceId", traceId);
        Add(carrier, "X-B3-SpanId", spanId);
        Add(carrier, "X-B3-ParentSpanId", parentId);
        Add(carrier, "X-B3-Sampled", sampled);
        Add(carrier, "X-B3-Flags", flags);

        foreach (var propagator in new[] { Propagators.B3, Propagators.B3Multi })
        {
            var context = propagator.Extract(default, carrier, TestCarrier.Getter).SpanContext;

            Assert.Equal(expected, context.IsValid ? $"{context.TraceId}-{context.SpanId}-{(context.IsSampled ? 1 : 0)}" : null);
            Assert.True(!context.IsValid || context.IsRemote, rule);
        }
    }

    [Fact]
    public void FormatSingle_SampledAndNot_FiftyOneLowercaseCharactersWithoutParent()
    {
        var traceId = TraceId.Parse(Trace128);
        var spanId = SpanId.Parse(Span);

        Assert.Equal(Trace128 + "-" + Span + "-1", B3Format.FormatSingle(new SpanContext(traceId, spanId, TraceFlags.Sampled | TraceFlags.Random)));
        Assert.Equal(Trace128 + "-" + Span + "-0", B3Format.FormatSingle(new SpanContext(traceId, spanId, TraceFlags.Random)));
        Assert.Equal(B3Format.SingleLength, B3Format.FormatSingle(new SpanContext(traceId, spanId, TraceFlags.None)).Length);
    }

    private static void Add(TestCarrier carrier, string name, string? value)
    {
        if (value is not null)
        {
            carrier.Headers[name] = value;
        }
    }
}
