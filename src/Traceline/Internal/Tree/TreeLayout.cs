using System.Globalization;
using System.Text;

namespace Traceline.Internal.Tree;

/// <summary>
/// The stdout tree layout's memory: ended spans wait, grouped by trace, until the trace's local root ends (then the
/// trace is drawn) or the trace times out (then it is drawn marked incomplete). Bounded: at most
/// <see cref="MaxWaitingTraces"/> traces and <see cref="MaxSpansPerTrace"/> spans a trace wait; the rest are dropped
/// and counted in the next block.
/// </summary>
/// <remarks>Runs on the export worker and on a timer, never on a request thread: one lock keeps them apart.</remarks>
internal sealed class TreeLayout : IDisposable
{
    internal const int DefaultMaxWaitingTraces = 1024;
    internal const int MaxSpansPerTrace = 4096;
    internal static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    internal static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(1);

    private readonly Dictionary<TraceId, Waiting> _waiting = [];
    private readonly List<TraceId> _complete = [];
    private readonly Lock _gate = new();
    private readonly TextWriter? _writer;
    private readonly TimeProvider _time;
    private readonly ITimer _timer;
    private long _dropped;
    private long _droppedReported;
    private bool _stopped;

    public TreeLayout(TextWriter? writer, bool color, TimeProvider time, int maxWaitingTraces = DefaultMaxWaitingTraces, TimeSpan? timeout = null)
    {
        _writer = writer;
        Color = color;
        _time = time;
        MaxWaitingTraces = maxWaitingTraces;
        Timeout = timeout ?? DefaultTimeout;
        _timer = time.CreateTimer(static state => ((TreeLayout)state!).PrintTimedOut(), this, CheckInterval, CheckInterval);
    }

    public bool Color { get; }

    public int MaxWaitingTraces { get; }

    public TimeSpan Timeout { get; }

    /// <summary>Gets how many spans were dropped since the start because too much was waiting.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Gets how many traces are waiting for their root.</summary>
    public int WaitingCount
    {
        get
        {
            lock (_gate)
            {
                return _waiting.Count;
            }
        }
    }

    /// <summary>Takes a batch of ended spans and prints the traces whose local root is among them.</summary>
    public void Add(ReadOnlySpan<Span> batch)
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }

            var now = _time.GetUtcNow();
            foreach (var span in batch)
            {
                var traceId = span.Context.TraceId;
                if (!_waiting.TryGetValue(traceId, out var waiting))
                {
                    if (_waiting.Count >= MaxWaitingTraces)
                    {
                        _dropped++;
                        continue;
                    }

                    _waiting[traceId] = waiting = new Waiting(now + Timeout);
                }

                if (waiting.Spans.Count >= MaxSpansPerTrace)
                {
                    _dropped++;
                    continue;
                }

                waiting.Spans.Add(TraceSpan.From(span));

                // A local root: no parent, or a parent in another process. Its trace is as complete here as it gets.
                var parent = span.Parent;
                if ((!parent.SpanId.IsValid || parent.IsRemote) && !waiting.RootEnded)
                {
                    waiting.RootEnded = true;
                    _complete.Add(traceId);
                }
            }

            var output = new StringBuilder();
            foreach (var traceId in _complete)
            {
                Print(output, traceId, note: null);
            }

            _complete.Clear();
            Write(output);
        }
    }

    /// <summary>Prints every waiting trace, marked incomplete, and stops.</summary>
    public void Stop()
    {
        lock (_gate)
        {
            var output = new StringBuilder();
            foreach (var traceId in _waiting.Keys.ToArray())
            {
                Print(output, traceId, "incomplete: shut down before its root span ended");
            }

            Write(output);
            _stopped = true;
        }

        _timer.Dispose();
    }

    public void Dispose() => _timer.Dispose();

    /// <summary>Prints the traces that waited longer than <see cref="Timeout"/>.</summary>
    internal void PrintTimedOut()
    {
        lock (_gate)
        {
            if (_stopped || _waiting.Count == 0)
            {
                return;
            }

            var now = _time.GetUtcNow();
            var output = new StringBuilder();
            foreach (var (traceId, waiting) in _waiting)
            {
                if (waiting.Deadline <= now)
                {
                    _complete.Add(traceId);
                }
            }

            var note = string.Create(CultureInfo.InvariantCulture, $"incomplete: no root span ended within {Timeout.TotalSeconds:0.#} s");
            foreach (var traceId in _complete)
            {
                Print(output, traceId, note);
            }

            _complete.Clear();
            Write(output);
        }
    }

    private void Print(StringBuilder output, TraceId traceId, string? note)
    {
        if (!_waiting.Remove(traceId, out var waiting))
        {
            return;
        }

        TraceTreeWriter.Write(output, waiting.Spans, Color, note);
        output.Append('\n');
    }

    private void Write(StringBuilder output)
    {
        if (output.Length == 0)
        {
            return;
        }

        var dropped = _dropped;
        if (dropped > _droppedReported)
        {
            _droppedReported = dropped;
            output.Append(CultureInfo.InvariantCulture, $"traceline: {dropped} span(s) dropped so far: more than {MaxWaitingTraces} traces (or {MaxSpansPerTrace} spans in one trace) were waiting for their root span\n\n");
        }

        var writer = _writer ?? Console.Out;
        try
        {
            writer.Write(output.ToString());
            writer.Flush();
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Stdout closed under us (a pipe whose reader left): nothing else to tell.
        }
    }

    private sealed class Waiting(DateTimeOffset deadline)
    {
        public DateTimeOffset Deadline { get; } = deadline;

        public List<TraceSpan> Spans { get; } = [];

        public bool RootEnded { get; set; }
    }
}
