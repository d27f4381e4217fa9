using System.Text;
using Microsoft.Extensions.Primitives;
using Traceline.Export;
using Traceline.Propagation;

namespace Traceline.Tests.Fuzz;

/// <summary>
/// Oversized, repeated and garbled headers cost no allocation in proportion to the garbage: whatever lies beyond the
/// specification's limits is skipped, not copied. Measured with <see cref="GC.GetAllocatedBytesForCurrentThread"/>,
/// comparing a 1 MB input with a small one of the same kind.
/// </summary>
public class HostileHeaderAllocationTests
{
    private const int Megabyte = 1 << 20;

    /// <summary>What a small input of the same kind may cost beyond the 1 KB one: fixed overhead, never the megabyte.</summary>
    private const long Slack = 2048;

    private const string ValidTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    public static TheoryData<string, string> GarbageKinds => new()
    {
        { "control characters", "\r\n\0\u0001\u007f" },
        { "non-ASCII", "é中\u2028\ud800\ufeff" },
        { "separators", ",,;;==%%" },
        { "members without '='", "abc,def," },
        { "bad properties", "k=v;a b," },
        { "whitespace", " \t  \t" },
    };

    [Theory]
    [MemberData(nameof(GarbageKinds))]
    public void TraceParent_OneMegabyteOfGarbage_AllocatesNothing(string kind, string unit)
    {
        var headers = Carrier(("traceparent", Repeat(unit, Megabyte)));

        var bytes = Allocated(() => Propagators.Default.Extract(default, headers, Get));

        Assert.True(bytes == 0, $"{kind}: {bytes} bytes");
    }

    [Fact]
    public void TraceParent_ValidPrefixThenOneMegabyte_RejectedWithoutAllocating()
    {
        var headers = Carrier(("traceparent", ValidTraceParent + Repeat("-x", Megabyte)));

        var bytes = Allocated(() => Assert.False(Propagators.TraceContext.Extract(default, headers, Get).SpanContext.IsValid));

        Assert.Equal(0, bytes);
    }

    [Fact]
    public void TraceParent_RepeatedThousandTimes_RejectedWithoutAllocating()
    {
        var headers = new Dictionary<string, StringValues> { ["traceparent"] = new(Enumerable.Repeat(ValidTraceParent, 1000).ToArray()) };

        var bytes = Allocated(() => Assert.False(Propagators.TraceContext.Extract(default, headers, Get).SpanContext.IsValid));

        Assert.Equal(0, bytes);
    }

    [Theory]
    [MemberData(nameof(GarbageKinds))]
    public void TraceState_OneMegabyteOfGarbage_CostsNoMoreThanOneKilobyte(string kind, string unit)
    {
        var (smallInput, largeInput) = (Repeat(unit, 1024), Repeat(unit, Megabyte));
        var small = Allocated(() => TraceStateFormat.Normalize(smallInput));
        var large = Allocated(() => TraceStateFormat.Normalize(largeInput));

        Assert.True(large <= small + Slack, $"{kind}: {large} bytes for 1 MB, {small} for 1 KB");
    }

    [Fact]
    public void TraceState_ValidMembersPaddedPastTheHeaderLimit_DiscardedWithoutAllocating()
    {
        var padded = string.Join(",", Enumerable.Range(0, 32).Select(i => $"k{i}=v{i}")) + Repeat(",", Megabyte);

        var bytes = Allocated(() => Assert.Null(TraceStateFormat.Normalize(padded)));

        Assert.Equal(0, bytes);
    }

    [Fact]
    public void TraceState_ValidMembersPaddedWithinTheHeaderLimit_CostsAtMostTheKeptList()
    {
        var padded = string.Join(",", Enumerable.Range(0, 32).Select(i => $"k{i}=v{i}")) + Repeat(", \t", TraceStateFormat.MaxHeaderLength - 300);

        var bytes = Allocated(() => Assert.NotNull(TraceStateFormat.Normalize(padded)));

        Assert.True(bytes <= (TraceStateFormat.MaxLength * 2) + 64, $"{bytes} bytes");
    }

    [Fact]
    public void TraceState_RepeatedHeaderOfOneMegabyte_CostsNoMoreThanASmallOne()
    {
        var small = new StringValues(Enumerable.Repeat("a=1,,,,,", 4).ToArray());
        var large = new StringValues(Enumerable.Repeat("a=1" + Repeat(",", 1024), 1024).ToArray());

        var smallBytes = Allocated(() => TraceStateFormat.Normalize(small));
        var largeBytes = Allocated(() => TraceStateFormat.Normalize(large));

        Assert.True(largeBytes <= smallBytes + Slack, $"{largeBytes} bytes for 1 MB, {smallBytes} for a small header");
    }

