using System.Runtime.InteropServices;

namespace Traceline;

/// <summary>
/// A bounded, lock-free queue for many producers and either one consumer (<see cref="TryDequeue"/>: the export
/// worker taking ended spans) or many (<see cref="TryDequeueShared"/>: threads renting pooled span storage). A full
/// queue refuses at once and an empty one answers at once: nobody waits.
/// </summary>
/// <remarks>
/// Dmitry Vyukov's bounded queue: each slot carries a sequence number that says whose turn it is, so a producer claims
/// a slot with one compare-and-swap and publishes it with one volatile write. The two positions sit on separate cache
/// lines, so producers and consumers do not share one.
/// </remarks>
/// <typeparam name="T">The item type.</typeparam>
internal sealed class BoundedQueue<T>
    where T : class
{
    /// <summary>Set in the enqueue position by <see cref="Close"/>: a producer's compare-and-swap can no longer succeed.</summary>
    private const long ClosedBit = 1L << 62;

    private readonly Slot[] _slots;
    private readonly long _mask;
    private readonly long _capacity;
    private QueuePositions _positions;

    public BoundedQueue(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        var size = (int)Math.Max(2, System.Numerics.BitOperations.RoundUpToPowerOf2((uint)capacity));
        _slots = new Slot[size];
        for (var i = 0; i < size; i++)
        {
            _slots[i].Sequence = i;
        }

        _mask = size - 1;
        _capacity = capacity;
    }

    public int Capacity => (int)_capacity;

    /// <summary>Gets how many items are queued (a snapshot).</summary>
    public int Count => (int)Math.Max(0, EnqueuedCount - Volatile.Read(ref _positions.Dequeue));

    /// <summary>Gets how many items were ever enqueued: a position that <see cref="DequeuedCount"/> reaches once they are all taken.</summary>
    public long EnqueuedCount => Volatile.Read(ref _positions.Enqueue) & ~ClosedBit;

    /// <summary>Gets whether <see cref="Close"/> was called.</summary>
    public bool IsClosed => (Volatile.Read(ref _positions.Enqueue) & ClosedBit) != 0;

    /// <summary>
    /// Refuses every later enqueue and returns the final <see cref="EnqueuedCount"/>: once the consumer has dequeued up
    /// to it, nothing can be left behind. Without it, a producer that passed its own "shutting down?" check just before
    /// shutdown could enqueue after the last drain, and its span would be neither exported nor counted. Only a
    /// single-consumer queue is closed.
    /// </summary>
    public long Close()
    {
        while (true)
        {
            var position = Volatile.Read(ref _positions.Enqueue);
            if ((position & ClosedBit) != 0 || Interlocked.CompareExchange(ref _positions.Enqueue, position | ClosedBit, position) == position)
            {
                return position & ~ClosedBit;
            }
        }
    }

    public long DequeuedCount => Volatile.Read(ref _positions.Dequeue);

    public bool TryEnqueue(T item)
    {
        var position = Volatile.Read(ref _positions.Enqueue);
        while (true)
        {
            if ((position & ClosedBit) != 0 || position - Volatile.Read(ref _positions.Dequeue) >= _capacity)
            {
                return false;
            }

            ref var slot = ref _slots[position & _mask];
            var sequence = Volatile.Read(ref slot.Sequence);
            var difference = sequence - position;
            if (difference == 0)
            {
                var observed = Interlocked.CompareExchange(ref _positions.Enqueue, position + 1, position);
                if (observed == position)
                {
                    slot.Item = item;
                    Volatile.Write(ref slot.Sequence, position + 1);
                    return true;
                }

                position = observed;
            }
            else if (difference < 0)
            {
                return false; // full: the consumer has not freed this slot yet
            }
            else
            {
                position = Volatile.Read(ref _positions.Enqueue); // another producer took this slot, or the queue closed
            }
        }
    }

    /// <summary>Takes the oldest item. Only a queue's single consumer may call this.</summary>
    public bool TryDequeue(out T? item)
    {
        var position = _positions.Dequeue;
        ref var slot = ref _slots[position & _mask];
        if (Volatile.Read(ref slot.Sequence) - (position + 1) == 0)
        {
            item = slot.Item;
            slot.Item = null;
            Volatile.Write(ref slot.Sequence, position + _mask + 1);
            Volatile.Write(ref _positions.Dequeue, position + 1);
            return true;
        }

        item = null;
        return false;
    }

    /// <summary>Takes the oldest item when several consumers may call at once (one compare-and-swap each).</summary>
    public bool TryDequeueShared(out T? item)
    {
        var position = Volatile.Read(ref _positions.Dequeue);
        while (true)
        {
            ref var slot = ref _slots[position & _mask];
            var difference = Volatile.Read(ref slot.Sequence) - (position + 1);
            if (difference == 0)
            {
                var observed = Interlocked.CompareExchange(ref _positions.Dequeue, position + 1, position);
                if (observed == position)
                {
                    item = slot.Item;
                    slot.Item = null;
                    Volatile.Write(ref slot.Sequence, position + _mask + 1);
                    return true;
                }

                position = observed;
            }
            else if (difference < 0)
            {
                item = null;
                return false; // empty
            }
            else
            {
                position = Volatile.Read(ref _positions.Dequeue); // another consumer took this slot
            }
        }
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Slot
    {
        public long Sequence;
        public T? Item;
    }

}

/// <summary>A queue's two positions, each on a cache line of its own (outside the generic type: explicit layout cannot be generic).</summary>
[StructLayout(LayoutKind.Explicit, Size = 192)]
internal struct QueuePositions
{
#pragma warning disable CA1051 // Plain storage owned by BoundedQueue.
    [FieldOffset(64)]
    public long Dequeue;

    [FieldOffset(128)]
    public long Enqueue;
#pragma warning restore CA1051
}
