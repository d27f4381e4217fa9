using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>
/// The W3C Trace Context <c>tracestate</c> value: validation and normalization.
/// </summary>
/// <remarks>
/// Grammar (Level 1/2, current): <c>list = list-member 0*31( OWS "," OWS list-member )</c>; a key is
/// <c>(lcalpha / DIGIT) 0*255(keychar)</c> with <c>keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"</c> (so
/// <c>foo@</c> and <c>foo@@bar</c> are keys, <c>@foo</c> is not); a value is 1 to 256 printable ASCII characters other
/// than <c>,</c> and <c>=</c>, not ending in a space. Empty members are allowed and dropped. A repeated key keeps its
/// first member and drops the later ones ("vendors MAY discard duplicate keys"); the trace is kept. A list with a bad
/// member or more than 32 members is invalid as a whole and is discarded. A list longer than 512 characters is
/// shortened by whole members: members longer than 128 characters go first, then members from the end. A header
/// longer than 32 KiB in all is discarded unread.
/// </remarks>
internal static partial class TraceStateFormat
{
    /// <summary>At most 32 list-members.</summary>
    public const int MaxMembers = 32;

    /// <summary>Vendors propagate at least 512 characters; Traceline propagates at most that many.</summary>
    public const int MaxLength = 512;

    /// <summary>Members longer than this are the first removed when shortening.</summary>
    public const int LargeMemberLength = 128;

    /// <summary>
    /// A header longer than this in all (every value together) is discarded unread: 32 members of the longest key and
    /// value take 16,447 characters, so the rest could only be whitespace and empty members, which are not worth copying.
    /// </summary>
    public const int MaxHeaderLength = 32 * 1024;

    private const int MaxKeyLength = 256;
    private const int MaxValueLength = 256;

    // Perf: vectorized set checks instead of a loop of comparisons per character.
    private static readonly SearchValues<char> KeyChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-*/@");

    // chr = %x20 / nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E: printable ASCII except ',' and '='.
    private static readonly SearchValues<char> ValueChars = SearchValues.Create(
        " !\"#$%&'()*+-./0123456789:;<>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>
    /// Validates and normalizes every value of the <c>tracestate</c> header, joined with <c>,</c> in order.
    /// </summary>
    /// <returns>
    /// The normalized list (no optional whitespace, no empty members, at most 512 characters), or
    /// <see langword="null"/> when the list is empty or invalid. A single value that is already normalized is
    /// returned as the same instance (no allocation).
    /// </returns>
    public static string? Normalize(StringValues values)
    {
        switch (values.Count)
        {
            case 0:
                return null;
            case 1:
                return Normalize(values[0]);
            default:
                var length = values.Count - 1;
                foreach (var value in values)
                {
                    length += value?.Length ?? 0;
                    if (length > MaxHeaderLength)
                    {
                        return null; // checked before joining: oversized garbage is never copied
                    }
                }

                // Several header fields are one list (RFC 7230 3.2.2): join them in order.
                return Normalize(string.Join(',', values.ToArray()));
        }
    }

    /// <summary>Validates and normalizes one <c>tracestate</c> value (see <see cref="Normalize(StringValues)"/>).</summary>
    public static string? Normalize(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > MaxHeaderLength)
        {
            return null;
        }

        return IsNormalizedShortList(value) ? value : NormalizeAny(value);
    }

    /// <summary>The complete reading: any valid list, with whitespace, empty members or more than 512 characters.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? NormalizeAny(string value)
    {
        Span<Member> members = stackalloc Member[MaxMembers];
        if (!TryParse(value, members, out var count, out var normalized, out var totalLength))
        {
            return null;
        }

        if (count == 0)
        {
            return null;
        }

        if (normalized && totalLength <= MaxLength)
        {
            return value;
        }

        members = members[..count];
        if (totalLength > MaxLength)
        {
            totalLength = Shorten(members, totalLength);
        }

        return Build(value, members, totalLength);
    }

