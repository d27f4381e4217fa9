using System.Globalization;
using System.Text;
using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary><c>traceline view [files...]</c>: read span logs, merge by trace, print each trace as a tree with its diagnosis.</summary>
internal sealed class ViewCommand
{
    internal const int DefaultMaxSpans = 2_000_000;
    internal const int MaxProblemsShown = 100;
    internal const int DefaultMaxTraces = 10_000;
    internal const int MaxRecent = 1_024;

    private readonly Dictionary<TraceId, TraceSpans> _traces = [];
    private readonly Queue<TraceSpans> _recent = new(); // follow mode: traces printed lately, for the diagnosis of later ones
    private readonly HashSet<TraceId> _recentIds = [];
    private readonly SpanParser _parser = new();
    private readonly TextWriter _output;
    private readonly TextWriter _errors;
    private readonly Action<TraceSpan> _add;
    private readonly Action<string> _problem;
    private string _input = string.Empty; // the input and line of the record being parsed, for _add and _problem
    private long _line;
    private long _spans;
    private long _skipped;
    private long _problems;
    private long _kept;          // spans held: in follow mode, those of the traces still waiting
    private long _now;           // follow mode: when the spans being read arrived
    private long _droppedTraces;
    private long _droppedReported;
    private long _printed;
    private long _broken;

    public ViewCommand(TextWriter output, TextWriter errors)
    {
        _output = output;
        _errors = errors;
        _add = span => Add(span, _input, _line);
        _problem = message => Problem(_input, _line, message);
    }

    public string? TraceFilter { get; set; }

    public string? ServiceFilter { get; set; }

    public bool ErrorsOnly { get; set; }

    public long SlowerThanNanos { get; set; }

    public bool Color { get; set; }

    public int MaxSpans { get; set; } = DefaultMaxSpans;

    /// <summary>Gets or sets how many traces may wait at once (follow mode); spans of more traces are dropped and counted.</summary>
    public int MaxTraces { get; set; } = int.MaxValue;

    public long SpanCount => _spans;

    public long ProblemCount => _problems;

    public IReadOnlyDictionary<TraceId, TraceSpans> Traces => _traces;

    /// <summary>Reads one input to its end.</summary>
    public void Read(Stream stream, string name)
    {
        var splitter = new RecordSplitter(stream);
        ReadAvailable(splitter, name, now: 0);
        FinishInput(splitter, name);
    }

    /// <summary>Prints the traces that pass the filters; returns the exit code: 1 when a printed trace is broken.</summary>
    public int Print()
    {
        Write([.. _traces.Values], context: null, note: null);
        return Finish();
    }

    /// <summary>Follow mode: parses the records available now from <paramref name="splitter"/>; spans arrive at <paramref name="now"/>.</summary>
    public void ReadAvailable(RecordSplitter splitter, string name, long now)
    {
        _now = now;
        while (splitter.TryRead(out var record, out var problem))
        {
            var line = splitter.RecordLine;
            if (problem is not null)
            {
                Problem(name, line, problem);
                continue;
            }

            (_input, _line) = (name, line);
            _parser.Parse(record, _add, _problem);
        }
    }

    /// <summary>Follow mode: reports an object an input ended inside of (it will not grow, or it started over).</summary>
    public void FinishInput(RecordSplitter splitter, string name)
    {
        if (splitter.Finish() is { } last)
        {
            Problem(name, splitter.RecordLine, last);
        }
    }

    /// <summary>
    /// Follow mode: prints the traces whose root arrived and that got no span for <paramref name="settle"/>, and those
    /// waiting longer than <paramref name="timeout"/> (marked incomplete when no root arrived), then forgets them.
    /// </summary>
    /// <param name="now">The current <see cref="TimeProvider"/> timestamp; <paramref name="settle"/> and <paramref name="timeout"/> are in its units.</param>
    /// <param name="settle">How long a trace with a root gets no span before it is printed.</param>
    /// <param name="timeout">How long a trace waits at most.</param>
    /// <param name="incomplete">The note for a trace printed without a root.</param>
    public void PrintDue(long now, long settle, long timeout, string incomplete)
    {
        List<TraceSpans>? due = null;
        foreach (var trace in _traces.Values)
        {
            if ((trace.HasRoot && now - trace.LastSeen >= settle) || now - trace.FirstSeen >= timeout)
            {
                (due ??= []).Add(trace);
            }
        }

        if (due is not null)
        {
            Take(due);
            Write(due, _traces.Values, incomplete);
        }
    }

