using System.Runtime.InteropServices;

namespace Traceline;

/// <summary>
/// A bounded, lock-free queue for many producers (the app's threads ending spans) and one consumer (the export
/// worker). A full queue refuses at once: producers never wait.
/// </summary>
/// <remarks>
/// Dmitry Vyukov's bounded queue: each slot carries a sequence number that says whose turn it is, so a producer claims
/// a slot with one compare-and-swap and publishes it with one volatile write.
/// </remarks>
internal sealed class BoundedSpanQueue
{
    /// <summary>Set in the enqueue position by <see cref="Close"/>: a producer's compare-and-swap can no longer succeed.</summary>
    private const long ClosedBit = 1L << 62;

    private readonly Slot[] _slots;
    private readonly long _mask;
    private readonly long _capacity;
    private long _enqueuePosition;
    private long _dequeuePosition;

    public BoundedSpanQueue(int capacity)
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

    /// <summary>Gets how many spans are queued (a snapshot).</summary>
    public int Count => (int)Math.Max(0, EnqueuedCount - Volatile.Read(ref _dequeuePosition));

    /// <summary>Gets how many spans were ever enqueued: a position that <see cref="DequeuedCount"/> reaches once they are all taken.</summary>
    public long EnqueuedCount => Volatile.Read(ref _enqueuePosition) & ~ClosedBit;

    /// <summary>Gets whether <see cref="Close"/> was called.</summary>
    public bool IsClosed => (Volatile.Read(ref _enqueuePosition) & ClosedBit) != 0;

    /// <summary>
    /// Refuses every later enqueue and returns the final <see cref="EnqueuedCount"/>: once the consumer has dequeued up
    /// to it, nothing can be left behind. Without it, a producer that passed its own "shutting down?" check just before
    /// shutdown could enqueue after the last drain, and its span would be neither exported nor counted.
    /// </summary>
    public long Close()
    {
        while (true)
        {
            var position = Volatile.Read(ref _enqueuePosition);
            if ((position & ClosedBit) != 0 || Interlocked.CompareExchange(ref _enqueuePosition, position | ClosedBit, position) == position)
            {
                return position & ~ClosedBit;
            }
        }
    }

    public long DequeuedCount => Volatile.Read(ref _dequeuePosition);

    public bool TryEnqueue(Span item)
    {
        var position = Volatile.Read(ref _enqueuePosition);
        while (true)
        {
            if ((position & ClosedBit) != 0 || position - Volatile.Read(ref _dequeuePosition) >= _capacity)
            {
                return false;
            }

            ref var slot = ref _slots[position & _mask];
            var sequence = Volatile.Read(ref slot.Sequence);
            var difference = sequence - position;
            if (difference == 0)
            {
                var observed = Interlocked.CompareExchange(ref _enqueuePosition, position + 1, position);
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
                position = Volatile.Read(ref _enqueuePosition); // another producer took this slot, or the queue closed
            }
        }
    }

    /// <summary>Takes the oldest span. Only the single consumer may call this.</summary>
    public bool TryDequeue(out Span? item)
    {
        var position = _dequeuePosition;
        ref var slot = ref _slots[position & _mask];
        if (Volatile.Read(ref slot.Sequence) - (position + 1) == 0)
        {
            item = slot.Item;
            slot.Item = null;
            Volatile.Write(ref slot.Sequence, position + _mask + 1);
            Volatile.Write(ref _dequeuePosition, position + 1);
            return true;
        }

        item = null;
        return false;
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Slot
    {
        public long Sequence;
        public Span? Item;
    }
}