    /// <summary>
    /// Reads the list in one forward pass: each character is looked at once, by a vectorized scan over a key, a scan
    /// over a value, or the whitespace steps between members.
    /// </summary>
    private static bool TryParse(ReadOnlySpan<char> text, Span<Member> members, out int count, out bool normalized, out int totalLength)
    {
        count = 0;
        normalized = true;
        totalLength = 0;
        var received = 0; // members read, duplicates included: more than 32 make the list invalid
        var position = 0;
        while (true)
        {
            // list-member = OWS key "=" value OWS, followed by "," or the end; an empty member is allowed and dropped.
            var memberStart = position;
            while (position < text.Length && text[position] is ' ' or '\t')
            {
                position++;
            }

            if (position != memberStart)
            {
                normalized = false;
            }

            if (position == text.Length || text[position] == ',')
            {
                normalized = false;
                if (position == text.Length)
                {
                    return true;
                }

                position++;
                continue;
            }

            if (++received > MaxMembers)
            {
                return false;
            }

            var keyLength = KeyLength(text[position..]);
            if (keyLength <= 0)
            {
                return false; // a bad key, or no '='
            }

            var key = text.Slice(position, keyLength);
            var duplicate = false;
            for (var i = 0; i < count && !duplicate; i++)
            {
                duplicate = text.Slice(members[i].Start, members[i].KeyLength).SequenceEqual(key);
            }

            // Perf: one scan finds where the value stops; only a ',' (or the end) after optional whitespace may follow it.
            var valueStart = position + keyLength + 1;
            var rest = text[valueStart..];
            var valueEnd = rest.IndexOfAnyExcept(ValueChars);
            if (valueEnd < 0)
            {
                valueEnd = rest.Length;
            }

            var valueLength = valueEnd;
            while (valueLength > 0 && rest[valueLength - 1] == ' ')
            {
                valueLength--; // a value does not end in a space: trailing spaces are OWS
            }

            if (valueLength is 0 or > MaxValueLength)
            {
                return false;
            }

            var after = valueStart + valueEnd;
            if (valueLength != valueEnd)
            {
                normalized = false;
            }

            while (after < text.Length && text[after] is ' ' or '\t')
            {
                after++;
                normalized = false;
            }

            if (after < text.Length && text[after] != ',')
            {
                return false; // '=', a tab inside the value, a control character or non-ASCII
            }

            if (duplicate)
            {
                normalized = false; // the first member of a key is kept, later ones are dropped (still validated)
            }
            else
            {
                var length = keyLength + 1 + valueLength;
                members[count++] = new Member(position, length, keyLength);
                totalLength += length + (count > 1 ? 1 : 0);
            }

            if (after == text.Length)
            {
                return true;
            }

            position = after + 1;
        }
    }

    /// <summary>
    /// Returns the length of the valid key at the start of <paramref name="member"/> when an <c>=</c> follows it, else 0.
    /// </summary>
    private static int KeyLength(ReadOnlySpan<char> member)
    {
        // Perf: one scan to the first character that cannot be in a key; it must be the '='.
        var end = member.IndexOfAnyExcept(KeyChars);
        return end is > 0 and <= MaxKeyLength && member[end] == '=' && IsKeyStart(member[0]) ? end : 0;
    }

    /// <summary>Removes whole members until the list fits: the right-most large member first, then from the end.</summary>
    private static int Shorten(Span<Member> members, int totalLength)
    {
        for (var i = members.Length - 1; i >= 0 && totalLength > MaxLength; i--)
        {
            if (members[i].Length > LargeMemberLength)
            {
                totalLength = Remove(members, i, totalLength);
            }
        }

        for (var i = members.Length - 1; i >= 0 && totalLength > MaxLength; i--)
        {
            if (!members[i].Removed)
            {
                totalLength = Remove(members, i, totalLength);
            }
        }

        return totalLength;
    }

    private static int Remove(Span<Member> members, int index, int totalLength)
    {
        var remaining = 0;
        foreach (var member in members)
        {
            if (!member.Removed)
            {
                remaining++;
            }
        }

        members[index].Removed = true;
        return totalLength - members[index].Length - (remaining > 1 ? 1 : 0);
    }

    private static string? Build(string text, ReadOnlySpan<Member> members, int totalLength)
    {
        if (totalLength <= 0)
        {
            return null;
        }

        Span<char> buffer = stackalloc char[MaxLength];
        var written = 0;
        foreach (var member in members)
        {
            if (member.Removed)
            {
                continue;
            }

            if (written > 0)
            {
                buffer[written++] = ',';
            }

            text.AsSpan(member.Start, member.Length).CopyTo(buffer[written..]);
            written += member.Length;
        }

        return new string(buffer[..written]);
    }

    private static bool IsKeyStart(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');

    [StructLayout(LayoutKind.Auto)]
    private struct Member(int start, int length, int keyLength)
    {
        public int Start = start;
        public int Length = length;
        public int KeyLength = keyLength;
        public bool Removed;
    }
}