    /// <summary>Follow mode: prints every trace still waiting (the input ended, or Ctrl+C) and the summary; returns the exit code.</summary>
    public int PrintRemaining()
    {
        var all = new List<TraceSpans>(_traces.Values);
        Take(all);
        Write(all, context: null, note: "incomplete: no root span arrived before the end (Ctrl+C, or the input closed)");
        return Finish();
    }

    private void Take(List<TraceSpans> traces)
    {
        foreach (var trace in traces)
        {
            _traces.Remove(trace[0].TraceId);
            _kept -= trace.Count;
            _recent.Enqueue(trace);
            _recentIds.Add(trace[0].TraceId);
            if (_recent.Count > MaxRecent)
            {
                _recentIds.Remove(_recent.Dequeue()[0].TraceId);
            }
        }
    }

    private void Write(List<TraceSpans> traces, IReadOnlyCollection<List<TraceSpan>>? context, string? note)
    {
        var output = new StringBuilder();
        if (_droppedTraces > _droppedReported)
        {
            output.Append(string.Create(CultureInfo.InvariantCulture,
                $"traceline: {_droppedTraces - _droppedReported} trace(s) dropped: more than {MaxTraces} were waiting\n\n"));
            _droppedReported = _droppedTraces;
        }

        var waiting = context is null ? null : new List<List<TraceSpan>>(context.Count + _recent.Count);
        if (waiting is not null)
        {
            waiting.AddRange(context!);
            waiting.AddRange(_recent);
        }

        foreach (var diagnosis in TraceAnalyzer.Analyze(traces, waiting))
        {
            if (!Passes(diagnosis))
            {
                continue;
            }

            _printed++;
            TraceTreeWriter.Write(output, diagnosis.Spans, Color, annotate: span => diagnosis.Notes.GetValueOrDefault(span));
            output.Append("  ").Append(diagnosis.Summary).Append('\n');
            foreach (var warning in diagnosis.Warnings)
            {
                output.Append("  warning: ").Append(warning).Append('\n');
            }

            var spans = (TraceSpans)diagnosis.Spans;
            if (note is not null && !spans.HasRoot)
            {
                output.Append("  ").Append(note).Append('\n');
            }

            if (spans.IsLate)
            {
                output.Append("  late: more spans of a trace printed before\n");
            }

            output.Append('\n');
            _output.Write(output.ToString());
            output.Clear();
            if (diagnosis.IsBroken)
            {
                _broken++;
            }
        }

        if (output.Length > 0)
        {
            _output.Write(output.ToString());
        }

        _output.Flush();
    }

    private int Finish()
    {
        if (_problems > MaxProblemsShown)
        {
            _errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"traceline: {_problems - MaxProblemsShown} more bad records not shown"));
        }

        var dropped = _droppedTraces == 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $", {_droppedTraces} trace(s) dropped ({MaxTraces} were waiting)");
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{_printed} trace(s) shown, {_broken} broken; {_spans} span(s) read, {_problems} bad record(s), {_skipped} span(s) over the limit skipped, {_parser.OtherObjects} other JSON object(s) ignored{dropped}."));
        _output.Flush();
        return _broken > 0 ? 1 : 0;
    }

    private bool Passes(TraceDiagnosis diagnosis)
    {
        if (TraceFilter is not null && !diagnosis.TraceId.ToString().StartsWith(TraceFilter, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (SlowerThanNanos > 0 && diagnosis.DurationNanos <= SlowerThanNanos)
        {
            return false;
        }

        var service = ServiceFilter is null;
        var error = !ErrorsOnly;
        foreach (var span in diagnosis.Spans)
        {
            service |= span.Service == ServiceFilter;
            error |= span.IsError;
        }

        return service && error;
    }

    private void Add(TraceSpan span, string name, long line)
    {
        if (_kept >= MaxSpans)
        {
            if (_skipped++ == 0)
            {
                Problem(name, line, string.Create(CultureInfo.InvariantCulture, $"more than {MaxSpans} spans: the rest are counted and skipped (memory stays bounded)"));
            }

            return;
        }

        if (!_traces.TryGetValue(span.TraceId, out var trace))
        {
            if (_traces.Count >= MaxTraces)
            {
                _droppedTraces++;
                return;
            }

            _traces[span.TraceId] = trace = new TraceSpans(_now) { IsLate = _recentIds.Contains(span.TraceId) };
        }

        if (!trace.TryAdd(span, _now))
        {
            Problem(name, line, $"duplicate span id {span.SpanId} in trace {span.TraceId}: kept the first");
            return;
        }

        _spans++;
        _kept++;
    }

    private void Problem(string name, long line, string message)
    {
        if (++_problems <= MaxProblemsShown)
        {
            _errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}:{line}: {message}"));
        }
    }
}
