using System.Collections;

namespace Traceline.Propagation;

/// <summary>
/// Name/value pairs that travel with a trace to every downstream service (W3C Baggage). Immutable: changes return a
/// new instance.
/// </summary>
/// <remarks>
/// <see cref="Current"/> flows through async code exactly as <see cref="Span.Current"/> does. Baggage is sent to every
/// service the request reaches: never put secrets in it.
/// </remarks>
public sealed class Baggage : IReadOnlyList<BaggageItem>, IEquatable<Baggage>
{
    private static readonly AsyncLocal<Baggage?> CurrentSlot = new();

    private readonly BaggageItem[] _items;

    private Baggage(BaggageItem[] items) => _items = items;

    /// <summary>Gets the empty baggage.</summary>
    public static Baggage Empty { get; } = new([]);

    /// <summary>Gets or sets the baggage of this async flow (never <see langword="null"/>; setting <see langword="null"/> clears it).</summary>
    public static Baggage Current
    {
        get => CurrentSlot.Value ?? Empty;
        set => CurrentSlot.Value = value is { Count: > 0 } ? value : null;
    }

    /// <summary>Gets the number of items.</summary>
    public int Count => _items.Length;

    /// <summary>Gets the item at <paramref name="index"/>, in the order received or added.</summary>
    /// <param name="index">The index.</param>
    /// <returns>The item.</returns>
    public BaggageItem this[int index] => _items[index];

    /// <summary>Creates baggage from items; a later item with the same name replaces an earlier one.</summary>
    /// <param name="items">The items.</param>
    /// <returns>The baggage.</returns>
    public static Baggage Create(params ReadOnlySpan<BaggageItem> items)
    {
        var result = Empty;
        foreach (var item in items)
        {
            result = result.SetItem(item.Name, item.Value, item.Properties);
        }

        return result;
    }

    /// <summary>Gets the value of <paramref name="name"/>, or <see langword="null"/>.</summary>
    /// <param name="name">The name (case-sensitive).</param>
    /// <returns>The value.</returns>
    public string? GetValue(string name)
    {
        foreach (var item in _items)
        {
            if (string.Equals(item.Name, name, StringComparison.Ordinal))
            {
                return item.Value;
            }
        }

        return null;
    }

    /// <summary>Returns baggage with <paramref name="name"/> set to <paramref name="value"/> (replacing it in place if present).</summary>
    /// <param name="name">The name.</param>
    /// <param name="value">The value.</param>
    /// <param name="properties">Optional properties, as W3C Baggage writes them after the value.</param>
    /// <returns>New baggage.</returns>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty.</exception>
    public Baggage SetItem(string name, string value, string? properties = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(value);
        var item = new BaggageItem(name, value, properties);
        for (var i = 0; i < _items.Length; i++)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.Ordinal))
            {
                var copy = (BaggageItem[])_items.Clone();
                copy[i] = item;
                return new Baggage(copy);
            }
        }

        var grown = new BaggageItem[_items.Length + 1];
        _items.CopyTo(grown, 0);
        grown[^1] = item;
        return new Baggage(grown);
    }

    /// <summary>Returns baggage without <paramref name="name"/>.</summary>
    /// <param name="name">The name.</param>
    /// <returns>New baggage, or this instance when the name is absent.</returns>
    public Baggage RemoveItem(string name)
    {
        for (var i = 0; i < _items.Length; i++)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.Ordinal))
            {
                if (_items.Length == 1)
                {
                    return Empty;
                }

                var copy = new BaggageItem[_items.Length - 1];
                Array.Copy(_items, 0, copy, 0, i);
                Array.Copy(_items, i + 1, copy, i, _items.Length - i - 1);
                return new Baggage(copy);
            }
        }

        return this;
    }

    /// <summary>Makes <paramref name="baggage"/> current until the returned scope is disposed, then restores the previous baggage.</summary>
    /// <param name="baggage">The baggage.</param>
    /// <returns>A scope to dispose.</returns>
    public static IDisposable Use(Baggage baggage)
    {
        var scope = new Scope(CurrentSlot.Value);
        Current = baggage;
        return scope;
    }

    /// <summary>Returns an enumerator over the items.</summary>
    /// <returns>The enumerator.</returns>
    public IEnumerator<BaggageItem> GetEnumerator() => ((IEnumerable<BaggageItem>)_items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    internal ReadOnlySpan<BaggageItem> Items => _items;

    internal static Baggage FromOwnedArray(BaggageItem[] items) => items.Length == 0 ? Empty : new Baggage(items);

    /// <inheritdoc/>
    public bool Equals(Baggage? other) => other is not null && _items.AsSpan().SequenceEqual(other._items);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as Baggage);

    /// <inheritdoc/>
    public override int GetHashCode() => _items.Length;

    private sealed class Scope(Baggage? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                CurrentSlot.Value = previous;
            }
        }
    }
}
