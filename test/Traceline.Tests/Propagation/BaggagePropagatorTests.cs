using System.Text;
using CsCheck;
using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

public class BaggagePropagatorTests
{
    private static readonly TextMapPropagator Propagator = Propagators.Baggage;

    /// <summary>
    /// baggage vectors from W3C Baggage (its examples, its ABNF and its limits). Each row: the rule, the header
    /// field(s) as received, and the header re-injected (<see langword="null"/> = nothing kept, no header sent).
    /// </summary>
    public static TheoryData<string, string[], string?> Vectors
    {
        get
        {
            var member4096 = "big=" + new string('x', 4092);
            var member4097 = "big=" + new string('x', 4093);
            var members180 = string.Join(',', Enumerable.Range(0, 180).Select(i => $"k{i}=v"));
            var members181 = members180 + ",k180=v";
            // 4 members of 2047 characters + 3 commas = 8191 bytes; the next member would pass 8192.
            var near8192 = string.Join(',', Enumerable.Range(0, 4).Select(i => $"m{i}=" + new string('x', 2044)));
            return new()
            {
                { "spec example: two members", ["key1=value1,key2=value2"], "key1=value1,key2=value2" },
                {
                    "spec example: OWS removed, properties kept",
                    ["key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue"],
                    "key1=value1;property1;property2,key2=value2,key3=value3;propertyKey=propertyValue"
                },
                { "spec example: percent-encoded space", ["userId=alice, serverNode=DF%2028, isProduction=false"], "userId=alice,serverNode=DF%2028,isProduction=false" },
                { "percent-encoded UTF-8", ["name=caf%C3%A9"], "name=caf%C3%A9" },
                { "percent-encoding: lowercase hex written uppercase", ["name=caf%c3%a9"], "name=caf%C3%A9" },
                { "percent-encoding: needless encoding of an octet is decoded", ["k=%41bc"], "k=Abc" },
                { "percent-encoding: '%' itself is encoded", ["k=100%25"], "k=100%25" },
                { "percent-encoding: invalid UTF-8 becomes U+FFFD", ["k=%FF"], "k=%EF%BF%BD" },
                { "value: empty", ["k="], "k=" },
                { "value: '=' is a baggage-octet", ["k=a=b"], "k=a=b" },
                { "property: key only and key=value, OWS removed", ["k=v ; p1 ; p2 = x"], "k=v;p1;p2=x" },
                { "several header fields are one list", ["k1=v1", "k2=v2"], "k1=v1,k2=v2" },
                { "empty list-members ignored", ["k1=v1,,k2=v2,"], "k1=v1,k2=v2" },
                { "duplicate key: first position, last value", ["k=1,j=2,k=3"], "k=3,j=2" },
                { "empty header", [""], null },
                { "bad member skipped, the rest kept: key not a token", ["k1=v1,bad key=v,k2=v2"], "k1=v1,k2=v2" },
                { "bad member skipped: no '='", ["k1=v1,novalue,k2=v2"], "k1=v1,k2=v2" },
                { "bad member skipped: empty key", ["=v,k=v"], "k=v" },
                { "bad member skipped: key with separator", ["k(1)=v,k=v"], "k=v" },
                { "bad member skipped: space inside value", ["k=a b"], null },
                { "bad member skipped: DQUOTE in value", ["k=\"v\",j=1"], "j=1" },
                { "bad member skipped: backslash in value", ["k=a\\b,j=1"], "j=1" },
                { "bad member skipped: non-ASCII in value", ["k=caf\u00e9,j=1"], "j=1" },
                { "bad member skipped: CR LF in value", ["k=a\r\nx: y,j=1"], "j=1" },
                { "bad member skipped: '%' not followed by two hex digits", ["k=%G1,j=%4,l=1"], "l=1" },
                { "bad member skipped: bad property", ["k=v;p=a b,j=1"], "j=1" },
                { "limit: a member of 4096 bytes is kept", [member4096], member4096 },
                { "limit: a member over 4096 bytes is skipped", ["a=1," + member4097 + ",b=2"], "a=1,b=2" },
                { "limit: 180 members are kept", [members180], members180 },
                { "limit: members past 180 are dropped", [members181], members180 },
                { "limit: members past 8192 bytes are dropped", [near8192 + ",next=1"], near8192 },
            };
        }
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void ExtractThenInject_Vector_FollowsTheRule(string rule, string[] fields, string? expected)
    {
        var carrier = TestCarrier.With(("baggage", fields));

        var extracted = Propagator.Extract(default, carrier, TestCarrier.Getter);
        var output = new TestCarrier();
        Propagator.Inject(extracted, output, TestCarrier.Setter);

        Assert.Equal(expected, output.Get("baggage"));
        Assert.Equal(expected is null, extracted.Baggage.Count == 0);
        Assert.False(extracted.SpanContext.IsValid, rule);
    }

    [Fact]
    public void Extract_SpecExample_DecodesValuesAndKeepsProperties()
    {
        var carrier = TestCarrier.With(("baggage", ["userId=alice, serverNode=DF%2028;region=eu;flag, name=caf%C3%A9"]));

        var baggage = Propagator.Extract(default, carrier, TestCarrier.Getter).Baggage;

        Assert.Equal(3, baggage.Count);
        Assert.Equal("alice", baggage.GetValue("userId"));
        Assert.Equal("DF 28", baggage.GetValue("serverNode"));
        Assert.Equal("region=eu;flag", baggage[1].Properties);
        Assert.Equal("caf\u00e9", baggage.GetValue("name"));
    }

    [Fact]
    public void Extract_InvalidUtf8_ReplacedWithReplacementCharacter()
    {
        var carrier = TestCarrier.With(("baggage", ["k=a%C3%28b"]));

        Assert.Equal("a\uFFFD(b", Propagator.Extract(default, carrier, TestCarrier.Getter).Baggage.GetValue("k"));
    }

    [Fact]
    public void Extract_KeepsTheSpanContextItWasGiven()
    {
        var spanContext = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled, isRemote: true);
        var carrier = TestCarrier.With(("baggage", ["k=v"]));

        var extracted = Propagator.Extract(new PropagationContext(spanContext, null), carrier, TestCarrier.Getter);

        Assert.Equal(spanContext, extracted.SpanContext);
        Assert.Equal("v", extracted.Baggage.GetValue("k"));
    }

