using System.Globalization;

namespace Traceline.Cli;

/// <summary>
/// One input of <c>--follow</c>: a file read as it grows, from the start again when it shrinks (truncated, or replaced
/// by log rotation), or standard input until it closes. A record written in pieces is parsed once it is whole.
/// </summary>
/// <remarks>
/// A file replaced by one that is already longer than what was read is not noticed (.NET has no inode to compare);
/// rotation tools create the new file empty, so the next look sees it shorter.
/// </remarks>
internal sealed class FollowedInput : IDisposable
{
    private readonly string? _path;
    private readonly TextWriter _errors;
    private Stream _stream;
    private RecordSplitter _splitter;
    private bool _finished;

    private FollowedInput(string name, string? path, Stream stream, TextWriter errors)
    {
        Name = name;
        _path = path;
        _stream = stream;
        _errors = errors;
        _splitter = new RecordSplitter(stream);
    }

    public string Name { get; }

    /// <summary>Gets whether the input closed and was read to its end (a file never does: it may grow).</summary>
    public bool Ended => _stream is QueuedStream { Ended: true };

    /// <summary>Opens <paramref name="path"/> for following; throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/>.</summary>
    public static FollowedInput OpenFile(string path, TextWriter errors) => new(path, path, Open(path), errors);

    /// <summary>Follows a stream that blocks when it has nothing (standard input, a pipe) until it closes.</summary>
    public static FollowedInput FromStream(Stream source, string name, TextWriter errors, CancellationToken cancellationToken) =>
        new(name, null, QueuedStream.Start(source, cancellationToken), errors);

    /// <summary>Completes when data is queued for a stream; <see langword="null"/> for a file (polled) or a stream that ended.</summary>
    public Task? WhenDataAsync() => _stream is QueuedStream { Ended: false } queued ? queued.WhenDataAsync() : null;

    /// <summary>Parses what has arrived; spans arrive at <paramref name="now"/>.</summary>
    public void ReadAvailable(ViewCommand view, long now)
    {
        if (_finished)
        {
            return;
        }

        view.ReadAvailable(_splitter, Name, now);
        if (Ended)
        {
            view.FinishInput(_splitter, Name);
            _finished = true;
        }
        else if (_path is not null && Shrank() && TryOpen(_path) is { } reopened)
        {
            view.FinishInput(_splitter, Name);
            _errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"traceline: {Name} was truncated or replaced: reading it again from the start"));
            _stream.Dispose();
            _stream = reopened;
            _splitter = new RecordSplitter(reopened);
            view.ReadAvailable(_splitter, Name, now);
        }
    }

    /// <summary>Reports an object the input ended inside of (Ctrl+C, or the input closed).</summary>
    public void Finish(ViewCommand view)
    {
        if (!_finished)
        {
            view.FinishInput(_splitter, Name);
            _finished = true;
        }
    }

    public void Dispose() => _stream.Dispose();

    // Unbuffered: the position is what the splitter has read, to compare with the file's length.
    private static FileStream Open(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    private static FileStream? TryOpen(string path)
    {
        try
        {
            return Open(path);
        }
        catch (IOException)
        {
            return null; // gone again: look at it next time
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private bool Shrank()
    {
        try
        {
            var file = new FileInfo(_path!);
            return file.Exists && file.Length < _stream.Position; // missing: in the middle of a rotation, look again later
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
