using System.Globalization;
using System.Text;

namespace Traceline.Internal.Tree;

/// <summary>
/// Draws one trace as an indented waterfall, one row a span: name, kind, service, duration, a bar placed on the
/// trace's time line, status and errors; a root's remote parent goes above it, a client span without a recorded
/// callee says its <c>traceparent</c> was sent. Shared by the stdout tree layout and <c>traceline view</c>.
/// </summary>
internal static class TraceTreeWriter
{
    internal const int BarWidth = 24;
    internal const int MaxNameWidth = 48;

    private const string Reset = "\e[0m";
    private const string Dim = "\e[2m";
    private const string Bold = "\e[1m";
    private const string Red = "\e[31m";
    private const string Cyan = "\e[36m";
    private const string Yellow = "\e[33m";

    /// <summary>Writes the trace's header line and its rows.</summary>
    /// <param name="output">Where the text goes; every line ends with <c>\n</c>.</param>
    /// <param name="spans">The trace's spans, in any order, all with the same trace id.</param>
    /// <param name="color">Whether to colour with ANSI escapes.</param>
    /// <param name="note">Added to the header (for example "incomplete"), or <see langword="null"/>.</param>
    /// <param name="annotate">Extra text for a span's row (a diagnosis), or <see langword="null"/>.</param>
    public static void Write(StringBuilder output, IReadOnlyList<TraceSpan> spans, bool color, string? note = null, Func<TraceSpan, string?>? annotate = null)
    {
        if (spans.Count == 0)
        {
            return;
        }

        var byId = new Dictionary<SpanId, TraceSpan>(spans.Count);
        long start = long.MaxValue, end = long.MinValue;
        foreach (var span in spans)
        {
            byId.TryAdd(span.SpanId, span);
            start = Math.Min(start, span.StartUnixNanos);
            end = Math.Max(end, Math.Max(span.StartUnixNanos, span.EndUnixNanos));
        }

        var children = new Dictionary<SpanId, List<TraceSpan>>();
        var roots = new List<TraceSpan>();
        foreach (var span in spans)
        {
            if (span.ParentSpanId.IsValid && span.ParentSpanId != span.SpanId && byId.ContainsKey(span.ParentSpanId))
            {
                if (!children.TryGetValue(span.ParentSpanId, out var list))
                {
                    children[span.ParentSpanId] = list = [];
                }

                list.Add(span);
            }
            else
            {
                roots.Add(span);
            }
        }

        roots.Sort(ByStart);
        foreach (var list in children.Values)
        {
            list.Sort(ByStart);
        }

        // Walk once to lay out rows (depth first, iteratively: hostile input may nest deeply or loop through duplicate ids).
        var rows = new List<(TraceSpan Span, int Depth)>(spans.Count);
        var visited = new HashSet<TraceSpan>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<(TraceSpan Span, int Depth)>();
        void Walk(TraceSpan root)
        {
            stack.Push((root, 0));
            while (stack.Count > 0)
            {
                var (span, depth) = stack.Pop();
                if (!visited.Add(span))
                {
                    continue;
                }

                rows.Add((span, depth));
                if (children.TryGetValue(span.SpanId, out var list) && byId[span.SpanId] == span)
                {
                    for (var i = list.Count - 1; i >= 0; i--)
                    {
                        stack.Push((list[i], Math.Min(depth + 1, 32)));
                    }
                }
            }
        }

        foreach (var root in roots)
        {
            Walk(root);
        }

        foreach (var span in spans)
        {
            Walk(span); // spans that only a loop of duplicate ids reached
        }

        var nameWidth = 0;
        var serviceWidth = 0;
        foreach (var (span, depth) in rows)
        {
            nameWidth = Math.Max(nameWidth, Math.Min((2 * depth) + span.Name.Length, MaxNameWidth));
            serviceWidth = Math.Max(serviceWidth, span.Service.Length);
        }

        var total = end - start;
        var first = spans[0];
        output.Append(color ? Bold : string.Empty).Append("trace ").Append(first.TraceId.ToString()).Append(color ? Reset : string.Empty)
            .Append(CultureInfo.InvariantCulture, $"  {spans.Count} span(s)  ").Append(FormatDuration(total));
        if (note is not null)
        {
            output.Append("  ").Append(color ? Yellow : string.Empty).Append(note).Append(color ? Reset : string.Empty);
        }

        output.Append('\n');
        foreach (var (span, depth) in rows)
        {
            var indent = new string(' ', 2 + (2 * Math.Min(depth, (MaxNameWidth / 2) - 4)));
            if (depth == 0 && span.ParentSpanId.IsValid && !byId.ContainsKey(span.ParentSpanId))
            {
                output.Append(indent).Append(color ? Dim : string.Empty).Append("<- ").Append(span.ParentSpanId.ToString())
                    .Append(span.ParentIsRemote ? " from the caller" : " not recorded here").Append(color ? Reset : string.Empty).Append('\n');
            }

            var label = indent[2..] + span.Name;
            if (label.Length > MaxNameWidth)
            {
                label = string.Concat(label.AsSpan(0, MaxNameWidth - 1), "…");
            }

            output.Append("  ").Append(label.PadRight(nameWidth)).Append("  ")
                .Append(KindName(span.Kind).PadRight(8)).Append(' ')
                .Append(span.Service.PadRight(serviceWidth)).Append(' ')
                .Append(FormatDuration(span.DurationNanos).PadLeft(9)).Append("  ");
            AppendBar(output, span, start, total, color);

            if (span.IsError)
            {
                output.Append("  ").Append(color ? Red : string.Empty).Append("ERROR");
                if (span.ErrorType is not null)
                {
                    output.Append(' ').Append(span.ErrorType);
                }

                if (!string.IsNullOrEmpty(span.StatusDescription))
                {
                    output.Append(": ").Append(span.StatusDescription);
                }

                output.Append(color ? Reset : string.Empty);
            }

            if (span.Kind is SpanKind.Client or SpanKind.Producer && !children.ContainsKey(span.SpanId))
            {
                output.Append("  -> traceparent sent");
            }

            if (span.Link.TraceId.IsValid)
            {
                output.Append("  ").Append(color ? Dim : string.Empty).Append("linked to ").Append(span.Link.TraceId.ToString())
                    .Append('/').Append(span.Link.SpanId.ToString()).Append(color ? Reset : string.Empty);
            }

            if (annotate?.Invoke(span) is { } extra)
            {
                output.Append("  ").Append(color ? Red : string.Empty).Append(extra).Append(color ? Reset : string.Empty);
            }

            output.Append('\n');
        }
    }

