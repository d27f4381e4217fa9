using Traceline.Export;

namespace Traceline.Tests.Fuzz;

/// <summary>100,000 seeded hostile <c>OTEL_EXPORTER_OTLP_HEADERS</c> values: every header kept is one HTTP can send unchanged.</summary>
public class OtlpHeadersParserFuzzTests
{
    [Theory]
    [InlineData(20261127)]
    public void Parse_HostileInputs_KeepsOnlySendableHeadersThatRoundTrip(int seed)
    {
        var text = new HostileText(seed);
        var accepted = 0;
        for (var i = 0; i < HostileText.Cases; i++)
        {
            var input = text.Kind() switch
            {
                0 => Valid(text),
                1 => text.Mutate(Valid(text)),
                _ => text.NoiseString(80),
            };

            var headers = OtlpHeadersParser.Parse(input, null);
            Assert.True(headers.Count <= OtlpHeadersParser.MaxEntries);
            foreach (var (key, value) in headers)
            {
                // RFC 9110: the name is a token; the value has no CR, LF, NUL or other control character but tab.
                Assert.True(key.Length > 0 && key.All(c => c < 0x7F && (char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal))), text.Describe(i, input));
                Assert.True(!value.Any(c => c is '\r' or '\n' or '\0' || (char.IsControl(c) && c != '\t')), text.Describe(i, input));
                using var request = new HttpRequestMessage();
                Assert.True(request.Headers.TryAddWithoutValidation(key, value) || IsContentHeader(key), text.Describe(i, input));
                accepted++;
            }

            // Re-serialized percent-encoded, the same headers come back with nothing reported.
            var serialized = string.Join(",", headers.Select(h => Uri.EscapeDataString(h.Key) + "=" + Uri.EscapeDataString(h.Value)));
            var again = OtlpHeadersParser.Parse(serialized, problem => Assert.Fail(problem + "; " + text.Describe(i, input)));
            Assert.Equal(headers.Select(h => (h.Key, h.Value)), again.Select(h => (h.Key, h.Value)));
        }

        Assert.InRange(accepted, HostileText.Cases / 5, int.MaxValue);
    }

    private static bool IsContentHeader(string key) => key.StartsWith("content-", StringComparison.OrdinalIgnoreCase) || key.Equals("expires", StringComparison.OrdinalIgnoreCase) || key.Equals("last-modified", StringComparison.OrdinalIgnoreCase) || key.Equals("allow", StringComparison.OrdinalIgnoreCase);

    private static string Valid(HostileText text)
    {
        var count = text.Random.Next(1, 5);
        var parts = new string[count];
        for (var m = 0; m < count; m++)
        {
            var value = text.Chance(40) ? Uri.EscapeDataString(text.FromAlphabet("Bearer xyz=,;é中\t", 0, 10)) : text.FromAlphabet("abcdefXYZ0123456789-._~", 0, 16);
            parts[m] = text.Ows() + text.FromAlphabet("abcdefghijklmnopqrstuvwxyz-", 1, 12) + text.Ows() + "=" + text.Ows() + value + text.Ows();
        }

        return string.Join(",", parts);
    }
}
