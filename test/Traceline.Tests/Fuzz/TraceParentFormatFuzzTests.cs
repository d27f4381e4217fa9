using Traceline.Propagation;

namespace Traceline.Tests.Fuzz;

/// <summary>100,000 seeded hostile <c>traceparent</c> values against a plain reading of W3C Trace Context.</summary>
public class TraceParentFormatFuzzTests
{
    private const string Hex = "0123456789abcdef";

    [Theory]
    [InlineData(20261123)]
    public void TryParse_HostileInputs_AcceptsExactlyWhatTheSpecAcceptsAndReformatsValidly(int seed)
    {
        var text = new HostileText(seed);
        var accepted = 0;
        for (var i = 0; i < HostileText.Cases; i++)
        {
            var input = text.Kind() switch
            {
                0 => Valid(text),
                1 => text.Mutate(Valid(text)),
                _ => text.NoiseString(70),
            };

            var ok = TraceParentFormat.TryParse(input, out var traceId, out var spanId, out var flags);
            var expected = SpecAccepts(input, out var expectedFlags);
            Assert.True(ok == expected, $"accepted={ok}, spec={expected}; {text.Describe(i, input)}");
            if (!ok)
            {
                continue;
            }

            accepted++;
            Assert.Equal(expectedFlags, (byte)flags);
            var header = TraceParentFormat.Format(new SpanContext(traceId, spanId, flags, null, isRemote: true));
            Assert.True(SpecAccepts(header, out _) && header.Length == TraceParentFormat.Length && header.StartsWith("00-", StringComparison.Ordinal), text.Describe(i, input));
            Assert.True(TraceParentFormat.TryParse(header, out var t2, out var s2, out var f2) && t2 == traceId && s2 == spanId && f2 == flags);
        }

        Assert.InRange(accepted, HostileText.Cases / 5, HostileText.Cases); // the generator reaches the accepting paths
    }

    private static string Valid(HostileText text)
    {
        var version = text.Chance(80) ? "00" : text.FromAlphabet(Hex, 2, 2);
        var trace = text.Chance(2) ? new string('0', 32) : text.FromAlphabet(Hex, 32, 32);
        var span = text.Chance(2) ? new string('0', 16) : text.FromAlphabet(Hex, 16, 16);
        var flags = text.Chance(80) ? (text.Chance(50) ? "01" : "00") : text.FromAlphabet(Hex, 2, 2);
        var tail = version != "00" && text.Chance(50) ? "-" + text.FromAlphabet(Hex + "-", 0, 20) : string.Empty;
        return text.Ows() + version + "-" + trace + "-" + span + "-" + flags + tail + text.Ows();
    }

    /// <summary>The reference: W3C Trace Context Level 2, section 3.2, read literally; flags other than sampled and random are cleared.</summary>
    private static bool SpecAccepts(string input, out byte flags)
    {
        flags = 0;
        var value = input.Trim(' ', '\t');
        if (value.Length < 55 || !IsLowerHex(value, 0, 2) || value[..2] == "ff" || value[2] != '-' || value[35] != '-' || value[52] != '-')
        {
            return false;
        }

        if (value[..2] == "00" ? value.Length != 55 : value.Length > 55 && value[55] != '-')
        {
            return false;
        }

        if (!IsLowerHex(value, 3, 32) || !IsLowerHex(value, 36, 16) || !IsLowerHex(value, 53, 2)
            || value.Substring(3, 32) == new string('0', 32) || value.Substring(36, 16) == new string('0', 16))
        {
            return false;
        }

        flags = (byte)(Convert.ToByte(value.Substring(53, 2), 16) & 0x03);
        return true;
    }

    private static bool IsLowerHex(string value, int start, int length)
    {
        for (var i = start; i < start + length; i++)
        {
            if (!Hex.Contains(value[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
