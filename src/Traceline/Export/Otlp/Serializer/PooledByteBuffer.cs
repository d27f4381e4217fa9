using System.Buffers;

namespace Traceline.Export;

/// <summary>
/// A growable byte buffer over <see cref="ArrayPool{T}"/>: an <see cref="IBufferWriter{T}"/> for the encoders and a
/// write-only <see cref="Stream"/> for <see cref="System.IO.Compression.GZipStream"/>. <see cref="Reset"/> keeps the
/// array, so an exporter that reuses one buffer allocates nothing per export once it has grown.
/// </summary>
internal sealed class PooledByteBuffer : Stream, IBufferWriter<byte>
{
    private byte[] _buffer;
    private int _length;

    public PooledByteBuffer(int initialCapacity = 16 * 1024) => _buffer = ArrayPool<byte>.Shared.Rent(initialCapacity);

    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _length);

    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _length);

    /// <summary>Gets the array that holds the written bytes from index 0 (for <see cref="ByteArrayContent"/>).</summary>
    public byte[] Array => _buffer;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public void Reset() => _length = 0;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _buffer.Length - _length);
        _length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_length);
    }

    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_length);
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Ensure(buffer.Length);
        buffer.CopyTo(_buffer.AsSpan(_length));
        _length += buffer.Length;
    }

    public override void WriteByte(byte value)
    {
        Ensure(1);
        _buffer[_length++] = value;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _length = 0;
        }

        base.Dispose(disposing);
    }

    private void Ensure(int sizeHint)
    {
        if (sizeHint < 1)
        {
            sizeHint = 1;
        }

        if (_buffer.Length - _length >= sizeHint)
        {
            return;
        }

        var needed = (long)_length + sizeHint;
        var size = (int)Math.Min(Math.Max(needed, (long)_buffer.Length * 2), System.Array.MaxLength);
        if (size < needed)
        {
            throw new InvalidOperationException("The OTLP payload does not fit in one array.");
        }

        var larger = ArrayPool<byte>.Shared.Rent(size);
        _buffer.AsSpan(0, _length).CopyTo(larger);
        if (_buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = larger;
    }
}
