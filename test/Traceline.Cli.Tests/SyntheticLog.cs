using System.Globalization;
using System.Text;

namespace Traceline.Cli.Tests;

/// <summary>
/// A large span log made on the fly (never held in memory): two "processes" write compact spans into one stream,
/// their lines interleaved, each trace's callee (bar) printed before its caller (foo) — spans before their parents,
/// as when a callee's batch is flushed first. Every <see cref="GarbageEvery"/>th line is a truncated record.
/// </summary>
internal sealed class SyntheticLog : Stream
{
    public const int GarbageEvery = 10_000;

    private const string Template = """
        {"Name":"@name","SpanContext":{"TraceID":"@trace","SpanID":"@span","TraceFlags":"01","TraceState":"","Remote":false},"Parent":{"TraceID":"@trace","SpanID":"@parent","TraceFlags":"01","TraceState":"","Remote":@remote},"SpanKind":@kind,"StartTime":"@from","EndTime":"@to","Attributes":[{"Key":"http.request.method","Value":{"Type":"STRING","Value":"GET"}},{"Key":"url.path","Value":{"Type":"STRING","Value":"/orders/42"}},{"Key":"http.response.status_code","Value":{"Type":"INT64","Value":200}}],"Events":[],"Links":[],"Status":{"Code":"Unset","Description":""},"DroppedAttributes":0,"DroppedEvents":0,"DroppedLinks":0,"Resource":[{"Key":"service.name","Value":{"Type":"STRING","Value":"@service"}}],"InstrumentationScope":{"Name":"Traceline.AspNetCore","Version":"1.0.0","SchemaURL":""}}
        """ + "\n";

    private readonly long _length;
    private readonly byte[] _line = new byte[2048];
    private int _lineLength;
    private int _lineOffset;
    private long _position;
    private long _lines;
    private long _trace;

    public SyntheticLog(long length) => _length = length;

    /// <summary>Gets how many traces were written so far (two spans each).</summary>
    public long Traces => _trace;

    /// <summary>Gets how many truncated records were written so far.</summary>
    public long Garbage { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => _length;

    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        var written = 0;
        while (written < count && _position < _length)
        {
            if (_lineOffset == _lineLength)
            {
                NextLine();
            }

            var n = (int)Math.Min(Math.Min(count - written, _lineLength - _lineOffset), _length - _position);
            Buffer.BlockCopy(_line, _lineOffset, buffer, offset + written, n);
            _lineOffset += n;
            written += n;
            _position += n;
        }

        return written;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <summary>One compact span as Traceline writes it, with the ids of trace <paramref name="trace"/>.</summary>
    public static string Span(long trace, bool callee)
    {
        var traceId = (trace + 1).ToString("x32", CultureInfo.InvariantCulture);
        var root = ((trace * 2) + 1).ToString("x16", CultureInfo.InvariantCulture);
        var child = ((trace * 2) + 2).ToString("x16", CultureInfo.InvariantCulture);
        var start = 1_796_626_800_000_000_000 + (trace * 1_000_000);
        var (name, spanId, parentId, kind, service, from, to, remote) = callee
            ? ("GET /stock/{id}", child, root, 2, "bar-service", start + 100_000, start + 700_000, "true")
            : ("GET /orders/{id}", root, "0000000000000000", 2, "foo-service", start, start + 900_000, "false");
        return Template.Replace("@name", name, StringComparison.Ordinal).Replace("@trace", traceId, StringComparison.Ordinal)
            .Replace("@span", spanId, StringComparison.Ordinal).Replace("@parent", parentId, StringComparison.Ordinal)
            .Replace("@remote", remote, StringComparison.Ordinal).Replace("@kind", kind.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("@from", Time(from), StringComparison.Ordinal).Replace("@to", Time(to), StringComparison.Ordinal)
            .Replace("@service", service, StringComparison.Ordinal);
    }

    private static string Time(long unixNanos) =>
        DateTime.UnixEpoch.AddTicks(unixNanos / 100).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + (unixNanos % 100).ToString("00", CultureInfo.InvariantCulture) + "Z";

    private void NextLine()
    {
        // Line 2k: bar's span of trace k; line 2k+1: foo's span of trace k-1 (its callee came two lines earlier).
        string text;
        if (++_lines % GarbageEvery == 0)
        {
            text = """{"Name":"GET /orders/{id}","SpanContext":{"TraceID":"000""" + "\n";
            Garbage++;
            _trace++; // the line of this trace's callee (GarbageEvery is even): its caller still follows
        }
        else if (_lines % 2 == 0)
        {
            text = Span(_trace++, callee: true);
        }
        else
        {
            text = _trace == 0 ? "info: Now listening on: http://127.0.0.1:5000\n" : Span(_trace - 1, callee: false);
        }

        _lineLength = Encoding.UTF8.GetBytes(text, _line);
        _lineOffset = 0;
    }
}