    [Fact]
    public void Extract_DoesNotChangeCurrentBaggage()
    {
        using var scope = Baggage.Use(Baggage.Empty);
        var carrier = TestCarrier.With(("baggage", ["k=v"]));

        _ = Propagator.Extract(default, carrier, TestCarrier.Getter);

        Assert.Empty(Baggage.Current);
    }

    [Fact]
    public void Inject_ValuesThatNeedEncoding_ArePercentEncoded()
    {
        var baggage = Baggage.Create(new BaggageItem("k", "a b,c;d\"e\\f%g\u00e9\U0001F600\r\n"));
        var output = new TestCarrier();

        Propagator.Inject(new PropagationContext(default, baggage), output, TestCarrier.Setter);

        Assert.Equal("k=a%20b%2Cc%3Bd%22e%5Cf%25g%C3%A9%F0%9F%98%80%0D%0A", output.Get("baggage"));
    }

    [Fact]
    public void Inject_NameThatIsNotAToken_IsSkipped()
    {
        var baggage = Baggage.Create(new BaggageItem("bad name", "v"), new BaggageItem("bad\r\nname", "v"), new BaggageItem("ok", "v"));
        var output = new TestCarrier();

        Propagator.Inject(new PropagationContext(default, baggage), output, TestCarrier.Setter);

        Assert.Equal("ok=v", output.Get("baggage"));
    }

    [Fact]
    public void Inject_PropertiesThatBreakTheGrammar_AreLeftOut()
    {
        var baggage = Baggage.Create(new BaggageItem("a", "1", "p=x\r\ny"), new BaggageItem("b", "2", " q ; r = s "));
        var output = new TestCarrier();

        Propagator.Inject(new PropagationContext(default, baggage), output, TestCarrier.Setter);

        Assert.Equal("a=1,b=2;q;r=s", output.Get("baggage"));
    }

    [Fact]
    public void Inject_EmptyBaggage_WritesNothing()
    {
        var output = new TestCarrier();

        Propagator.Inject(default, output, TestCarrier.Setter);

        Assert.Empty(output.Headers);
    }

    [Fact]
    public void InjectThenExtract_AnyBaggage_RoundTrips()
    {
        const string tokenChars = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        var name = Gen.Char[tokenChars].Array[1, 16].Select(chars => new string(chars));
        var value = Gen.String[0, 40].Where(s => Encoding.UTF8.GetString(Encoding.UTF8.GetBytes(s)) == s); // well-formed UTF-16 only
        var items = Gen.Select(name, value).Array[1, 10]
            .Select(pairs => pairs.DistinctBy(p => p.Item1, StringComparer.Ordinal).Select(p => new BaggageItem(p.Item1, p.Item2)).ToArray());

        items.Sample(sent =>
        {
            var output = new TestCarrier();
            Propagator.Inject(new PropagationContext(default, Baggage.Create(sent)), output, TestCarrier.Setter);

            var header = output.Get("baggage")!;
            var received = Propagator.Extract(default, output, TestCarrier.Getter).Baggage;

            Assert.All(header, c => Assert.True(c is > ' ' and <= '~'));
            Assert.Equal(sent, received.ToArray());
        });
    }

    [Fact]
    public void Extract_ArbitraryText_NeverThrows()
    {
        Gen.String.Sample(text =>
        {
            var extracted = Propagator.Extract(default, TestCarrier.With(("baggage", [text])), TestCarrier.Getter);
            var output = new TestCarrier();
            Propagator.Inject(extracted, output, TestCarrier.Setter);
            Assert.All(output.Get("baggage") ?? string.Empty, c => Assert.True(c is > ' ' and <= '~'));
        });
    }
}
