using System.Threading.Channels;

namespace Traceline.Cli;

/// <summary>
/// A stream (standard input, a pipe) read on a task of its own into a short queue, so follow mode can take what has
/// arrived without blocking: <see cref="Read(byte[], int, int)"/> returns 0 when nothing is queued, and
/// <see cref="Ended"/> says when the source closed and everything was read.
/// </summary>
internal sealed class QueuedStream : Stream
{
    private const int ChunkBytes = 64 * 1024;

    // Bounded: a source faster than the parser waits for it, and memory stays at a few chunks.
    private readonly Channel<ArraySegment<byte>> _chunks = Channel.CreateBounded<ArraySegment<byte>>(new BoundedChannelOptions(16) { SingleReader = true, SingleWriter = true });
    private ArraySegment<byte> _current;
    private Task<bool>? _wait;

    private QueuedStream()
    {
    }

    /// <summary>Gets whether the source closed and every byte of it was read.</summary>
    public bool Ended => _current.Count == 0 && _chunks.Reader.Completion.IsCompleted;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Starts reading <paramref name="source"/> until it closes or <paramref name="cancellationToken"/> is cancelled.</summary>
    public static QueuedStream Start(Stream source, CancellationToken cancellationToken)
    {
        var queued = new QueuedStream();
        _ = Task.Run(() => queued.PumpAsync(source, cancellationToken), CancellationToken.None);
        return queued;
    }

    /// <summary>Completes when data is queued or the source closed; one task is kept until then.</summary>
    public Task WhenDataAsync()
    {
        if (_wait is null || _wait.IsCompleted)
        {
            _wait = _chunks.Reader.WaitToReadAsync().AsTask();
        }

        return _wait;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_current.Count == 0 && !_chunks.Reader.TryRead(out _current))
        {
            return 0;
        }

        var length = Math.Min(count, _current.Count);
        _current[..length].CopyTo(buffer, offset);
        _current = _current[length..];
        return length;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private async Task PumpAsync(Stream source, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var buffer = new byte[ChunkBytes];
                var read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (read <= 0)
                {
                    break;
                }

                await _chunks.Writer.WriteAsync(new ArraySegment<byte>(buffer, 0, read), cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // A broken pipe ends the input like a closed one.
        }
        finally
        {
            _chunks.Writer.TryComplete();
        }
    }
}
