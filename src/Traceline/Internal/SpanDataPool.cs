using System.Runtime.InteropServices;

namespace Traceline;

/// <summary>
/// Reusable span storage: a bounded lock-free queue for many renters (threads starting spans) and many returners
/// (the export worker, or the threads that end spans under a simple processor). Renting from an empty pool or returning
/// to a full one simply falls back to the allocator and the garbage collector: nobody waits.
/// </summary>
/// <remarks>Dmitry Vyukov's bounded MPMC queue; the two positions sit on separate cache lines so renters and the returner do not share one.</remarks>
internal sealed class SpanDataPool
{
    private readonly Slot[] _slots;
    private readonly long _mask;
    private Positions _positions;

    public SpanDataPool(int capacity)
    {
        var size = (int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)Math.Max(2, capacity));
        _slots = new Slot[size];
        for (var i = 0; i < size; i++)
        {
            _slots[i].Sequence = i;
        }

        _mask = size - 1;
    }

    /// <summary>Takes pooled storage, or allocates new storage when the pool is empty.</summary>
    public SpanData Rent()
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
                    var item = slot.Item!;
                    slot.Item = null;
                    Volatile.Write(ref slot.Sequence, position + _mask + 1);
                    return item;
                }

                position = observed;
            }
            else if (difference < 0)
            {
                return new SpanData(); // empty
            }
            else
            {
                position = Volatile.Read(ref _positions.Dequeue);
            }
        }
    }

    /// <summary>Gives storage back (already <see cref="SpanData.Reset"/>); a full pool lets the garbage collector have it.</summary>
    public void Return(SpanData item)
    {
        var position = Volatile.Read(ref _positions.Enqueue);
        while (true)
        {
            ref var slot = ref _slots[position & _mask];
            var difference = Volatile.Read(ref slot.Sequence) - position;
            if (difference == 0)
            {
                var observed = Interlocked.CompareExchange(ref _positions.Enqueue, position + 1, position);
                if (observed == position)
                {
                    slot.Item = item;
                    Volatile.Write(ref slot.Sequence, position + 1);
                    return;
                }

                position = observed;
            }
            else if (difference < 0)
            {
                return; // full
            }
            else
            {
                position = Volatile.Read(ref _positions.Enqueue);
            }
        }
    }

    [StructLayout(LayoutKind.Auto)]
    private struct Slot
    {
        public long Sequence;
        public SpanData? Item;
    }

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Positions
    {
        [FieldOffset(64)]
        public long Dequeue;

        [FieldOffset(128)]
        public long Enqueue;
    }
}
