using System.Buffers;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace Traceline.Propagation;

/// <summary>
/// The W3C Baggage <c>baggage</c> header value: parsing, percent-encoding and serialization.
/// </summary>
/// <remarks>
/// Grammar: <c>list-member 0*179( OWS "," OWS list-member )</c>, where
/// <c>list-member = key OWS "=" OWS value *( OWS ";" OWS property )</c>,
/// <c>property = key OWS "=" OWS value / key OWS</c>, a key is an RFC 7230 <c>token</c> and a value is
/// <c>*baggage-octet</c> (printable ASCII except space, <c>"</c>, <c>,</c>, <c>;</c> and <c>\</c>), percent-encoded
/// UTF-8. Limits: 180 members, 4096 bytes per member, 8192 bytes in all. A bad or too-large member is skipped, not the
/// whole header; members past a limit are dropped. A repeated key keeps its first position and its last value.
/// </remarks>
internal static partial class BaggageFormat
{
    public const int MaxMembers = 180;
    public const int MaxMemberBytes = 4096;
    public const int MaxTotalBytes = 8192;

    /// <summary>Parses every value of the <c>baggage</c> header, in order; <see langword="null"/> when none holds a valid member.</summary>
    public static Baggage? Parse(StringValues values)
    {
        List<BaggageItem>? items = null;
        var totalBytes = 0;
        foreach (var value in values)
        {
            if (string.IsNullOrEmpty(value))
            {
                continue;
            }

            foreach (var range in value.AsSpan().Split(','))
            {
                var member = TraceParentFormat.TrimOws(value.AsSpan()[range]);
                if (member.IsEmpty || member.Length > MaxMemberBytes || !TryParseMember(member, out var item))
                {
                    continue; // a bad member is skipped, not the whole header
                }

                // Members are ASCII once valid, so characters are bytes.
                var added = member.Length + (totalBytes > 0 ? 1 : 0);
                if (totalBytes + added > MaxTotalBytes || (items?.Count ?? 0) == MaxMembers)
                {
                    return Create(items);
                }

                items ??= [];
                AddOrReplace(items, item);
                totalBytes += added;
            }
        }

        return Create(items);
    }

