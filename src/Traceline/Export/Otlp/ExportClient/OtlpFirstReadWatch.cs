namespace Traceline.Export;

/// <summary>Notes a connection that the server closed before its first byte (see <see cref="OtlpConnection.IsTlsFailure"/>).</summary>
internal sealed class OtlpFirstReadWatch(Stream inner, OtlpConnection owner) : Stream
{
    private bool _seenByte;

    public override bool CanRead => inner.CanRead;

    public override bool CanSeek => false;

    public override bool CanWrite => inner.CanWrite;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => Observe(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return Observe(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));
        }
        catch (IOException) when (!_seenByte)
        {
            owner.NoteClosedBeforeFirstByte();
            throw;
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        try
        {
            inner.Write(buffer, offset, count);
        }
        catch (IOException) when (!_seenByte)
        {
            owner.NoteClosedBeforeFirstByte();
            throw;
        }
    }

    /// <remarks>
    /// A write can be the first to fail on a connection the server closed after the handshake (the request goes out
    /// before any reply is read): noted too, or the failure would race the read that notes it and look transient.
    /// </remarks>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException) when (!_seenByte)
        {
            owner.NoteClosedBeforeFirstByte();
            throw;
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Observe(int read)
    {
        if (read > 0)
        {
            _seenByte = true;
        }
        else if (!_seenByte && read == 0)
        {
            owner.NoteClosedBeforeFirstByte();
        }

        return read;
    }
}