    /// <summary>Formats a duration the way a person reads it: microseconds, milliseconds or seconds.</summary>
    public static string FormatDuration(long nanos) => nanos switch
    {
        < 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{nanos / 1000.0:0} µs"),
        < 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{nanos / 1_000_000.0:0.0} ms"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{nanos / 1_000_000_000.0:0.00} s"),
    };

    private static string KindName(SpanKind kind) => kind switch
    {
        SpanKind.Server => "server",
        SpanKind.Client => "client",
        SpanKind.Producer => "producer",
        SpanKind.Consumer => "consumer",
        _ => "internal",
    };

    private static void AppendBar(StringBuilder output, TraceSpan span, long start, long total, bool color)
    {
        int offset = 0, length = 1;
        if (total > 0)
        {
            offset = (int)Math.Clamp((double)(span.StartUnixNanos - start) * BarWidth / total, 0, BarWidth - 1);
            length = (int)Math.Clamp(Math.Round((double)span.DurationNanos * BarWidth / total), 1, BarWidth - offset);
        }

        output.Append('|').Append(' ', offset).Append(color ? (span.IsError ? Red : Cyan) : string.Empty)
            .Append(color ? '█' : '=', length).Append(color ? Reset : string.Empty).Append(' ', BarWidth - offset - length).Append('|');
    }

    private static int ByStart(TraceSpan a, TraceSpan b) => a.StartUnixNanos.CompareTo(b.StartUnixNanos);
}
