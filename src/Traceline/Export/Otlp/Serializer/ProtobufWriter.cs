using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;

namespace Traceline.Export;

/// <summary>
/// Writes protobuf's wire format forward, in one pass, straight into a <see cref="PooledByteBuffer"/>: tags, varints,
/// fixed-width numbers, strings, and messages whose length is reserved before their content and patched after it.
/// </summary>
/// <remarks>
/// <para>
/// Capacity: every write makes its own room (one compare when there is enough). The buffer may be replaced by a larger
/// one while writing; positions stay valid because they count from the start of the buffer.
/// </para>
/// <para>
/// Lengths: <see cref="BeginMessage"/> reserves as many bytes as the caller expects the length varint to take; when
/// the content turns out to need a different number, <see cref="EndMessage"/> moves the content (a short copy for
/// small messages, rare for large ones) so that every varint stays minimal, exactly as a size-first encoder writes it.
/// </para>
/// </remarks>
internal ref struct ProtobufWriter
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLength = 2;
    public const int WireFixed32 = 5;

    /// <summary>The most bytes a 32-bit varint takes.</summary>
    private const int MaxVarint32 = 5;

    /// <summary>The most bytes a 64-bit varint takes.</summary>
    private const int MaxVarint64 = 10;

    private readonly PooledByteBuffer _output;
    private byte[] _buffer;
    private int _position;

    /// <summary>Starts writing at the end of what <paramref name="output"/> holds.</summary>
    public ProtobufWriter(PooledByteBuffer output, int sizeHint)
    {
        _output = output;
        output.GetSpan(sizeHint);
        _buffer = output.Array;
        _position = (int)output.Length;
    }

    public readonly int Position => _position;

    // 7 bits a byte: (highest set bit * 9 + 73) / 64 gives 2 from 128 up to 10 for a 64-bit value, without a division.
    // Perf: the branch for one byte stays; a predicted branch is cheaper than the multiply on the common path.
    public static int VarintSize(ulong value) => value < 0x80 ? 1 : (((63 - System.Numerics.BitOperations.LeadingZeroCount(value)) * 9) + 73) >> 6;

    public static int VarintSize(uint value) => value < 0x80 ? 1 : (((31 - System.Numerics.BitOperations.LeadingZeroCount(value)) * 9) + 73) >> 6;

    /// <summary>Makes sure <paramref name="count"/> more bytes fit.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Ensure(int count)
    {
        if ((uint)count > (uint)(_buffer.Length - _position))
        {
            Grow(count);
        }
    }

    /// <summary>Hands the written bytes to the buffer; returns how many this writer wrote.</summary>
    public readonly int Complete(int start)
    {
        _output.Advance(_position - (int)_output.Length);
        return _position - start;
    }

    /// <summary>
    /// Returns the next <paramref name="count"/> bytes, to be filled through a local span and then committed with
    /// <see cref="Advance"/>.
    /// </summary>
    /// <remarks>
    /// Perf: a run of writes through a local span keeps the position in a register; writing field by field through the
    /// writer stores and reloads the position each time, a chain of store-to-load forwards.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<byte> GetSpan(int count)
    {
        Ensure(count);
        return _buffer.AsSpan(_position, count);
    }

    /// <summary>Gets all the room the buffer has left (for a loop that commits with <see cref="Advance"/> once).</summary>
    public readonly Span<byte> FreeSpan => _buffer.AsSpan(_position);

    /// <summary>Moves past <paramref name="count"/> bytes filled through <see cref="GetSpan"/> or <see cref="FreeSpan"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Advance(int count) => _position += count;

    /// <summary>Writes a 32-bit varint at <paramref name="index"/>; returns the index after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteVarint(Span<byte> destination, int index, uint value) => WriteVarint(destination, index, (ulong)value);

    /// <summary>Writes a 64-bit varint at <paramref name="index"/>; returns the index after it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int WriteVarint(Span<byte> destination, int index, ulong value)
    {
        if (value < 0x80)
        {
            destination[index] = (byte)value;
            return index + 1;
        }

        if (value < 0x4000)
        {
            destination[index + 1] = (byte)(value >> 7);
            destination[index] = (byte)(value | 0x80);
            return index + 2;
        }

        return WriteVarintSlow(destination, index, value);
    }

    /// <summary>Writes two bytes: a one-byte tag and a value under 128 (a bool, a small enum, a short length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteBytes(byte first, byte second)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(GetSpan(2), (ushort)(first | (second << 8)));
        _position += 2;
    }

    /// <summary>Writes a varint field with a one-byte tag.</summary>
    public void WriteVarintField(byte tag, ulong value)
    {
        var destination = GetSpan(1 + MaxVarint64);
        destination[0] = tag;
        _position += WriteVarint(destination, 1, value);
    }

    /// <summary>Writes a one-byte tag and 8 little-endian bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteFixed64(byte tag, ulong value)
    {
        var destination = GetSpan(9);
        destination[0] = tag;
        BinaryPrimitives.WriteUInt64LittleEndian(destination[1..], value);
        _position += 9;
    }

    /// <summary>Writes a one-byte tag and 4 little-endian bytes.</summary>
    public void WriteFixed32(byte tag, uint value)
    {
        var destination = GetSpan(5);
        destination[0] = tag;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[1..], value);
        _position += 5;
    }

    /// <summary>Writes a one-byte tag, the length 8 and 8 bytes, most significant first (a span id).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteSpanId(byte tag, SpanId id)
    {
        var destination = GetSpan(2 + SpanId.ByteLength);
        destination[0] = tag;
        destination[1] = SpanId.ByteLength;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], id.Value);
        _position += 2 + SpanId.ByteLength;
    }

    /// <summary>Writes a one-byte tag, the length 16 and 16 bytes, most significant first (a trace id).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void WriteTraceId(byte tag, TraceId id)
    {
        var destination = GetSpan(2 + TraceId.ByteLength);
        destination[0] = tag;
        destination[1] = TraceId.ByteLength;
        BinaryPrimitives.WriteUInt64BigEndian(destination[2..], id.High);
        BinaryPrimitives.WriteUInt64BigEndian(destination[10..], id.Low);
        _position += 2 + TraceId.ByteLength;
    }

    /// <summary>
    /// Copies <paramref name="value"/> into the first <c>value.Length</c> bytes of <paramref name="destination"/>, one
    /// byte a char; returns <see langword="false"/> (the bytes then undefined) when a char is not ASCII.
    /// </summary>
    /// <remarks>
    /// Perf: the check and the copy are one pass of 16 (or 8, or 4) chars at a time, the last block overlapping the one
    /// before it, so a typical key or value of 8 to 32 chars takes one or two blocks and no scalar tail.
    /// <see cref="Ascii.FromUtf16(ReadOnlySpan{char}, Span{byte}, out int)"/> does the same job but goes char by char
    /// below 32 chars, which is where nearly every attribute lives.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryNarrowAscii(string value, Span<byte> destination)
    {
        var length = value.Length;
        destination = destination[..length]; // bounds every store below
        ref var source = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(value.AsSpan()));
        ref var target = ref MemoryMarshal.GetReference(destination);
        var nonAscii = Vector128.Create((ushort)0xFF80);
        if (length >= 16)
        {
            nuint offset = 0;
            var last = (nuint)length - 16;
            while (true)
            {
                var lower = Vector128.LoadUnsafe(ref source, offset);
                var upper = Vector128.LoadUnsafe(ref source, offset + 8);
                if (((lower | upper) & nonAscii) != Vector128<ushort>.Zero)
                {
                    return false;
                }

                Vector128.Narrow(lower, upper).StoreUnsafe(ref target, offset);
                if (offset == last)
                {
                    return true;
                }

                offset = Math.Min(offset + 16, last);
            }
        }

        if (length >= 8)
        {
            var first = Vector128.LoadUnsafe(ref source);
            var end = Vector128.LoadUnsafe(ref source, (nuint)length - 8);
            if (((first | end) & nonAscii) != Vector128<ushort>.Zero)
            {
                return false;
            }

            var bytes = Vector128.Narrow(first, end).AsUInt64();
            Unsafe.WriteUnaligned(ref target, bytes.GetElement(0));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, length - 8), bytes.GetElement(1));
            return true;
        }

        if (length >= 4)
        {
            // Two overlapping blocks of 4 chars, read as 64-bit numbers.
            var first = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref source));
            var end = Unsafe.ReadUnaligned<ulong>(ref Unsafe.As<ushort, byte>(ref Unsafe.Add(ref source, length - 4)));
            if (((first | end) & 0xFF80_FF80_FF80_FF80) != 0)
            {
                return false;
            }

            var bytes = Vector128.Narrow(Vector128.Create(first, end).AsUInt16(), default).AsUInt32();
            Unsafe.WriteUnaligned(ref target, bytes.GetElement(0));
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref target, length - 4), bytes.GetElement(1));
            return true;
        }

        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            if (c > 0x7F)
            {
                return false;
            }

            destination[i] = (byte)c;
        }

        return true;
    }

    /// <summary>Writes a string field with a one-byte tag, ASCII or not.</summary>
    public void WriteString(byte tag, string value)
    {
        // Taken as ASCII first (the UTF-8 length is the length); written again by its UTF-8 length if it is not.
        var destination = GetSpan(1 + MaxVarint32 + value.Length);
        destination[0] = tag;
        var at = WriteVarint(destination, 1, (uint)value.Length);
        if (TryNarrowAscii(value, destination[at..]))
        {
            _position += at + value.Length;
            return;
        }

        var length = Encoding.UTF8.GetByteCount(value);
        destination = GetSpan(1 + MaxVarint32 + length);
        destination[0] = tag;
        at = WriteVarint(destination, 1, (uint)length);
        _position += at + Encoding.UTF8.GetBytes(value, destination[at..]);
    }

    /// <summary>
    /// Writes the one-byte tag of a message field (numbered below 16) and reserves <paramref name="reserve"/> bytes for
    /// its length; returns where the content starts, for <see cref="EndMessage"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int BeginMessage(int field, int reserve)
    {
        Debug.Assert(field < 16, "A one-byte tag.");
        GetSpan(1 + reserve)[0] = (byte)((field << 3) | WireLength);
        _position += 1 + reserve;
        return _position;
    }

    /// <summary>Writes the length of the message whose content started at <paramref name="contentStart"/> into the bytes reserved before it.</summary>
    public void EndMessage(int contentStart, int reserve)
    {
        var length = _position - contentStart;
        var size = VarintSize((uint)length);
        if (size != reserve)
        {
            // Perf: a length that needs more or fewer bytes than reserved moves the content; varints stay minimal.
            var shift = size - reserve;
            Ensure(Math.Max(shift, 0));
            _buffer.AsSpan(contentStart, length).CopyTo(_buffer.AsSpan(contentStart + shift));
            _position += shift;
        }

        var position = contentStart - reserve;
        var value = (uint)length;
        while (value >= 0x80)
        {
            _buffer[position++] = (byte)(value | 0x80);
            value >>= 7;
        }

        _buffer[position] = (byte)value;
    }

    private static int WriteVarintSlow(Span<byte> destination, int index, ulong value)
    {
        while (value >= 0x80)
        {
            destination[index++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[index++] = (byte)value;
        return index;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int count)
    {
        // Commit what is written so far (the buffer copies only committed bytes), then take the larger array.
        _output.Advance(_position - (int)_output.Length);
        _output.GetSpan(count);
        _buffer = _output.Array;
    }
}
