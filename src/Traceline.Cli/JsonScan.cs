using System.Numerics;
using System.Runtime.Intrinsics;

namespace Traceline.Cli;

/// <summary>Finds where a JSON object or array ends without tokenizing what is in it.</summary>
/// <remarks>
/// Perf: <c>Utf8JsonReader</c> tokenizing every property took ~70% of <c>traceline view</c> (ViewParseBenchmarks
/// profile); most of a span's attributes are not needed by the tree. As in <see cref="RecordSplitter"/>, 32 bytes
/// are taken a step: the quotes' running XOR marks the bytes inside strings, and only brackets outside them count.
/// Nothing skipped this way is validated beyond its strings and nesting.
/// </remarks>
internal static class JsonScan
{
    private const int Block = 32;

    /// <summary>Finds the <c>}</c> or <c>]</c> that closes the object or array <paramref name="from"/> is in.</summary>
    /// <param name="json">The data.</param>
    /// <param name="from">A position inside the container, outside any string (just after a token).</param>
    /// <returns>The index of the closing byte, or -1 when the data ends first.</returns>
    public static int ContainerEnd(ReadOnlySpan<byte> json, int from)
    {
        var depth = 0;
        var inString = false;
        var i = from;
        while (i < json.Length)
        {
            if (json.Length - i >= Block && Vector256.IsHardwareAccelerated)
            {
                var bytes = Vector256.Create(json.Slice(i, Block));
                if (Vector256.Equals(bytes, Vector256.Create((byte)'\\')) == Vector256<byte>.Zero)
                {
                    var quotes = Vector256.Equals(bytes, Vector256.Create((byte)'"')).ExtractMostSignificantBits();
                    var inside = InsideStrings(quotes, inString);

                    var opens = (Vector256.Equals(bytes, Vector256.Create((byte)'{')) | Vector256.Equals(bytes, Vector256.Create((byte)'['))).ExtractMostSignificantBits() & ~inside;
                    var closes = (Vector256.Equals(bytes, Vector256.Create((byte)'}')) | Vector256.Equals(bytes, Vector256.Create((byte)']'))).ExtractMostSignificantBits() & ~inside;
                    var brackets = opens | closes;
                    while (brackets != 0)
                    {
                        var bit = brackets & (0u - brackets);
                        depth += (opens & bit) != 0 ? 1 : -1;
                        if (depth < 0)
                        {
                            return i + BitOperations.TrailingZeroCount(bit);
                        }

                        brackets ^= bit;
                    }

                    inString ^= (BitOperations.PopCount(quotes) & 1) != 0;
                    i += Block;
                    continue;
                }
            }

            // A backslash (or the last bytes): this block byte by byte.
            var end = Math.Min(json.Length, i + Block);
            for (; i < end; i++)
            {
                var b = json[i];
                if (inString)
                {
                    if (b == (byte)'\\')
                    {
                        i++;
                    }
                    else if (b == (byte)'"')
                    {
                        inString = false;
                    }
                }
                else if (b == (byte)'"')
                {
                    inString = true;
                }
                else if (b is (byte)'{' or (byte)'[')
                {
                    depth++;
                }
                else if (b is (byte)'}' or (byte)']' && --depth < 0)
                {
                    return i;
                }
            }
        }

        return -1;
    }

    /// <summary>
    /// The bytes of a 32-byte block that are inside a string (or open one): bit k is set when the quotes up to k are odd,
    /// counting from <paramref name="inString"/>, whether the block starts inside a string. A prefix XOR of the quote bits.
    /// </summary>
    internal static uint InsideStrings(uint quotes, bool inString)
    {
        var inside = quotes;
        inside ^= inside << 1;
        inside ^= inside << 2;
        inside ^= inside << 4;
        inside ^= inside << 8;
        inside ^= inside << 16;
        return inString ? ~inside : inside;
    }
}
