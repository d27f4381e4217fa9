using System.Buffers;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Traceline.Cli;

/// <summary>
/// Finds the JSON objects in a log: pretty (one object over many lines), compact (one a line), or a whole OTLP/JSON
/// file, among any other text the process printed. Text outside an object is skipped; an object cut short (the
/// process died, or another process's lines came in between) is reported, and reading goes on at the next object.
/// </summary>
/// <remarks>
/// Perf: only quotes, backslashes, braces and newlines matter to find an object's end, so the scan jumps between
/// them with a vectorized <c>IndexOfAny</c>; the object itself is parsed later by <see cref="SpanParser"/>.
/// </remarks>
internal sealed class RecordSplitter
{
    internal const int DefaultMaxRecordBytes = 64 * 1024 * 1024;
    private const int Block = 32;

    private static readonly SearchValues<byte> OutsideString = SearchValues.Create("\"{}\n"u8);
    private static readonly SearchValues<byte> InsideString = SearchValues.Create("\"\\\n"u8);

    private readonly Stream _stream;
    private readonly int _maxRecordBytes;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start;   // first byte not yet consumed
    private int _end;     // end of the data read
    private int _scan;    // where the scan of the current record resumes
    private int _depth;
    private bool _inString;
    private bool _singleLine;
    private long _line = 1;       // line number at _scan
    private long _recordLine;
    private bool _skipping;       // inside an oversized record: drop bytes until it ends
    private bool _lineStart = true; // _scan is at the start of a line (not just after an object on it)

    public RecordSplitter(Stream stream, int maxRecordBytes = DefaultMaxRecordBytes)
    {
        _stream = stream;
        _maxRecordBytes = maxRecordBytes;
    }

    /// <summary>Gets the line of the record last returned.</summary>
    public long RecordLine => _recordLine;

    /// <summary>Reads the next object, or reports a problem; returns <see langword="false"/> at the end of the data for now.</summary>
    /// <param name="record">The object's bytes, valid until the next call.</param>
    /// <param name="problem">Set, with <paramref name="record"/> empty, when the bytes at <see cref="RecordLine"/> were no whole object.</param>
    public bool TryRead(out ReadOnlyMemory<byte> record, out string? problem)
    {
        problem = null;
        while (true)
        {
            if (ScanOne(out record, out problem))
            {
                return true;
            }

            if (!Fill())
            {
                // The end of the data for now: an object still open stays buffered (a growing log may finish it).
                record = default;
                return false;
            }
        }
    }

    /// <summary>Reports an object that the data ended inside of, and forgets it; for the end of a file that will not grow.</summary>
    public string? Finish()
    {
        if (_depth == 0 && !_skipping)
        {
            return null;
        }

        var message = _skipping ? null : "truncated: the input ended inside this object";
        _depth = 0;
        _inString = false;
        _skipping = false;
        _start = _scan = _end;
        return message;
    }

    private bool ScanOne(out ReadOnlyMemory<byte> record, out string? problem)
    {
        record = default;
        problem = null;
        while (_scan < _end)
        {
            var data = _buffer.AsSpan(_scan, _end - _scan);
            if (_depth == 0)
            {
                // Between objects: an object starts in a line's first column (every layout prints it there, so the
                // indented rest of an object cut short is not taken for objects), or right after another on its line.
                var first = data.IndexOfAnyExcept((byte)' ', (byte)'\t', (byte)'\r');
                if (first < 0)
                {
                    _scan = _start = _end;
                    return false;
                }

                if (data[first] != (byte)'{' || (_lineStart && first > 0))
                {
                    var newline = data[first..].IndexOf((byte)'\n');
                    if (newline < 0)
                    {
                        // The rest of this line is not here yet: keep it to look at again.
                        _start = _scan;
                        return false;
                    }

                    _line++;
                    _scan += first + newline + 1;
                    _start = _scan;
                    _lineStart = true;
                    continue;
                }

                var open = first;
                _scan += open;
                _start = _scan;
                _recordLine = _line;
                _depth = 1;
                _lineStart = false;
                _scan++;
                _singleLine = _scan < _end && _buffer[_scan] is not ((byte)'\n' or (byte)'\r');
                continue;
            }

            if (SkipBlock(data))
            {
                _scan += Block;
                continue;
            }

            var index = data.IndexOfAny(_inString ? InsideString : OutsideString);
            if (index < 0)
            {
                _scan = _end;
                break;
            }

            var b = data[index];
            _scan += index + 1;
            if (b == (byte)'\n')
            {
                _line++;
                if (_singleLine || _inString)
                {
                    // A compact object (or a string) does not span lines: it was cut short.
                    problem = TruncatedAt(_line - 1);
                    return true;
                }

                // A '{' at the start of a line inside a pretty object is a new object: the previous one was cut short.
                if (_scan < _end && _buffer[_scan] == (byte)'{')
                {
                    problem = TruncatedAt(_line);
                    return true;
                }

                continue;
            }

            if (_inString)
            {
                if (b == (byte)'\\')
                {
                    if (_scan >= _end)
                    {
                        _scan--; // finish the escape once more data arrives
                        break;
                    }

                    if (_buffer[_scan] != (byte)'\n')
                    {
                        _scan++;
                    }
                }
                else
                {
                    _inString = false;
                }

                continue;
            }

            switch (b)
            {
                case (byte)'"':
                    _inString = true;
                    break;
                case (byte)'{':
                    _depth++;
                    break;
                case (byte)'}':
                    if (--_depth == 0)
                    {
                        var skipped = _skipping;
                        _skipping = false;
                        // Perf: a pretty record goes to the reader as it is. Joining its lines first paid while the
                        // reader tokenized every attribute; with most skipped, it cost more than it saved (ViewParseBenchmarks).
                        record = _buffer.AsMemory(_start, _scan - _start);
                        _start = _scan;
                        if (skipped)
                        {
                            record = default;
                            problem = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"skipped: the object is larger than {_maxRecordBytes / (1024 * 1024)} MB");
                        }

                        return true;
                    }

                    break;
            }
        }

