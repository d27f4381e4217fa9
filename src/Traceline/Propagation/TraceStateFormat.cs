using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>
/// The W3C Trace Context <c>tracestate</c> value: validation and normalization.
/// </summary>
/// <remarks>
/// Grammar (Level 1/2): <c>list = list-member 0*31( OWS "," OWS list-member )</c>; a key is a simple key
/// (<c>lcalpha 0*255(lcalpha / DIGIT / "_" / "-" / "*" / "/")</c>) or <c>tenant@system</c> (tenant up to 241
/// characters starting with a letter or digit, system up to 14 starting with a letter); a value is 1 to 256 printable
/// ASCII characters other than <c>,</c> and <c>=</c>, not ending in a space. Empty members are allowed and dropped.
/// A list with a bad member, a duplicate key or more than 32 members is invalid as a whole and is discarded, as the
/// W3C test suite expects. A list longer than 512 characters is shortened by whole members: members longer than 128
/// characters go first, then members from the end. A header longer than 32 KiB in all is discarded unread.
/// </remarks>
internal static class TraceStateFormat
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

    private const int MaxSimpleKeyLength = 256;
    private const int MaxTenantLength = 241;
    private const int MaxSystemLength = 14;
    private const int MaxValueLength = 256;

    // Perf: vectorized set checks instead of a loop of comparisons per character.
    private static readonly SearchValues<char> KeyChars = SearchValues.Create("abcdefghijklmnopqrstuvwxyz0123456789_-*/");

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

    /// <summary>Returns whether <paramref name="key"/> is a valid <c>tracestate</c> key.</summary>
    public static bool IsValidKey(ReadOnlySpan<char> key)
    {
        var at = key.IndexOf('@');
        if (at < 0)
        {
            return key.Length is > 0 and <= MaxSimpleKeyLength && IsLowerAlpha(key[0]) && !key.ContainsAnyExcept(KeyChars);
        }

        var tenant = key[..at];
        var system = key[(at + 1)..];
        return tenant.Length is > 0 and <= MaxTenantLength
            && (IsLowerAlpha(tenant[0]) || char.IsAsciiDigit(tenant[0]))
            && !tenant.ContainsAnyExcept(KeyChars)
            && system.Length is > 0 and <= MaxSystemLength
            && IsLowerAlpha(system[0])
            && !system.ContainsAnyExcept(KeyChars); // a second '@' is not a key character
    }

    /// <summary>Returns whether <paramref name="value"/> is a valid <c>tracestate</c> value.</summary>
    public static bool IsValidValue(ReadOnlySpan<char> value)
    {
        return value.Length is > 0 and <= MaxValueLength && value[^1] != ' ' && !value.ContainsAnyExcept(ValueChars);
    }

    private static bool TryParse(string text, Span<Member> members, out int count, out bool normalized, out int totalLength)
    {
        count = 0;
        normalized = true;
        totalLength = 0;
        var span = text.AsSpan();
        var position = 0;
        while (true)
        {
            var comma = span[position..].IndexOf(',');
            var end = comma < 0 ? span.Length : position + comma;
            var raw = span[position..end];
            var lead = 0;
            while (lead < raw.Length && raw[lead] is ' ' or '\t')
            {
                lead++;
            }

            var trimmed = TraceParentFormat.TrimOws(raw);
            if (trimmed.IsEmpty)
            {
                normalized = false; // an empty member is dropped
            }
            else
            {
                if (trimmed.Length != raw.Length)
                {
                    normalized = false;
                }

                var equals = trimmed.IndexOf('=');
                if (equals <= 0 || count == MaxMembers)
                {
                    return false;
                }

                var key = trimmed[..equals];
                if (!IsValidKey(key) || !IsValidValue(trimmed[(equals + 1)..]))
                {
                    return false;
                }

                var start = position + lead;
                for (var i = 0; i < count; i++)
                {
                    if (span.Slice(members[i].Start, members[i].KeyLength).SequenceEqual(key))
                    {
                        return false; // only one entry per key
                    }
                }

                members[count++] = new Member(start, trimmed.Length, equals);
                totalLength += trimmed.Length + (count > 1 ? 1 : 0);
            }

            if (comma < 0)
            {
                return true;
            }

            position = end + 1;
        }
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

    private static bool IsLowerAlpha(char c) => c is >= 'a' and <= 'z';

    [StructLayout(LayoutKind.Auto)]
    private struct Member(int start, int length, int keyLength)
    {
        public int Start = start;
        public int Length = length;
        public int KeyLength = keyLength;
        public bool Removed;
    }
}
