namespace Traceline.Http;

/// <summary>A gRPC response body read through unchanged; its end (or a failure, or disposal) ends the call's span.</summary>
internal sealed class GrpcResponseStream(Stream inner, GrpcResponseContent content) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = inner.Read(buffer);
        }
        catch (Exception ex) when (content.FailAndReturnFalse(ex))
        {
            throw; // never reached: the filter ends the span and lets the exception fly on unchanged
        }

        return Ended(read, buffer.Length);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (content.FailAndReturnFalse(ex))
        {
            throw; // never reached
        }

        return Ended(read, buffer.Length);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            content.End();
        }

        base.Dispose(disposing);
    }

    /// <summary>Zero bytes into a non-empty buffer is the body's end: the trailers are in.</summary>
    private int Ended(int read, int requested)
    {
        if (read == 0 && requested > 0)
        {
            content.End();
        }

        return read;
    }
}
