using System.Globalization;
using System.Text;
using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary><c>traceline view [files...]</c>: read span logs, merge by trace, print each trace as a tree with its diagnosis.</summary>
internal sealed class ViewCommand
{
    internal const int DefaultMaxSpans = 2_000_000;
    internal const int MaxProblemsShown = 100;

    private readonly Dictionary<TraceId, List<TraceSpan>> _traces = [];
    private readonly HashSet<(TraceId, SpanId)> _seen = [];
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

    public long SpanCount => _spans;

    public long ProblemCount => _problems;

    public IReadOnlyDictionary<TraceId, List<TraceSpan>> Traces => _traces;

    /// <summary>Reads one input to its end.</summary>
    public void Read(Stream stream, string name)
    {
        var splitter = new RecordSplitter(stream);
        while (true)
        {
            while (splitter.TryRead(out var record, out var problem))
            {
                var line = splitter.RecordLine;
                if (problem is not null)
                {
                    Problem(name, line, problem);
                    continue;
                }

                (_input, _line) = (name, line);
                _parser.Parse(record.Span, _add, _problem);
            }

            if (splitter.Finish() is { } last)
            {
                Problem(name, splitter.RecordLine, last);
            }

            return;
        }
    }

    /// <summary>Prints the traces that pass the filters; returns the exit code: 1 when a printed trace is broken.</summary>
    public int Print()
    {
        var broken = 0;
        var printed = 0;
        var output = new StringBuilder();
        foreach (var diagnosis in TraceAnalyzer.Analyze(_traces))
        {
            if (!Passes(diagnosis))
            {
                continue;
            }

            printed++;
            output.Clear();
            TraceTreeWriter.Write(output, diagnosis.Spans, Color, annotate: span => diagnosis.Notes.GetValueOrDefault(span));
            output.Append("  ").Append(diagnosis.Summary).Append('\n');
            foreach (var warning in diagnosis.Warnings)
            {
                output.Append("  warning: ").Append(warning).Append('\n');
            }

            output.Append('\n');
            _output.Write(output.ToString());
            if (diagnosis.IsBroken)
            {
                broken++;
            }
        }

        if (_problems > MaxProblemsShown)
        {
            _errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"traceline: {_problems - MaxProblemsShown} more bad records not shown"));
        }

        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{printed} trace(s) shown, {broken} broken; {_spans} span(s) read, {_problems} bad record(s), {_skipped} span(s) over the limit skipped, {_parser.OtherObjects} other JSON object(s) ignored."));
        _output.Flush();
        return broken > 0 ? 1 : 0;
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
        if (_spans >= MaxSpans)
        {
            if (_skipped++ == 0)
            {
                Problem(name, line, string.Create(CultureInfo.InvariantCulture, $"more than {MaxSpans} spans: the rest are counted and skipped (memory stays bounded)"));
            }

            return;
        }

        if (!_seen.Add((span.TraceId, span.SpanId)))
        {
            Problem(name, line, $"duplicate span id {span.SpanId} in trace {span.TraceId}: kept the first");
            return;
        }

        if (!_traces.TryGetValue(span.TraceId, out var list))
        {
            _traces[span.TraceId] = list = [];
        }

        list.Add(span);
        _spans++;
    }

    private void Problem(string name, long line, string message)
    {
        if (++_problems <= MaxProblemsShown)
        {
            _errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}:{line}: {message}"));
        }
    }
}
