using System.Text;
using System.Text.Json;

namespace Traceline.Cli;

/// <summary>One string per distinct span name or service: a log repeats a few hundred names millions of times.</summary>
internal sealed class StringPool
{
    private const int MaxPooledLength = 256;
    private readonly HashSet<string> _strings = new(StringComparer.Ordinal);
    private readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Gets the string the reader is on, without a copy when it has no escapes and was seen before.</summary>
    public string Get(ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? Get(reader.GetString().AsSpan()) : Get(reader.ValueSpan);

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length > MaxPooledLength)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        Span<char> chars = stackalloc char[MaxPooledLength];
        var length = Encoding.UTF8.GetChars(utf8, chars);
        return Get(chars[..length]);
    }

    public string Get(ReadOnlySpan<char> chars)
    {
        if (_lookup.TryGetValue(chars, out var existing))
        {
            return existing;
        }

        var value = chars.ToString();
        if (_strings.Count < 100_000)
        {
            _strings.Add(value);
        }

        return value;
    }
}
