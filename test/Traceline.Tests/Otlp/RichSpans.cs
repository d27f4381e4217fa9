using System.Text.Json;
using Google.Protobuf;
using Traceline.Export;
using Traceline.Tests.Otlp.Proto.Collector;
using Common = Traceline.Tests.Otlp.Proto.Common;
using ProtoTrace = Traceline.Tests.Otlp.Proto.Trace;

namespace Traceline.Tests.Otlp;

/// <summary>
/// Spans that use every field Traceline records, made by a real provider into an in-memory exporter, and the checks
/// that compare them with what a receiver decoded (protobuf by Google.Protobuf, JSON by System.Text.Json).
/// </summary>
internal static class RichSpans
{
    public const string ScopeName = "rich.scope";
    public const string ScopeVersion = "1.2.3";
    public const string OtherScopeName = "other.scope";

    public static (TracerProvider Provider, Span[] Spans) Create()
    {
        var memory = new InMemorySpanExporter();
        var provider = TestProviders.Create(b => b
            .WithServiceName("otlp-tests")
            .WithResourceAttribute("deployment.environment.name", "test")
            .WithSpanLimits(l =>
            {
                l.AttributeCountLimit = 12;
                l.EventCountLimit = 2;
                l.LinkCountLimit = 1;
                l.EventAttributeCountLimit = 3;
                l.LinkAttributeCountLimit = 1;
            })
            .UseInMemoryExporter(memory));
        var tracer = provider.GetTracer(ScopeName, ScopeVersion);
        var other = provider.GetTracer(OtherScopeName);

        var remoteParent = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled | TraceFlags.Random, "vendor=abc,other=x", isRemote: true);
        var linked = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.None, "linked=1", isRemote: true);
        var localLinked = new SpanContext(TraceId.CreateRandom(), SpanId.CreateRandom(), TraceFlags.Sampled);
        var start = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1_234_567);

        var rich = tracer.StartSpan(
            "GET /orders/{id}",
            SpanKind.Server,
            remoteParent,
            [new("http.request.method", "GET")],
            [new SpanLink(linked, new SpanAttribute("link.kind", "cause"), new SpanAttribute("link.dropped", 1)), new SpanLink(localLinked)],
            start);
        rich.SetAttribute("s", "text ünïcødé 🚀 \"quoted\" \\ \n")
            .SetAttribute("s.empty", string.Empty)
            .SetAttribute("b.true", true)
            .SetAttribute("b.false", false)
            .SetAttribute("l", -42L)
            .SetAttribute("l.max", long.MaxValue)
            .SetAttribute("l.zero", 0L)
            .SetAttribute("d", 3.25)
            .SetAttribute("d.tiny", double.Epsilon)
            .SetAttribute("sa", new[] { "a", string.Empty, "ü" })
            .SetAttribute("ba", new[] { true, false })
            .SetAttribute("la", new[] { 1L, -1L, long.MinValue })
            .SetAttribute("da", new[] { 0.5, -2.0 })
            .SetAttribute("dropped.1", 1)
            .SetAttribute("dropped.2", 2);
        rich.AddEventAt("first", start.AddTicks(10), new("e.s", "x"), new("e.l", 7L), new("e.b", true), new("e.dropped", 1.5));
        rich.RecordException(new InvalidOperationException("boom"));
        rich.AddEvent("dropped-event");

        using (var child = tracer.StartSpan("child", SpanKind.Client))
        {
            child.SetAttribute("peer", "db");
        }

        rich.SetStatus(SpanStatusCode.Error, "it failed");
        rich.End(start.AddTicks(15_000));

        using (var root = other.StartRootSpan("root", SpanKind.Producer))
        {
            root.SetStatus(SpanStatusCode.Ok);
            using var consumer = other.StartSpan("consume", SpanKind.Consumer);
            using var inner = other.StartSpan("inner");
        }

        var spans = memory.Spans.ToArray();
        Assert.Equal(5, spans.Length);

        // The rich span really carries what the round trip must keep: dropped counts of every kind, a remote parent.
        var recorded = spans.Single(s => s.Name == "GET /orders/{id}");
        Assert.True(recorded.DroppedAttributeCount > 0 && recorded.DroppedEventCount > 0 && recorded.DroppedLinkCount > 0);
        Assert.True(recorded.Events[0].DroppedAttributeCount > 0 && recorded.Links[0].DroppedAttributeCount > 0);
        Assert.True(recorded.Parent.IsRemote && recorded.Context.TraceState is not null && recorded.Status == SpanStatusCode.Error);
        return (provider, spans);
    }

    /// <summary>Checks that a decoded request holds exactly <paramref name="expected"/>, grouped by resource and scope.</summary>
    public static void AssertMatches(IReadOnlyList<Span> expected, ExportTraceServiceRequest request)
    {
        var resourceSpans = Assert.Single(request.ResourceSpans);
        AssertAttributes(expected[0].Resource!.Attributes, resourceSpans.Resource.Attributes);

        var decoded = new List<(ProtoTrace.ScopeSpans Scope, ProtoTrace.Span Span)>();
        foreach (var scopeSpans in resourceSpans.ScopeSpans)
        {
            decoded.AddRange(scopeSpans.Spans.Select(s => (scopeSpans, s)));
        }

        Assert.Equal(expected.Count, decoded.Count);
        Assert.Equal(expected.Select(s => s.Scope!.Name).Distinct().Count(), resourceSpans.ScopeSpans.Count);
        foreach (var span in expected)
        {
            var match = decoded.Single(d => d.Span.SpanId.Span.SequenceEqual(Bytes(span.Context.SpanId)));
            Assert.Equal(span.Scope!.Name, match.Scope.Scope.Name);
            Assert.Equal(span.Scope.Version ?? string.Empty, match.Scope.Scope.Version);
            AssertSpan(span, match.Span);
        }
    }

    public static void AssertSpan(Span expected, ProtoTrace.Span actual)
    {
        Assert.Equal(Bytes(expected.Context.TraceId), actual.TraceId.ToByteArray());
        Assert.Equal(Bytes(expected.Context.SpanId), actual.SpanId.ToByteArray());
        Assert.Equal(expected.Context.TraceState ?? string.Empty, actual.TraceState);
        Assert.Equal(expected.ParentSpanId.IsValid ? Bytes(expected.ParentSpanId) : [], actual.ParentSpanId.ToByteArray());
        Assert.Equal(ExpectedFlags(expected.Context.TraceFlags, expected.Parent.IsRemote), actual.Flags);
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal((int)expected.Kind + 1, (int)actual.Kind);
        Assert.Equal((ulong)expected.StartUnixNanos, actual.StartTimeUnixNano);
        Assert.Equal((ulong)expected.EndUnixNanos, actual.EndTimeUnixNano);
        AssertAttributes(expected.Attributes, actual.Attributes);
        Assert.Equal((uint)expected.DroppedAttributeCount, actual.DroppedAttributesCount);
        Assert.Equal(expected.Events.Count, actual.Events.Count);
        for (var i = 0; i < expected.Events.Count; i++)
        {
            var e = expected.Events[i];
            var a = actual.Events[i];
            Assert.Equal(e.Name, a.Name);
            Assert.Equal((ulong)e.TimeUnixNanos, a.TimeUnixNano);
            AssertAttributes(e.Attributes, a.Attributes);
            Assert.Equal((uint)e.DroppedAttributeCount, a.DroppedAttributesCount);
        }

        Assert.Equal((uint)expected.DroppedEventCount, actual.DroppedEventsCount);
        Assert.Equal(expected.Links.Length, actual.Links.Count);
        for (var i = 0; i < expected.Links.Length; i++)
        {
            var e = expected.Links[i];
            var a = actual.Links[i];
            Assert.Equal(Bytes(e.Context.TraceId), a.TraceId.ToByteArray());
            Assert.Equal(Bytes(e.Context.SpanId), a.SpanId.ToByteArray());
            Assert.Equal(e.Context.TraceState ?? string.Empty, a.TraceState);
            AssertAttributes(e.Attributes, a.Attributes);
            Assert.Equal((uint)e.DroppedAttributeCount, a.DroppedAttributesCount);
            Assert.Equal(ExpectedFlags(e.Context.TraceFlags, e.Context.IsRemote), a.Flags);
        }

        Assert.Equal((uint)expected.DroppedLinkCount, actual.DroppedLinksCount);
        Assert.Equal((int)expected.Status, (int)(actual.Status?.Code ?? ProtoTrace.Status.Types.StatusCode.Unset));
        Assert.Equal(expected.Status == SpanStatusCode.Error ? expected.StatusDescription ?? string.Empty : string.Empty, actual.Status?.Message ?? string.Empty);
    }

    public static void AssertAttributes(ReadOnlySpan<SpanAttribute> expected, IList<Common.KeyValue> actual)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Key, actual[i].Key);
            AssertValue(expected[i].Value, actual[i].Value);
        }
    }

    public static void AssertValue(AttributeValue expected, Common.AnyValue actual)
    {
        switch (expected.Type)
        {
            case AttributeValueType.String:
                Assert.Equal(Common.AnyValue.ValueOneofCase.StringValue, actual.ValueCase);
                Assert.Equal(expected.StringValue, actual.StringValue);
                break;
            case AttributeValueType.Bool:
                Assert.Equal(Common.AnyValue.ValueOneofCase.BoolValue, actual.ValueCase);
                Assert.Equal(expected.BoolValue, actual.BoolValue);
                break;
            case AttributeValueType.Long:
                Assert.Equal(Common.AnyValue.ValueOneofCase.IntValue, actual.ValueCase);
                Assert.Equal(expected.LongValue, actual.IntValue);
                break;
            case AttributeValueType.Double:
                Assert.Equal(Common.AnyValue.ValueOneofCase.DoubleValue, actual.ValueCase);
                Assert.Equal(BitConverter.DoubleToInt64Bits(expected.DoubleValue), BitConverter.DoubleToInt64Bits(actual.DoubleValue));
                break;
            case AttributeValueType.StringArray:
                Assert.Equal(Common.AnyValue.ValueOneofCase.ArrayValue, actual.ValueCase);
                Assert.Equal(expected.StringArrayValue.ToArray(), actual.ArrayValue.Values.Select(v => v.ValueCase == Common.AnyValue.ValueOneofCase.None ? null : v.StringValue).ToArray());
                break;
            case AttributeValueType.BoolArray:
                Assert.Equal(expected.BoolArrayValue.ToArray(), actual.ArrayValue.Values.Select(v => Case(v, Common.AnyValue.ValueOneofCase.BoolValue).BoolValue).ToArray());
                break;
            case AttributeValueType.LongArray:
                Assert.Equal(expected.LongArrayValue.ToArray(), actual.ArrayValue.Values.Select(v => Case(v, Common.AnyValue.ValueOneofCase.IntValue).IntValue).ToArray());
                break;
            case AttributeValueType.DoubleArray:
                Assert.Equal(expected.DoubleArrayValue.ToArray(), actual.ArrayValue.Values.Select(v => Case(v, Common.AnyValue.ValueOneofCase.DoubleValue).DoubleValue).ToArray());
                break;
            default:
                Assert.Equal(Common.AnyValue.ValueOneofCase.None, actual.ValueCase);
                break;
        }
    }

    /// <summary>Checks a JSON request (OTLP JSON mapping) against the same spans, reading it with System.Text.Json only.</summary>
    public static void AssertJsonMatches(IReadOnlyList<Span> expected, JsonElement root)
    {
        var resourceSpans = Assert.Single(root.GetProperty("resourceSpans").EnumerateArray());
        AssertJsonAttributes(expected[0].Resource!.Attributes, resourceSpans.GetProperty("resource"));
        var decoded = new List<(JsonElement Scope, JsonElement Span)>();
        foreach (var scopeSpans in resourceSpans.GetProperty("scopeSpans").EnumerateArray())
        {
            decoded.AddRange(scopeSpans.GetProperty("spans").EnumerateArray().Select(s => (scopeSpans.GetProperty("scope"), s)));
        }

        Assert.Equal(expected.Count, decoded.Count);
        foreach (var span in expected)
        {
            var (scope, actual) = decoded.Single(d => d.Span.GetProperty("spanId").GetString() == span.Context.SpanId.ToString());
            Assert.Equal(span.Scope!.Name, scope.GetProperty("name").GetString());
            Assert.Equal(span.Scope.Version, scope.TryGetProperty("version", out var v) ? v.GetString() : null);
            Assert.Equal(span.Context.TraceId.ToString(), actual.GetProperty("traceId").GetString());
            Assert.Equal(span.Context.TraceState, Optional(actual, "traceState")?.GetString());
            Assert.Equal(span.ParentSpanId.IsValid ? span.ParentSpanId.ToString() : null, Optional(actual, "parentSpanId")?.GetString());
            Assert.Equal(ExpectedFlags(span.Context.TraceFlags, span.Parent.IsRemote), actual.GetProperty("flags").GetUInt32());
            Assert.Equal(span.Name, actual.GetProperty("name").GetString());
            Assert.Equal((int)span.Kind + 1, actual.GetProperty("kind").GetInt32());
            Assert.Equal(span.StartUnixNanos.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.GetProperty("startTimeUnixNano").GetString());
            Assert.Equal(span.EndUnixNanos.ToString(System.Globalization.CultureInfo.InvariantCulture), actual.GetProperty("endTimeUnixNano").GetString());
            AssertJsonAttributes(span.Attributes, actual);
            Assert.Equal(span.DroppedAttributeCount, Optional(actual, "droppedAttributesCount")?.GetInt32() ?? 0);
            var events = Optional(actual, "events")?.EnumerateArray().ToArray() ?? [];
            Assert.Equal(span.Events.Count, events.Length);
            for (var i = 0; i < events.Length; i++)
            {
                Assert.Equal(span.Events[i].Name, events[i].GetProperty("name").GetString());
                Assert.Equal(span.Events[i].TimeUnixNanos.ToString(System.Globalization.CultureInfo.InvariantCulture), events[i].GetProperty("timeUnixNano").GetString());
                AssertJsonAttributes(span.Events[i].Attributes, events[i]);
                Assert.Equal(span.Events[i].DroppedAttributeCount, Optional(events[i], "droppedAttributesCount")?.GetInt32() ?? 0);
            }

            Assert.Equal(span.DroppedEventCount, Optional(actual, "droppedEventsCount")?.GetInt32() ?? 0);
            var links = Optional(actual, "links")?.EnumerateArray().ToArray() ?? [];
            Assert.Equal(span.Links.Length, links.Length);
            for (var i = 0; i < links.Length; i++)
            {
                var link = span.Links[i];
                Assert.Equal(link.Context.TraceId.ToString(), links[i].GetProperty("traceId").GetString());
                Assert.Equal(link.Context.SpanId.ToString(), links[i].GetProperty("spanId").GetString());
                Assert.Equal(link.Context.TraceState, Optional(links[i], "traceState")?.GetString());
                Assert.Equal(ExpectedFlags(link.Context.TraceFlags, link.Context.IsRemote), links[i].GetProperty("flags").GetUInt32());
                AssertJsonAttributes(link.Attributes, links[i]);
                Assert.Equal(link.DroppedAttributeCount, Optional(links[i], "droppedAttributesCount")?.GetInt32() ?? 0);
            }

            Assert.Equal(span.DroppedLinkCount, Optional(actual, "droppedLinksCount")?.GetInt32() ?? 0);
            var status = Optional(actual, "status");
            Assert.Equal((int)span.Status, status?.GetProperty("code").GetInt32() ?? 0);
            Assert.Equal(span.Status == SpanStatusCode.Error ? span.StatusDescription : null, status is { } s && s.TryGetProperty("message", out var m) ? m.GetString() : null);
        }
    }

    public static uint ExpectedFlags(TraceFlags flags, bool remote) => (byte)flags | 0x100u | (remote ? 0x200u : 0u);

    public static byte[] Bytes(TraceId id)
    {
        var bytes = new byte[16];
        id.CopyTo(bytes);
        return bytes;
    }

    public static byte[] Bytes(SpanId id)
    {
        var bytes = new byte[8];
        id.CopyTo(bytes);
        return bytes;
    }

    private static Common.AnyValue Case(Common.AnyValue value, Common.AnyValue.ValueOneofCase expected)
    {
        Assert.Equal(expected, value.ValueCase);
        return value;
    }

    private static JsonElement? Optional(JsonElement element, string name) => element.TryGetProperty(name, out var value) ? value : null;

    private static void AssertJsonAttributes(ReadOnlySpan<SpanAttribute> expected, JsonElement owner)
    {
        var attributes = owner.TryGetProperty("attributes", out var list) ? list.EnumerateArray().ToArray() : [];
        Assert.Equal(expected.Length, attributes.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Key, attributes[i].GetProperty("key").GetString());
            AssertJsonValue(expected[i].Value, attributes[i].GetProperty("value"));
        }
    }

    private static void AssertJsonValue(AttributeValue expected, JsonElement value)
    {
        switch (expected.Type)
        {
            case AttributeValueType.String:
                Assert.Equal(expected.StringValue, value.GetProperty("stringValue").GetString());
                break;
            case AttributeValueType.Bool:
                Assert.Equal(expected.BoolValue, value.GetProperty("boolValue").GetBoolean());
                break;
            case AttributeValueType.Long:
                Assert.Equal(JsonValueKind.String, value.GetProperty("intValue").ValueKind); // 64-bit integers travel as strings
                Assert.Equal(expected.LongValue, long.Parse(value.GetProperty("intValue").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case AttributeValueType.Double:
                Assert.Equal(expected.DoubleValue, value.GetProperty("doubleValue").GetDouble());
                break;
            default:
                var items = value.GetProperty("arrayValue").GetProperty("values").EnumerateArray().ToArray();
                var array = expected.ToObject() as Array;
                Assert.NotNull(array);
                Assert.Equal(array.Length, items.Length);
                for (var i = 0; i < items.Length; i++)
                {
                    AssertJsonValue(array.GetValue(i) switch
                    {
                        string s => s,
                        bool b => b,
                        long l => l,
                        double d => d,
                        _ => default,
                    }, items[i]);
                }

                break;
        }
    }
}