    [Theory]
    [MemberData(nameof(GarbageKinds))]
    public void Baggage_OneMegabyteOfGarbage_CostsNoMoreThanOneKilobyte(string kind, string unit)
    {
        var (smallInput, largeInput) = (new StringValues(Repeat(unit, 1024)), new StringValues(Repeat(unit, Megabyte)));
        var small = Allocated(() => BaggageFormat.Parse(smallInput));
        var large = Allocated(() => BaggageFormat.Parse(largeInput));

        Assert.True(large <= small + Slack, $"{kind}: {large} bytes for 1 MB, {small} for 1 KB");
    }

    [Fact]
    public void Baggage_OneMegabyteOfValidMembers_CostsAtMostTheSpecLimit()
    {
        var (limitInput, hugeInput) = (new StringValues(Repeat("k=v,", BaggageFormat.MaxTotalBytes)), new StringValues(Repeat("k=v,", Megabyte)));
        var distinct = new StringValues(string.Join(",", Enumerable.Range(0, 100_000).Select(i => $"k{i}=v")));
        var atLimit = Allocated(() => BaggageFormat.Parse(limitInput));
        var huge = Allocated(() => BaggageFormat.Parse(hugeInput));
        var many = Allocated(() => BaggageFormat.Parse(distinct));
        Assert.Equal(BaggageFormat.MaxMembers, BaggageFormat.Parse(distinct)!.Count);

        Assert.True(huge <= atLimit + Slack, $"{huge} bytes for 1 MB, {atLimit} at the limit");
        Assert.True(many < 64 * 1024, $"{many} bytes for 100,000 members");
    }

    [Fact]
    public void Baggage_RepeatedHeaderOfGarbage_CostsNoMoreThanASmallOne()
    {
        var small = new StringValues(Enumerable.Repeat("k=v;a b", 4).ToArray());
        var large = new StringValues(Enumerable.Repeat(Repeat("k=v;a b,", 1024), 1024).ToArray());

        var smallBytes = Allocated(() => BaggageFormat.Parse(small));
        var largeBytes = Allocated(() => BaggageFormat.Parse(large));

        Assert.True(largeBytes <= smallBytes + Slack, $"{largeBytes} bytes for 1 MB, {smallBytes} for a small header");
    }

    [Theory]
    [MemberData(nameof(GarbageKinds))]
    public void ResourceAttributes_OneMegabyteOfGarbage_CostsNoMoreThanOneKilobyte(string kind, string unit)
    {
        var reports = 0;
        var (smallInput, largeInput) = (Repeat(unit, 1024), Repeat(unit, Megabyte));
        var small = Allocated(() => ResourceAttributesParser.Parse(smallInput, _ => reports++));
        var large = Allocated(() => ResourceAttributesParser.Parse(largeInput, _ => reports++));

        // At most ResourceAttributesParser.MaxPairs entries are read, good or bad: a fixed budget, whatever the size.
        Assert.True(large <= small + (32 * Slack), $"{kind}: {large} bytes for 1 MB, {small} for 1 KB");
    }

    [Theory]
    [MemberData(nameof(GarbageKinds))]
    public void OtlpHeaders_OneMegabyteOfGarbage_CostsNoMoreThanOneKilobyte(string kind, string unit)
    {
        var reports = 0;
        var smallInput = Repeat(unit, 1024);
        var largeInput = Repeat(unit, Megabyte);
        var small = Allocated(() => OtlpHeadersParser.Parse(smallInput, _ => reports++));
        var large = Allocated(() => OtlpHeadersParser.Parse(largeInput, _ => reports++));

        Assert.True(large <= small + (8 * Slack), $"{kind}: {large} bytes for 1 MB, {small} for 1 KB");
    }

    private static Dictionary<string, StringValues> Carrier(params (string Name, string Value)[] headers) =>
        headers.ToDictionary(h => h.Name, h => new StringValues(h.Value));

    private static StringValues Get(Dictionary<string, StringValues> carrier, string name) =>
        carrier.TryGetValue(name, out var values) ? values : StringValues.Empty;

    private static string Repeat(string unit, int length)
    {
        var builder = new StringBuilder(length + unit.Length);
        while (builder.Length < length)
        {
            builder.Append(unit);
        }

        return builder.ToString(0, length);
    }

    /// <summary>
    /// Bytes allocated on this thread by <paramref name="action"/>: the least of three runs after a warm-up, so that a
    /// one-off cost of the runtime (a method compiled on this thread mid-loop) is not charged to the parser. What the
    /// parser allocates happens on every run and is always counted.
    /// </summary>
    private static long Allocated(Action action)
    {
        action();
        var least = long.MaxValue;
        for (var run = 0; run < 3; run++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return least;
    }
}
