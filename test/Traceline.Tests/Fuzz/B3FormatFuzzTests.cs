using System.Text.RegularExpressions;
using Traceline.Propagation;

namespace Traceline.Tests.Fuzz;

/// <summary>
/// 100,000 seeded hostile B3 values per encoding against an independent reading of openzipkin/b3-propagation: a
/// regular expression of each grammar, plus its one rule a regular expression does not say (no all-zero id).
/// </summary>
public partial class B3FormatFuzzTests
{
    private const string Hex = "0123456789abcdef";

    [Theory]
    [InlineData(20261207)]
    public void SingleHeader_HostileInputs_AcceptsExactlyWhatTheGrammarAccepts(int seed)
    {
        var text = new HostileText(seed);
        int withIds = 0, decisionsOnly = 0;
        for (var i = 0; i < HostileText.Cases; i++)
        {
            var input = text.Kind() switch
            {
                0 => ValidSingle(text),
                1 => text.Mutate(ValidSingle(text)),
                _ => text.NoiseString(90),
            };

            var ok = B3Format.TryParseSingle(input, out var traceId, out var spanId, out var sampling);
            var expected = SingleAccepts(input, out var expectedTrace, out var expectedSpan, out var expectedSampling);
            Assert.True(ok == expected, $"accepted={ok}, grammar={expected}; {text.Describe(i, input)}");
            if (!ok)
            {
                continue;
            }

            Assert.Equal(expectedSampling, sampling);
            Assert.Equal(expectedTrace, traceId == default ? null : traceId.ToString());
            Assert.Equal(expectedSpan, spanId == default ? null : spanId.ToString());
            if (traceId == default)
            {
                decisionsOnly++;
                continue;
            }

            withIds++;
            var header = B3Format.FormatSingle(new SpanContext(traceId, spanId, B3Format.ToTraceFlags(sampling)));
            Assert.True(SingleAccepts(header, out var t2, out var s2, out _) && t2 == expectedTrace && s2 == expectedSpan, text.Describe(i, input));
        }

        // The generator reaches both accepting paths.
        Assert.InRange(withIds, HostileText.Cases / 10, HostileText.Cases);
        Assert.InRange(decisionsOnly, HostileText.Cases / 200, HostileText.Cases);
    }

    [Theory]
    [InlineData(20261208)]
    public void MultiHeader_HostileInputs_AcceptsExactlyWhatTheGrammarAccepts(int seed)
    {
        var text = new HostileText(seed);
        var accepted = 0;
        for (var i = 0; i < HostileText.Cases; i++)
        {
            var carrier = new Propagation.TestCarrier();
            Add(text, carrier, "X-B3-TraceId", () => text.Chance(50) ? text.FromAlphabet(Hex, 32, 32) : text.FromAlphabet(Hex, 16, 16), presence: 95);
            Add(text, carrier, "X-B3-SpanId", () => text.FromAlphabet(Hex, 16, 16), presence: 95);
            Add(text, carrier, "X-B3-ParentSpanId", () => text.FromAlphabet(Hex, 16, 16), presence: 30);
            Add(text, carrier, "X-B3-Sampled", () => text.Random.Next(4) switch { 0 => "1", 1 => "0", 2 => "true", _ => "false" }, presence: 60);
            Add(text, carrier, "X-B3-Flags", () => "1", presence: 15);

            var context = Propagators.B3Multi.Extract(default, carrier, Propagation.TestCarrier.Getter).SpanContext;
            var expected = MultiAccepts(carrier, out var expectedTrace, out var expectedSpan, out var expectedSampled);
            var description = $"seed {seed}, case {i}: {string.Join("; ", carrier.Headers.Select(h => h.Key + "=[" + string.Join("|", h.Value.Select(v => HostileText.Escape(v!))) + "]"))}";
            Assert.True(context.IsValid == expected, $"accepted={context.IsValid}, grammar={expected}; {description}");
            if (!expected)
            {
                Assert.Equal(default, context);
                continue;
            }

            accepted++;
            Assert.Equal(expectedTrace, context.TraceId.ToString());
            Assert.Equal(expectedSpan, context.SpanId.ToString());
            Assert.True(context.IsSampled == expectedSampled, description);
        }

        Assert.InRange(accepted, HostileText.Cases / 10, HostileText.Cases);
    }