        return false;
    }

    /// <summary>
    /// Takes the next 32 bytes of an object in one step when nothing in them needs the byte-by-byte path: no
    /// backslash, no newline that needs a look, and the object does not end in them. Updates the depth and whether a string is open.
    /// </summary>
    /// <remarks>
    /// Perf: the next quote is mostly 1-2 bytes away, so one vectorized search a token cost about 4 µs a compact span
    /// (ViewParseBenchmarks' split stage). Here the quotes' running XOR marks the bytes inside strings, and only the
    /// braces outside them are counted.
    /// </remarks>
    private bool SkipBlock(ReadOnlySpan<byte> data)
    {
        if (data.Length < Block || !Vector256.IsHardwareAccelerated)
        {
            return false;
        }

        var bytes = Vector256.Create(data[..Block]);
        if (Vector256.Equals(bytes, Vector256.Create((byte)'\\')) != Vector256<byte>.Zero)
        {
            return false;
        }

        // A compact object has no newline; a pretty one has them between tokens, never before a '{' in column 0
        // (that is a new object) nor as this block's last byte (the next byte is not looked at here).
        var newlines = Vector256.Equals(bytes, Vector256.Create((byte)'\n')).ExtractMostSignificantBits();
        var rawOpens = Vector256.Equals(bytes, Vector256.Create((byte)'{')).ExtractMostSignificantBits();
        if (newlines != 0 && (_singleLine || (newlines & (1u << (Block - 1))) != 0 || ((newlines << 1) & rawOpens) != 0))
        {
            return false;
        }

        var quotes = Vector256.Equals(bytes, Vector256.Create((byte)'"')).ExtractMostSignificantBits();
        var inside = JsonScan.InsideStrings(quotes, _inString);

        if ((newlines & inside) != 0)
        {
            return false; // a string does not span lines: cut short
        }

        var opens = rawOpens & ~inside;
        var closes = Vector256.Equals(bytes, Vector256.Create((byte)'}')).ExtractMostSignificantBits() & ~inside;
        var depth = _depth;
        var braces = opens | closes;
        while (braces != 0)
        {
            var bit = braces & (0u - braces);
            depth += (opens & bit) != 0 ? 1 : -1;
            if (depth == 0)
            {
                return false; // the object ends here: the byte-by-byte path returns it
            }

            braces ^= bit;
        }

        _depth = depth;
        _line += BitOperations.PopCount(newlines);
        _inString ^= (BitOperations.PopCount(quotes) & 1) != 0;
        return true;
    }

    private string TruncatedAt(long nextLine)
    {
        var message = nextLine == _recordLine
            ? "truncated: the object ends mid-line"
            : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"truncated: the object is cut short at line {nextLine}");
        _depth = 0;
        _inString = false;
        _skipping = false;
        _start = _scan;
        _lineStart = true; // cut short at a newline
        return message;
    }

    private bool Fill()
    {
        if (_start > 0)
        {
            // Keep only the open object (or nothing) at the front of the buffer.
            var kept = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, kept);
            _scan -= _start;
            _end = kept;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxRecordBytes)
            {
                // An object too large to keep: drop what is buffered and skip to its end.
                _skipping = true;
                _scan = _end = 0;
            }
            else
            {
                Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxRecordBytes));
            }
        }

        var read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read <= 0)
        {
            return false;
        }

        _end += read;
        return true;
    }
}
