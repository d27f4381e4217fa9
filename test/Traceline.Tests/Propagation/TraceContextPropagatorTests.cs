using CsCheck;
using Microsoft.Extensions.Primitives;
using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

public class TraceContextPropagatorTests
{
    private const string TraceIdHex = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string SpanIdHex = "00f067aa0ba902b7";
    private const string Valid = "00-" + TraceIdHex + "-" + SpanIdHex + "-01";
    private const string SuiteTraceId = "12345678901234567890123456789012";
    private const string SuiteParent = "00-" + SuiteTraceId + "-1234567890123456-00";

    private static readonly TextMapPropagator Propagator = Propagators.TraceContext;

    /// <summary>
    /// traceparent vectors from W3C Trace Context (its examples, its ABNF and the W3C test suite's cases). Each row:
    /// the rule, the header as received, and the header re-injected (<see langword="null"/> = rejected).
    /// </summary>
    public static TheoryData<string, string, string?> TraceParentVectors => new()
    {
        { "spec example: sampled", Valid, Valid },
        { "spec example: not sampled", "00-" + TraceIdHex + "-" + SpanIdHex + "-00", "00-" + TraceIdHex + "-" + SpanIdHex + "-00" },
        { "Level 2: random flag kept as received", "00-" + TraceIdHex + "-" + SpanIdHex + "-02", "00-" + TraceIdHex + "-" + SpanIdHex + "-02" },
        { "Level 2: sampled and random", "00-" + TraceIdHex + "-" + SpanIdHex + "-03", "00-" + TraceIdHex + "-" + SpanIdHex + "-03" },
        { "other flags: vendors MUST set those to zero", "00-" + TraceIdHex + "-" + SpanIdHex + "-09", Valid },
        { "other flags: all eight set, only known kept", "00-" + TraceIdHex + "-" + SpanIdHex + "-ff", "00-" + TraceIdHex + "-" + SpanIdHex + "-03" },
        { "OWS: leading space", " " + Valid, Valid },
        { "OWS: leading tab", "\t" + Valid, Valid },
        { "OWS: trailing space", Valid + " ", Valid },
        { "OWS: trailing tab", Valid + "\t", Valid },
        { "OWS: both ends", "\t " + Valid + " \t", Valid },
        { "higher version: exactly 55 characters, written back as 00", "cc-" + TraceIdHex + "-" + SpanIdHex + "-01", Valid },
        { "higher version: more fields after '-'", "cc-" + TraceIdHex + "-" + SpanIdHex + "-01-what-the-future-will-be-like", Valid },
        { "higher version: version 01", "01-" + TraceIdHex + "-" + SpanIdHex + "-01-x", Valid },
        { "higher version: flags not followed by '-'", "cc-" + TraceIdHex + "-" + SpanIdHex + "-01.what-the-future-will-be-like", null },
        { "higher version: shorter than 55", "cc-" + TraceIdHex + "-" + SpanIdHex + "-1", null },
        { "version 00: trailing character", Valid + ".", null },
        { "version 00: extra field", Valid + "-what-the-future-will-be-like", null },
        { "version ff is forbidden", "ff-" + TraceIdHex + "-" + SpanIdHex + "-01", null },
        { "version: illegal first character", ".0-" + TraceIdHex + "-" + SpanIdHex + "-01", null },
        { "version: illegal second character", "0.-" + TraceIdHex + "-" + SpanIdHex + "-01", null },
        { "version: uppercase hex", "0A-" + TraceIdHex + "-" + SpanIdHex + "-01", null },
        { "version: too long", "000-" + TraceIdHex + "-" + SpanIdHex + "-01", null },
        { "version: too short", "0-" + TraceIdHex + "-" + SpanIdHex + "-01", null },
        { "trace-id: all zero forbidden", "00-00000000000000000000000000000000-" + SpanIdHex + "-01", null },
        { "trace-id: uppercase hex", "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + SpanIdHex + "-01", null },
        { "trace-id: illegal first character", "00-.bf92f3577b34da6a3ce929d0e0e4736-" + SpanIdHex + "-01", null },
        { "trace-id: illegal last character", "00-4bf92f3577b34da6a3ce929d0e0e473.-" + SpanIdHex + "-01", null },
        { "trace-id: too long", "00-4bf92f3577b34da6a3ce929d0e0e47361-" + SpanIdHex + "-01", null },
        { "trace-id: too short", "00-4bf92f3577b34da6a3ce929d0e0e473-" + SpanIdHex + "-01", null },
        { "parent-id: all zero forbidden", "00-" + TraceIdHex + "-0000000000000000-01", null },
        { "parent-id: uppercase hex", "00-" + TraceIdHex + "-00F067AA0BA902B7-01", null },
        { "parent-id: illegal first character", "00-" + TraceIdHex + "-.0f067aa0ba902b7-01", null },
        { "parent-id: illegal last character", "00-" + TraceIdHex + "-00f067aa0ba902b.-01", null },
        { "parent-id: too long", "00-" + TraceIdHex + "-00f067aa0ba902b71-01", null },
        { "parent-id: too short", "00-" + TraceIdHex + "-00f067aa0ba902b-01", null },
        { "trace-flags: illegal first character", "00-" + TraceIdHex + "-" + SpanIdHex + "-.1", null },
        { "trace-flags: illegal second character", "00-" + TraceIdHex + "-" + SpanIdHex + "-0.", null },
        { "trace-flags: uppercase hex", "00-" + TraceIdHex + "-" + SpanIdHex + "-0A", null },
        { "trace-flags: too long", "00-" + TraceIdHex + "-" + SpanIdHex + "-001", null },
        { "trace-flags: too short", "00-" + TraceIdHex + "-" + SpanIdHex + "-1", null },
        { "delimiter: '_' instead of '-'", "00_" + TraceIdHex + "_" + SpanIdHex + "_01", null },
        { "delimiter: missing", "00" + TraceIdHex + SpanIdHex + "01", null },
        { "empty value", string.Empty, null },
        { "two values folded into one field", Valid + "," + Valid, null },
        { "CR LF inside the value", "00-" + TraceIdHex + "-" + SpanIdHex + "-01\r\nx", null },
        { "non-ASCII digit", "00-" + TraceIdHex + "-" + SpanIdHex + "-0\u0661", null },
    };

    /// <summary>
    /// tracestate vectors from W3C Trace Context (its examples, its ABNF, its limits and the W3C test suite's cases),
    /// received with a valid traceparent. Each row: the rule, the header field(s) as received, and the tracestate
    /// re-injected (<see langword="null"/> = dropped; traceparent is kept either way).
    /// </summary>
    public static TheoryData<string, string[], string?> TraceStateVectors
    {
        get
        {
            const string allKeyChars = "abcdefghijklmnopqrstuvwxyz0123456789_-*/";
            var allValueChars = string.Concat(Range(0x20, 0x2B), Range(0x2D, 0x3C), Range(0x3E, 0x7E));
            var thirtyTwo = string.Join(',', Enumerable.Range(1, 32).Select(i => $"bar{i:00}={i:00}"));
            return new()
            {
                { "spec example: one vendor", ["rojo=00f067aa0ba902b7"], "rojo=00f067aa0ba902b7" },
                { "spec example: two vendors, order kept", ["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"], "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE" },
                { "several fields are combined in order", ["foo=1,bar=2", "rojo=1,congo=2", "baz=3"], "foo=1,bar=2,rojo=1,congo=2,baz=3" },
                { "empty header is accepted and not sent", [""], null },
                { "empty field after a member", ["foo=1", ""], "foo=1" },
                { "empty field before a member", ["", "foo=1"], "foo=1" },
                { "empty list-members are dropped", ["foo=1,,bar=2"], "foo=1,bar=2" },
                { "whitespace-only list-members are dropped", [" , foo=1 ,\t,"], "foo=1" },
                { "OWS around members", ["foo=1 \t , \t bar=2, \t baz=3"], "foo=1,bar=2,baz=3" },
                { "OWS: tabs and spaces mixed", ["foo=1\t \t,\t \tbar=2,\t \tbaz=3"], "foo=1,bar=2,baz=3" },
                { "OWS: leading space", [" foo=1"], "foo=1" },
                { "OWS: leading tab", ["\tfoo=1"], "foo=1" },
                { "OWS: trailing space", ["foo=1 "], "foo=1" },
                { "OWS: trailing tab", ["foo=1\t"], "foo=1" },
                { "OWS: both ends", ["\t foo=1 \t"], "foo=1" },
                { "value: a leading space is part of the value", ["foo= 1"], "foo= 1" },
                { "value: inner space allowed", ["foo=a b"], "foo=a b" },
                { "key: every allowed character", [allKeyChars + "=1"], allKeyChars + "=1" },
                { "key: '@' with every allowed character", [allKeyChars + "@a-z0-9_-*/@=1"], allKeyChars + "@a-z0-9_-*/@=1" },
                { "value: every allowed character", ["foo=" + allValueChars], "foo=" + allValueChars },
                { "key: may start with a digit", ["1tenant@vendor=1,1foo=2"], "1tenant@vendor=1,1foo=2" },
                { "key: simple key of 256 characters", ["foo=1", new string('z', 256) + "=1"], "foo=1," + new string('z', 256) + "=1" },
                { "key: 't' x 242 + '@v' (256 in all, no tenant/system limits)", ["foo=1", new string('t', 242) + "@" + new string('v', 13) + "=1"], "foo=1," + new string('t', 242) + "@" + new string('v', 13) + "=1" },
                { "key: '@' then a digit", ["t@1v=1"], "t@1v=1" },
                { "key: ends in '@'", ["foo@=1,bar=2"], "foo@=1,bar=2" },
                { "key: '@@'", ["foo@@bar=1,bar=2"], "foo@@bar=1,bar=2" },
                { "key: two '@'", ["foo@bar@baz=1,bar=2"], "foo@bar@baz=1,bar=2" },
                { "duplicate keys in one field: the first is kept", ["foo=1,foo=1"], "foo=1" },
                { "duplicate keys with different values: the first is kept", ["foo=1,foo=2"], "foo=1" },
                { "duplicate keys across fields", ["foo=1", "foo=1"], "foo=1" },
                { "duplicate keys across fields, different values", ["foo=1", "foo=2"], "foo=1" },
                { "duplicate keys among others: order kept", ["a=1,foo=1,b=2,foo=2,c=3"], "a=1,foo=1,b=2,c=3" },
                { "list: 33 members with a duplicate is still invalid", [thirtyTwo + ",bar01=x"], null },
                { "value: 256 characters", ["foo=" + new string('v', 256)], "foo=" + new string('v', 256) },
                { "list: 32 members", [thirtyTwo], thirtyTwo },
                { "list: 33 members is invalid", [thirtyTwo + ",bar33=33"], null },
                { "key: space inside", ["foo =1"], null },
                { "key: uppercase", ["FOO=1"], null },
                { "key: '.' not allowed", ["foo.bar=1"], null },
                { "key: must not start with '@'", ["@foo=1"], null },
                { "key: must not start with '_'", ["_foo=1"], null },
                { "key: empty", ["=1"], null },
                { "key: simple key of 257 characters", ["foo=1", new string('z', 257) + "=1"], null },
                { "key: 't' x 243 + '@v' x 13 (257)", ["foo=1", new string('t', 243) + "@" + new string('v', 13) + "=1"], null },
                { "key: empty before '@'", ["@foo=1,bar=2"], null },
                { "value: '=' not allowed", ["foo=bar=baz"], null },
                { "value: empty", ["foo=,bar=3"], null },
                { "value: 257 characters", ["foo=" + new string('v', 257)], null },
                { "value: non-ASCII", ["foo=caf\u00e9"], null },
                { "value: control character", ["foo=a\u0001b"], null },
                { "value: CR LF (header injection)", ["foo=1\r\nx: y"], null },
                { "member without '='", ["foo"], null },
                { "a bad member discards the whole list", ["foo=1,BAR=2,baz=3"], null },
            };
        }
    }

    [Theory]
    [MemberData(nameof(TraceParentVectors))]
    public void ExtractThenInject_TraceParentVector_FollowsTheRule(string rule, string header, string? expected)
    {
        var carrier = TestCarrier.With(("traceparent", [header]), ("tracestate", ["rojo=00f067aa0ba902b7"]));

        var extracted = Propagator.Extract(default, carrier, TestCarrier.Getter);
        var output = new TestCarrier();
        Propagator.Inject(extracted, output, TestCarrier.Setter);

        if (expected is null)
        {
            Assert.True(extracted == default, rule);
            Assert.Empty(output.Headers);
        }
        else
        {
            Assert.True(extracted.SpanContext.IsValid, rule);
            Assert.True(extracted.SpanContext.IsRemote, rule);
            Assert.Equal(expected, output.Get("traceparent"));
            Assert.Equal("rojo=00f067aa0ba902b7", output.Get("tracestate"));
        }
    }

    [Theory]
    [MemberData(nameof(TraceStateVectors))]
    public void ExtractThenInject_TraceStateVector_FollowsTheRule(string rule, string[] fields, string? expected)
    {
        var carrier = TestCarrier.With(("traceparent", [SuiteParent]), ("tracestate", fields));

        var extracted = Propagator.Extract(default, carrier, TestCarrier.Getter);
        var output = new TestCarrier();
        Propagator.Inject(extracted, output, TestCarrier.Setter);

        Assert.True(extracted.SpanContext.IsValid, rule); // a bad tracestate never affects traceparent
        Assert.Equal(SuiteTraceId, extracted.SpanContext.TraceId.ToString());
        Assert.Equal(expected, extracted.SpanContext.TraceState);
        Assert.Equal(SuiteParent, output.Get("traceparent"));
        Assert.Equal(expected, output.Get("tracestate"));
    }

    [Fact]
    public void Extract_ValidTraceParent_GivesRemoteContextWithItsFields()
    {
        var carrier = TestCarrier.With(("traceparent", [Valid]));

        var context = Propagator.Extract(default, carrier, TestCarrier.Getter).SpanContext;

        Assert.Equal(TraceIdHex, context.TraceId.ToString());
        Assert.Equal(SpanIdHex, context.SpanId.ToString());
        Assert.Equal(TraceFlags.Sampled, context.TraceFlags);
        Assert.True(context.IsRemote);
        Assert.Null(context.TraceState);
    }

    [Fact]
    public void Extract_TwoTraceParentFields_IsRejectedAndTraceStateIgnored()
    {
        var carrier = TestCarrier.With(
            ("traceparent", ["00-12345678901234567890123456789011-1234567890123456-01", "00-12345678901234567890123456789012-1234567890123456-01"]),
            ("tracestate", ["foo=1"]));

        var extracted = Propagator.Extract(default, carrier, TestCarrier.Getter);

        Assert.Equal(default, extracted);
    }

    [Fact]
    public void Extract_TraceStateWithoutTraceParent_IsIgnored()
    {
        var carrier = TestCarrier.With(("tracestate", ["foo=1,bar=2"]));

        Assert.Equal(default, Propagator.Extract(default, carrier, TestCarrier.Getter));
    }

    [Fact]
    public void Extract_InvalidTraceParent_KeepsTheContextItWasGiven()
    {
        var given = new PropagationContext(default, Baggage.Create(new BaggageItem("k", "v")));
        var carrier = TestCarrier.With(("traceparent", ["ff-" + TraceIdHex + "-" + SpanIdHex + "-01"]));

        Assert.Equal(given, Propagator.Extract(given, carrier, TestCarrier.Getter));
    }

    [Fact]
    public void Extract_HeaderNameInAnyCase_IsRead()
    {
        var carrier = TestCarrier.With(("TrAcEpArEnT", [Valid]), ("TRACESTATE", ["foo=1"]));

        var context = Propagator.Extract(default, carrier, TestCarrier.Getter).SpanContext;

        Assert.True(context.IsValid);
        Assert.Equal("foo=1", context.TraceState);
    }

    [Fact]
    public void Extract_NormalizedTraceState_KeepsTheSameString()
    {
        const string state = "rojo=00f067aa0ba902b7,congo=t61rcWkgMzE";
        var carrier = TestCarrier.With(("traceparent", [Valid]), ("tracestate", [state]));

        var context = Propagator.Extract(default, carrier, TestCarrier.Getter).SpanContext;

        Assert.Same(state, context.TraceState);
    }

    [Fact]
    public void Extract_TraceStateLongerThan512_DropsLargeMembersFirstThenFromTheEnd()
    {
        // 1 small member, one of 201 characters, then 8 of 51: 14 + 1 + 201 + 8 * 52 = 632 > 512.
        var small = "first=" + new string('a', 8);
        var large = "large=" + new string('b', 195);
        var tail = Enumerable.Range(0, 8).Select(i => $"k{i}=" + new string('c', 48)).ToArray();
        var header = string.Join(',', [small, large, .. tail]);
        var carrier = TestCarrier.With(("traceparent", [Valid]), ("tracestate", [header]));

        var state = Propagator.Extract(default, carrier, TestCarrier.Getter).SpanContext.TraceState;

        // Without the large member: 14 + 8 * 52 = 430 <= 512, so every small member stays, in order.
        Assert.Equal(string.Join(',', [small, .. tail]), state);
    }

    [Fact]
    public void Extract_TraceStateLongerThan512WithoutLargeMembers_DropsFromTheEnd()
    {
        var members = Enumerable.Range(0, 12).Select(i => $"k{i:00}=" + new string('v', 46)).ToArray(); // 50 each
        var carrier = TestCarrier.With(("traceparent", [Valid]), ("tracestate", [string.Join(',', members)]));

        var state = Propagator.Extract(default, carrier, TestCarrier.Getter).SpanContext.TraceState;

        // 12 * 51 - 1 = 611; ten members are 509 characters.
        Assert.Equal(string.Join(',', members[..10]), state);
        Assert.True(state!.Length <= 512);
    }

    [Fact]
    public void Extract_WithoutTraceState_AllocatesNothing()
    {
        var carrier = new Dictionary<string, string[]> { ["traceparent"] = [Valid] };
        Func<Dictionary<string, string[]>, string, StringValues> getter = static (c, k) => c.TryGetValue(k, out var v) ? new StringValues(v) : StringValues.Empty;
        _ = Propagator.Extract(default, carrier, getter);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = Propagator.Extract(default, carrier, getter);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Extract_WithNormalizedTraceState_AllocatesNothing()
    {
        var carrier = new Dictionary<string, string[]> { ["traceparent"] = [Valid], ["tracestate"] = ["rojo=00f067aa0ba902b7,congo=t61rcWkgMzE"] };
        Func<Dictionary<string, string[]>, string, StringValues> getter = static (c, k) => c.TryGetValue(k, out var v) ? new StringValues(v) : StringValues.Empty;
        _ = Propagator.Extract(default, carrier, getter);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            _ = Propagator.Extract(default, carrier, getter);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }

    [Fact]
    public void Inject_WithTraceState_AllocatesOnlyTheTraceParentString()
    {
        var context = new PropagationContext(
            new SpanContext(TraceId.Parse(TraceIdHex), SpanId.Parse(SpanIdHex), TraceFlags.Sampled, "rojo=00f067aa0ba902b7", isRemote: true), null);
        var carrier = new Dictionary<string, string>();
        Action<Dictionary<string, string>, string, string> setter = static (c, k, v) => c[k] = v;
        Propagator.Inject(context, carrier, setter);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Propagator.Inject(context, carrier, setter);
        var injectBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        _ = new string('0', 55);
        var oneHeaderString = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(oneHeaderString, injectBytes);
    }

    [Fact]
    public void Inject_InvalidContext_WritesNothing()
    {
        var output = new TestCarrier();

        Propagator.Inject(default, output, TestCarrier.Setter);

        Assert.Empty(output.Headers);
    }

    [Theory]
    [InlineData("foo=1\r\nset-cookie: x=y")]
    [InlineData("foo=1\nbar=2")]
    [InlineData("FOO=1")]
    [InlineData("foo=caf\u00e9")]
    public void Inject_TraceStateThatBreaksTheGrammar_IsNotSent(string traceState)
    {
        var context = new SpanContext(TraceId.Parse(TraceIdHex), SpanId.Parse(SpanIdHex), TraceFlags.Sampled, traceState);
        var output = new TestCarrier();

        Propagator.Inject(new PropagationContext(context, null), output, TestCarrier.Setter);

        Assert.Equal(Valid, output.Get("traceparent"));
        Assert.Null(output.Get("tracestate"));
    }

    [Fact]
    public void Inject_TraceStateWithOptionalWhitespace_IsSentNormalized()
    {
        var context = new SpanContext(TraceId.Parse(TraceIdHex), SpanId.Parse(SpanIdHex), TraceFlags.None, " a=1 , b=2 ");
        var output = new TestCarrier();

        Propagator.Inject(new PropagationContext(context, null), output, TestCarrier.Setter);

        Assert.Equal("a=1,b=2", output.Get("tracestate"));
    }

    [Fact]
    public void Fields_AreTraceParentAndTraceState()
    {
        Assert.Equal(["traceparent", "tracestate"], Propagator.Fields);
    }

    [Fact]
    public void InjectThenExtract_AnyContext_RoundTrips()
    {
        var gen = Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong, Gen.Byte)
            .Where((high, low, span, _) => (high | low) != 0 && span != 0);

        gen.Sample((high, low, span, flags) =>
        {
            var sent = new SpanContext(TraceId.FromHalves(high, low), SpanId.FromUInt64(span), (TraceFlags)flags);
            var carrier = new TestCarrier();
            Propagator.Inject(new PropagationContext(sent, null), carrier, TestCarrier.Setter);

            var header = carrier.Get("traceparent")!;
            var received = Propagator.Extract(default, carrier, TestCarrier.Getter).SpanContext;

            Assert.Equal(55, header.Length);
            Assert.All(header, c => Assert.True(c == '-' || char.IsAsciiDigit(c) || c is >= 'a' and <= 'f'));
            Assert.Equal(sent.TraceId, received.TraceId);
            Assert.Equal(sent.SpanId, received.SpanId);
            Assert.Equal(sent.TraceFlags & (TraceFlags.Sampled | TraceFlags.Random), received.TraceFlags);
        });
    }

    [Fact]
    public void ExtractThenInject_AnyValidTraceState_RoundTripsUnchanged()
    {
        var keyChar = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789_-*/@"];
        var key = Gen.Select(Gen.Char["abcxyz0189"], keyChar.Array[0, 255], (first, rest) => first + new string(rest));
        var value = Gen.Select(Gen.Char[' ', '~'].Where(c => c is not ',' and not '=').Array[0, 30], Gen.Char['!', '~'].Where(c => c is not ',' and not '='),
            (rest, last) => new string(rest) + last);
        var list = Gen.Select(key, value).Array[1, 32]
            .Select(members => members.DistinctBy(m => m.Item1).Select(m => m.Item1 + "=" + m.Item2).ToArray())
            .Select(members => string.Join(',', members))
            .Where(header => header.Length <= 512);

        list.Sample(header =>
        {
            var carrier = TestCarrier.With(("traceparent", [Valid]), ("tracestate", [header]));
            var extracted = Propagator.Extract(default, carrier, TestCarrier.Getter);
            var output = new TestCarrier();
            Propagator.Inject(extracted, output, TestCarrier.Setter);

            Assert.Equal(header, output.Get("tracestate"));
        });
    }

    [Fact]
    public void Extract_ArbitraryText_NeverThrowsAndNeverKeepsForbiddenCharacters()
    {
        Gen.Select(Gen.String, Gen.String).Sample((traceParent, traceState) =>
        {
            var carrier = TestCarrier.With(("traceparent", [traceParent]), ("tracestate", [traceState]));
            var extracted = Propagator.Extract(default, carrier, TestCarrier.Getter);
            var output = new TestCarrier();
            Propagator.Inject(extracted, output, TestCarrier.Setter);

            foreach (var value in output.Headers.Values)
            {
                Assert.All(value.ToString(), c => Assert.True(c is >= ' ' and <= '~'));
            }
        });
    }

    private static string Range(int first, int last) => new([.. Enumerable.Range(first, last - first + 1).Select(i => (char)i)]);
}