    // b3 = [OWS] ( sampling / trace-id "-" span-id [ "-" sampling [ "-" parent-span-id ] ] ) [OWS]
    [GeneratedRegex(@"\A[ \t]*(?:(?<alone>[01d])|(?<trace>[0-9a-f]{32}|[0-9a-f]{16})-(?<span>[0-9a-f]{16})(?:-(?<sampling>[01d])(?:-(?<parent>[0-9a-f]{16}))?)?)[ \t]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SingleGrammar();

    [GeneratedRegex(@"\A[ \t]*(?<id>[0-9a-f]{32}|[0-9a-f]{16})[ \t]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex TraceIdGrammar();

    [GeneratedRegex(@"\A[ \t]*(?<id>[0-9a-f]{16})[ \t]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SpanIdGrammar();

    [GeneratedRegex(@"\A[ \t]*(?<value>1|0|true|false)[ \t]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex SampledGrammar();

    private static string ValidSingle(HostileText text)
    {
        if (text.Chance(8))
        {
            return text.Ows() + "01d"[text.Random.Next(3)] + text.Ows();
        }

        var trace = text.Chance(2) ? new string('0', 32) : text.Chance(50) ? text.FromAlphabet(Hex, 32, 32) : text.FromAlphabet(Hex, 16, 16);
        var span = text.Chance(2) ? new string('0', 16) : text.FromAlphabet(Hex, 16, 16);
        var value = trace + "-" + span;
        if (text.Chance(80))
        {
            value += "-" + "01d"[text.Random.Next(3)];
            if (text.Chance(40))
            {
                value += "-" + (text.Chance(3) ? new string('0', 16) : text.FromAlphabet(Hex, 16, 16));
            }
        }

        return text.Ows() + value + text.Ows();
    }

    /// <summary>The reference for the single header: the grammar above, and no id all zero.</summary>
    private static bool SingleAccepts(string input, out string? traceId, out string? spanId, out B3Sampling sampling)
    {
        traceId = spanId = null;
        sampling = B3Sampling.Deferred;
        var match = SingleGrammar().Match(input);
        if (!match.Success)
        {
            return false;
        }

        if (match.Groups["alone"].Success)
        {
            sampling = Sampling(match.Groups["alone"].Value);
            return true;
        }

        var trace = match.Groups["trace"].Value;
        var parent = match.Groups["parent"];
        if (IsZero(trace) || IsZero(match.Groups["span"].Value) || (parent.Success && IsZero(parent.Value)))
        {
            return false;
        }

        traceId = trace.PadLeft(32, '0');
        spanId = match.Groups["span"].Value;
        sampling = match.Groups["sampling"].Success ? Sampling(match.Groups["sampling"].Value) : B3Sampling.Deferred;
        return true;
    }

    /// <summary>
    /// The reference for the multi header: the first value of each header; trace id and span id required, parent span
    /// id and sampled valid when present, flags <c>1</c> is debug and anything else is ignored.
    /// </summary>
    private static bool MultiAccepts(Propagation.TestCarrier carrier, out string traceId, out string spanId, out bool sampled)
    {
        traceId = spanId = string.Empty;
        sampled = false;
        var trace = TraceIdGrammar().Match(First(carrier, "X-B3-TraceId") ?? string.Empty);
        var span = SpanIdGrammar().Match(First(carrier, "X-B3-SpanId") ?? string.Empty);
        if (!trace.Success || !span.Success || IsZero(trace.Groups["id"].Value) || IsZero(span.Groups["id"].Value))
        {
            return false;
        }

        if (First(carrier, "X-B3-ParentSpanId") is { } parentText
            && SpanIdGrammar().Match(parentText) is var parent && (!parent.Success || IsZero(parent.Groups["id"].Value)))
        {
            return false;
        }

        if (First(carrier, "X-B3-Sampled") is { } sampledText)
        {
            var match = SampledGrammar().Match(sampledText);
            if (!match.Success)
            {
                return false;
            }

            sampled = match.Groups["value"].Value is "1" or "true";
        }

        sampled |= First(carrier, "X-B3-Flags")?.Trim(' ', '\t') == "1";
        traceId = trace.Groups["id"].Value.PadLeft(32, '0');
        spanId = span.Groups["id"].Value;
        return true;
    }

    /// <summary>Absent, or one to three values: each from the grammar, mutated, or noise.</summary>
    private static void Add(HostileText text, Propagation.TestCarrier carrier, string name, Func<string> valid, int presence)
    {
        if (!text.Chance(presence))
        {
            return;
        }

        var count = text.Chance(90) ? 1 : text.Random.Next(2, 4);
        var values = new string[count];
        for (var v = 0; v < count; v++)
        {
            values[v] = text.Random.Next(10) switch
            {
                < 6 => text.Ows() + valid() + text.Ows(),
                < 8 => text.Mutate(valid()),
                8 => new string('0', text.Chance(50) ? 16 : 32),
                _ => text.NoiseString(40),
            };
        }

        carrier.Headers[name] = values;
    }

    private static string? First(Propagation.TestCarrier carrier, string name) =>
        carrier.Headers.TryGetValue(name, out var values) && values.Count > 0 ? values[0] : null;

    private static B3Sampling Sampling(string value) => value switch
    {
        "1" => B3Sampling.Accept,
        "0" => B3Sampling.Deny,
        _ => B3Sampling.Debug,
    };

    private static bool IsZero(string hex) => hex.AsSpan().IndexOfAnyExcept('0') < 0;
}