    /// <summary>
    /// Writes <paramref name="baggage"/> as a header value, or <see langword="null"/> when nothing can be sent. Items
    /// whose name is not a token are skipped; properties that break the grammar are left out; the limits apply.
    /// </summary>
    public static string? Serialize(Baggage baggage)
    {
        var items = baggage.Items;
        if (items.IsEmpty)
        {
            return null;
        }

        var buffer = ArrayPool<char>.Shared.Rent(1024);
        try
        {
            var written = 0;
            var count = 0;
            foreach (var item in items)
            {
                if (count == MaxMembers)
                {
                    break;
                }

                if (!IsToken(item.Name))
                {
                    continue;
                }

                var properties = NormalizeProperties(item.Properties);
                var length = item.Name.Length + 1 + EncodedLength(item.Value) + (properties is null ? 0 : properties.Length + 1);
                if (length > MaxMemberBytes)
                {
                    continue;
                }

                var needed = length + (written > 0 ? 1 : 0);
                if (written + needed > MaxTotalBytes)
                {
                    break;
                }

                if (written + needed > buffer.Length)
                {
                    var larger = ArrayPool<char>.Shared.Rent(Math.Max(buffer.Length * 2, written + needed));
                    buffer.AsSpan(0, written).CopyTo(larger);
                    ArrayPool<char>.Shared.Return(buffer);
                    buffer = larger;
                }

                var span = buffer.AsSpan(written);
                var at = 0;
                if (written > 0)
                {
                    span[at++] = ',';
                }

                item.Name.CopyTo(span[at..]);
                at += item.Name.Length;
                span[at++] = '=';
                at += Encode(item.Value, span[at..]);
                if (properties is not null)
                {
                    span[at++] = ';';
                    properties.CopyTo(span[at..]);
                    at += properties.Length;
                }

                written += at;
                count++;
            }

            return written == 0 ? null : new string(buffer, 0, written);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    /// <summary>Returns whether <paramref name="text"/> is an RFC 7230 <c>token</c>.</summary>
    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty)
        {
            return false;
        }

        foreach (var c in text)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Returns the properties in their normal form (<c>key</c> or <c>key=value</c>, joined by <c>;</c>, without
    /// optional whitespace), the same instance when already normal, or <see langword="null"/> when absent or invalid.
    /// </summary>
    public static string? NormalizeProperties(string? properties)
    {
        if (string.IsNullOrEmpty(properties))
        {
            return null;
        }

        return TryNormalizeProperties(properties.AsSpan(), out var normal, out var unchanged)
            ? (unchanged ? properties : normal)
            : null;
    }

    private static bool TryParseMember(ReadOnlySpan<char> member, out BaggageItem item)
    {
        item = default;
        var semicolon = member.IndexOf(';');
        var pair = semicolon < 0 ? member : member[..semicolon];
        var equals = pair.IndexOf('=');
        if (equals < 0)
        {
            return false;
        }

        var key = TraceParentFormat.TrimOws(pair[..equals]);
        var rawValue = TraceParentFormat.TrimOws(pair[(equals + 1)..]);
        // Perf: everything is validated before anything is allocated, so a garbage member costs no allocation.
        if (!IsToken(key) || !IsValueOctets(rawValue) || (semicolon >= 0 && !ArePropertiesValid(member[(semicolon + 1)..]))
            || !TryDecode(rawValue, out var value))
        {
            return false;
        }

        string? properties = null;
        if (semicolon >= 0)
        {
            if (!TryNormalizeProperties(member[(semicolon + 1)..], out properties, out var unchanged))
            {
                return false;
            }

            if (unchanged)
            {
                properties = member[(semicolon + 1)..].ToString();
            }
        }

        item = new BaggageItem(key.ToString(), value, properties);
        return true;
    }

    /// <summary>Whether every <c>;</c>-separated property is <c>key</c> or <c>key OWS = OWS value</c>; allocates nothing.</summary>
    private static bool ArePropertiesValid(ReadOnlySpan<char> text)
    {
        foreach (var range in text.Split(';'))
        {
            var property = TraceParentFormat.TrimOws(text[range]);
            var equals = property.IndexOf('=');
            var key = equals < 0 ? property : TraceParentFormat.TrimOws(property[..equals]);
            var value = equals < 0 ? default : TraceParentFormat.TrimOws(property[(equals + 1)..]);
            if (!IsToken(key) || !IsValueOctets(value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryNormalizeProperties(ReadOnlySpan<char> text, out string? normal, out bool unchanged)
    {
        normal = null;
        unchanged = true;
        StringBuilder? builder = null;
        var any = false;
        foreach (var range in text.Split(';'))
        {
            var raw = text[range];
            var property = TraceParentFormat.TrimOws(raw);
            if (property.Length != raw.Length)
            {
                unchanged = false;
            }

            if (property.IsEmpty)
            {
                return false; // a stray ';' breaks the grammar (property = key [OWS "=" OWS value]): the member is invalid
            }

            var equals = property.IndexOf('=');
            ReadOnlySpan<char> key, value = default;
            if (equals < 0)
            {
                key = property;
            }
            else
            {
                key = TraceParentFormat.TrimOws(property[..equals]);
                value = TraceParentFormat.TrimOws(property[(equals + 1)..]);
                if (key.Length + value.Length + 1 != property.Length)
                {
                    unchanged = false;
                }
            }

            if (!IsToken(key) || !IsValueOctets(value))
            {
                return false;
            }

            builder ??= new StringBuilder(text.Length);
            if (any)
            {
                builder.Append(';');
            }

            builder.Append(key);
            if (equals >= 0)
            {
                builder.Append('=').Append(value);
            }

            any = true;
        }

        if (!any)
        {
            unchanged = false;
            return true;
        }

        normal = builder!.ToString();
        return true;
    }

    private static Baggage? Create(List<BaggageItem>? items) =>
        items is null || items.Count == 0 ? null : Baggage.FromOwnedArray([.. items]);

    private static void AddOrReplace(List<BaggageItem> items, BaggageItem item)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (string.Equals(items[i].Name, item.Name, StringComparison.Ordinal))
            {
                items[i] = item;
                return;
            }
        }

        items.Add(item);
    }
}
