using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Traceline.Propagation;

// The fast path for the usual header: a short list already in normal form, proven valid with bit masks.
internal static partial class TraceStateFormat
{
    // The lengths IsNormalizedShortList handles: one 16-character vector at least, and positions that fit a ulong.
    private const int FastMinLength = 16;
    private const int FastMaxLength = 64;

    /// <summary>
    /// Returns whether <paramref name="text"/> is a valid list already in normal form (no whitespace around members, no
    /// empty members) of 16 to 64 characters: the usual header, recognized without walking it character by character.
    /// <see langword="false"/> means "not proven", and the caller then reads the list completely.
    /// </summary>
    /// <remarks>
    /// Perf: one vectorized pass classifies every character into bit masks (commas, '=', key characters, printable
    /// ASCII); each member is then checked with a few bit operations instead of scans. Any doubt (a tab, a space next to a
    /// comma, an empty member, a duplicate key, a character outside printable ASCII) answers <see langword="false"/>.
    /// </remarks>
    private static bool IsNormalizedShortList(string text)
    {
        var length = text.Length;
        if (length is < FastMinLength or > FastMaxLength || !Vector128.IsHardwareAccelerated)
        {
            return false;
        }

        ulong commas = 0, equals = 0, notKey = 0, notPrintable = 0;
        ref var first = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text.AsSpan()));
        for (var offset = 0; offset < length; offset += 16)
        {
            // The last block may overlap the one before: its characters get the same bits again, which is harmless.
            var at = Math.Min(offset, length - 16);

            // A character above 0xFF saturates to 0xFF: not printable, not a key character.
            var chars = Vector128.NarrowWithSaturation(Vector128.LoadUnsafe(ref first, (nuint)at), Vector128.LoadUnsafe(ref first, (nuint)(at + 8)));
            var key = Vector128.LessThan(chars - Vector128.Create((byte)'a'), Vector128.Create((byte)26))
                | Vector128.LessThan(chars - Vector128.Create((byte)'0'), Vector128.Create((byte)10))
                | Vector128.Equals(chars, Vector128.Create((byte)'_'))
                | Vector128.Equals(chars, Vector128.Create((byte)'-'))
                | Vector128.Equals(chars, Vector128.Create((byte)'*'))
                | Vector128.Equals(chars, Vector128.Create((byte)'/'))
                | Vector128.Equals(chars, Vector128.Create((byte)'@'));
            var printable = Vector128.LessThan(chars - Vector128.Create((byte)' '), Vector128.Create((byte)('~' - ' ' + 1)));
            commas |= (ulong)Vector128.Equals(chars, Vector128.Create((byte)',')).ExtractMostSignificantBits() << at;
            equals |= (ulong)Vector128.Equals(chars, Vector128.Create((byte)'=')).ExtractMostSignificantBits() << at;
            notKey |= (ulong)(~key).ExtractMostSignificantBits() << at;
            notPrintable |= (ulong)(~printable).ExtractMostSignificantBits() << at;
        }

        if (notPrintable != 0)
        {
            return false; // a tab (perhaps valid whitespace), a control character or non-ASCII: the complete reading decides
        }

        ulong starts = 0; // a bit at the start of each member read so far: their keys run to the next '='
        var position = 0;
        while (true)
        {
            var following = position < length ? commas >> position : 0;
            var end = following == 0 ? length : position + BitOperations.TrailingZeroCount(following);

            // A member in normal form: not empty, no whitespace at either end (64 characters hold at most 16 members).
            if (end == position || text[position] == ' ' || text[end - 1] == ' ')
            {
                return false;
            }

            // Exactly one '=' (a value holds none), with a key before it and a value after it.
            var equalsInMember = equals & Range(position, end);
            if (equalsInMember == 0 || (equalsInMember & (equalsInMember - 1)) != 0)
            {
                return false;
            }

            var separator = BitOperations.TrailingZeroCount(equalsInMember);
            if (separator == position || separator == end - 1)
            {
                return false;
            }

            // Every key character is a-z 0-9 _ - * / @, the first a letter or digit (64 characters is within 256).
            if ((notKey & Range(position, separator)) != 0 || !IsKeyStart(text[position]))
            {
                return false;
            }

            var key = text.AsSpan(position, separator - position);

            // The value is printable ASCII without ',' or '=' and does not end in a space: all shown above.
            for (var earlier = starts; earlier != 0; earlier &= earlier - 1)
            {
                var start = BitOperations.TrailingZeroCount(earlier);
                var earlierKey = text.AsSpan(start, BitOperations.TrailingZeroCount(equals >> start));
                if (earlierKey.SequenceEqual(key))
                {
                    return false; // a duplicate key: the complete reading drops the later member
                }
            }

            starts |= 1UL << position;
            if (end == length)
            {
                return true;
            }

            position = end + 1;
        }
    }

    /// <summary>The bits of positions <paramref name="start"/> (inclusive) to <paramref name="end"/> (exclusive).</summary>
    private static ulong Range(int start, int end) => (end - start >= 64 ? ulong.MaxValue : (1UL << (end - start)) - 1) << start;
}
