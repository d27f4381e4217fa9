namespace Traceline;

/// <summary>
/// Reusable span storage for many renters (threads starting spans) and many returners (the export worker, or the
/// threads that end spans under a simple processor). Renting from an empty pool or returning to a full one simply falls
/// back to the allocator and the garbage collector: nobody waits.
/// </summary>
internal sealed class SpanDataPool(int capacity)
{
    private readonly BoundedQueue<SpanData> _items = new(capacity);
    private readonly BoundedQueue<Span> _handles = new(capacity);

    /// <summary>Takes pooled storage, or allocates new storage when the pool is empty.</summary>
    public SpanData Rent() => _items.TryDequeueShared(out var item) ? item! : new SpanData();

    /// <summary>Gives storage back (already <see cref="SpanData.Reset"/>); a full pool lets the garbage collector have it.</summary>
    public void Return(SpanData item) => _items.TryEnqueue(item);

    /// <summary>Takes a released handle that only processors ever saw (see <see cref="Span.FromPool"/>), or <see langword="null"/>.</summary>
    public Span? RentHandle() => _handles.TryDequeueShared(out var span) ? span : null;

    /// <summary>Gives a released handle back; a full pool lets the garbage collector have it.</summary>
    public void ReturnHandle(Span span) => _handles.TryEnqueue(span);
}
