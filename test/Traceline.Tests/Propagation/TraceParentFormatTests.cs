using CsCheck;
using Traceline.Propagation;

namespace Traceline.Tests.Propagation;

/// <summary>
/// The vectorized <c>traceparent</c> and id parsers against a plain, character-by-character reading of W3C Trace Context,
/// on near-valid inputs: the characters next to the hex ranges, and characters outside Latin-1 whose low byte is a hex
/// digit (a narrowing that dropped the high byte would take them for digits).
/// </summary>
public class TraceParentFormatTests
{
    private const string Hex = "0123456789abcdef";

    /// <summary>Boundaries of 0-9 and a-f, uppercase, delimiters, whitespace, and '0'/'a'/'-' with a high byte set.</summary>
    private const string Tricky = "/:`g@AF-_ \t.\0\u007f\u00b0\u00e1\u0130\u0161\u012d\u0430\u0660\u3030\uff10\uffff";

    private static readonly Gen<char> TrickyChar = Gen.Char[Tricky];
    private static readonly Gen<string> HexString = Gen.Char[Hex].Array[1, 40].Select(chars => new string(chars));

    [Fact]
    public void TryParse_OneCharacterReplacedAnywhere_AgreesWithThePlainReading()
    {
        const string valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        const string higher = "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x";
        foreach (var header in new[] { valid, higher })
        {
            for (var position = 0; position < header.Length; position++)
            {
                foreach (var c in Tricky + Hex + "0f")
                {
                    var input = header[..position] + c + header[(position + 1)..];
                    AssertAgrees(input);
                }
            }
        }
    }

    [Fact]
    public void TryParse_NearValidInputs_AgreesWithThePlainReading()
    {
        var version = Gen.OneOf(Gen.Const("00"), Gen.Const("01"), Gen.Const("cc"), Gen.Const("ff"), Gen.Char[Hex].Array[2].Select(c => new string(c)));
        var id = Gen.OneOf(Gen.Char[Hex].Array[32].Select(c => new string(c)), Gen.Const(new string('0', 32)));
        var span = Gen.OneOf(Gen.Char[Hex].Array[16].Select(c => new string(c)), Gen.Const(new string('0', 16)));
        var tail = Gen.OneOf(Gen.Const(string.Empty), Gen.Const("-"), Gen.Const("-x"), Gen.Const("."), HexString.Select(h => "-" + h));
        var ows = Gen.OneOf(Gen.Const(string.Empty), Gen.Const(" "), Gen.Const("\t"), Gen.Const(" \t "));
        var header = Gen.Select(version, id, span, Gen.Char[Hex].Array[2], tail, ows, ows,
            (v, t, s, f, x, before, after) => before + v + "-" + t + "-" + s + "-" + new string(f) + x + after);

        // Up to three edits: replace, insert or delete a character.
        var edit = Gen.Select(Gen.Int[0, 2], Gen.Int[0, 100], TrickyChar);
        Gen.Select(header, edit.Array[0, 3]).Sample((value, edits) =>
        {
            AssertAgrees(TextEdits.Apply(value, edits));
        });
    }

    [Fact]
    public void TraceIdAndSpanIdTryParse_NearValidHex_AgreeWithThePlainReading()
    {
        var chars = Gen.Frequency((20, Gen.Char[Hex]), (1, TrickyChar));
        Gen.Select(chars.Array[30, 34], chars.Array[14, 18]).Sample((traceChars, spanChars) =>
        {
            var trace = new string(traceChars);
            var spanHex = new string(spanChars);

            var traceOk = TraceId.TryParse(trace, out var traceId);
            var expectedTrace = trace.Length == 32 && IsLowerHex(trace) && trace != new string('0', 32);
            Assert.Equal(expectedTrace, traceOk);
            if (traceOk)
            {
                Assert.Equal(trace, traceId.ToString());
            }

            var spanOk = SpanId.TryParse(spanHex, out var spanId);
            var expectedSpan = spanHex.Length == 16 && IsLowerHex(spanHex) && spanHex != new string('0', 16);
            Assert.Equal(expectedSpan, spanOk);
            if (spanOk)
            {
                Assert.Equal(spanHex, spanId.ToString());
            }
        });
    }

    [Fact]
    public void TryParse_EveryCharacterUpTo0x2FFAtEveryHexPosition_AcceptsOnlyLowercaseHex()
    {
        var header = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".ToCharArray();
        int[] hexPositions = [.. Enumerable.Range(0, 2), .. Enumerable.Range(3, 32), .. Enumerable.Range(36, 16), .. Enumerable.Range(53, 2)];
        foreach (var position in hexPositions)
        {
            var original = header[position];
            for (var c = (char)0; c < 0x300; c++)
            {
                header[position] = c;
                var accepted = TraceParentFormat.TryParse(header, out _, out _, out _);
                var expected = Hex.Contains(c, StringComparison.Ordinal) && !(position < 2 && header[0] == 'f' && header[1] == 'f');
                Assert.True(expected == accepted, $"U+{(int)c:X4} at {position}");
            }

            header[position] = original;
        }
    }

    private static void AssertAgrees(string input)
    {
        var accepted = TraceParentFormat.TryParse(input, out var traceId, out var spanId, out var flags);
        var expected = PlainReading(input, out var trace, out var span, out var expectedFlags);
        Assert.True(expected == accepted, $"\"{input}\": parser {accepted}, plain reading {expected}");
        if (accepted)
        {
            Assert.Equal(trace, traceId.ToString());
            Assert.Equal(span, spanId.ToString());
            Assert.Equal(expectedFlags, (byte)flags);
        }
    }

    /// <summary>W3C Trace Context section 3.2 read literally, one character at a time.</summary>
    private static bool PlainReading(string input, out string trace, out string span, out byte flags)
    {
        trace = span = string.Empty;
        flags = 0;
        var value = input.Trim(' ', '\t');
        if (value.Length < 55)
        {
            return false;
        }

        var version = value[..2];
        if (!IsLowerHex(version) || version == "ff" || value[2] != '-' || value[35] != '-' || value[52] != '-')
        {
            return false;
        }

        if (version == "00" ? value.Length != 55 : value.Length > 55 && value[55] != '-')
        {
            return false;
        }

        trace = value.Substring(3, 32);
        span = value.Substring(36, 16);
        var flagsHex = value.Substring(53, 2);
        if (!IsLowerHex(trace) || !IsLowerHex(span) || !IsLowerHex(flagsHex) || trace == new string('0', 32) || span == new string('0', 16))
        {
            return false;
        }

        flags = (byte)(Convert.ToByte(flagsHex, 16) & 0x03);
        return true;
    }

    private static bool IsLowerHex(string value)
    {
        foreach (var c in value)
        {
            if (c is not (>= '0' and <= '9' or >= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return true;
    }
}
