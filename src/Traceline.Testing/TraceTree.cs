using System.Globalization;
using System.Text;

namespace Traceline.Testing;

/// <summary>
/// The spans of one trace read as a tree, the way a tracing backend rebuilds it: from each span's id and its parent's
/// span id alone. Spans may come from any number of services.
/// </summary>
/// <remarks>
/// A trace is whole when it has exactly one root: a span with no parent, or whose parent was not recorded here (a
/// remote caller that sent <c>traceparent</c>, see <see cref="HasExternalParent"/>). Two roots mean the trace was
/// split: some hop lost the context. <see cref="ToString"/> draws the tree, with service names and durations.
/// </remarks>
public sealed class TraceTree
{
    private static readonly IReadOnlyList<Span> NoSpans = [];

    private readonly Dictionary<SpanId, Span> _byId = [];
    private readonly Dictionary<SpanId, List<Span>> _children = [];
    private readonly List<Span> _roots = [];
    private readonly List<Span> _spans;

    internal TraceTree(TraceId traceId, IEnumerable<Span> spans)
    {
        TraceId = traceId;
        _spans = [.. spans.OrderBy(s => s.StartTime)];
        foreach (var span in _spans)
        {
            _byId.TryAdd(span.Context.SpanId, span);
        }

        foreach (var span in _spans)
        {
            if (span.ParentSpanId.IsValid && _byId.ContainsKey(span.ParentSpanId))
            {
                if (!_children.TryGetValue(span.ParentSpanId, out var list))
                {
                    _children[span.ParentSpanId] = list = [];
                }

                list.Add(span);
            }
            else
            {
                _roots.Add(span);
            }
        }
    }

    /// <summary>Gets the trace id every span shares.</summary>
    public TraceId TraceId { get; }

    /// <summary>Gets the spans, ordered by start time.</summary>
    public IReadOnlyList<Span> Spans => _spans;

    /// <summary>Gets the spans whose parent is not in this trace (none, or a remote one), ordered by start time.</summary>
    public IReadOnlyList<Span> Roots => _roots;

    /// <summary>Gets whether the trace has exactly one root, so every other span's parent was found.</summary>
    public bool IsWhole => _roots.Count == 1;

    /// <summary>Gets whether the trace is whole and its root names a parent recorded elsewhere (a caller's span).</summary>
    public bool HasExternalParent => IsWhole && _roots[0].ParentSpanId.IsValid;

    /// <summary>Gets the root span.</summary>
    /// <exception cref="InvalidOperationException">The trace has no span or more than one root; the message draws the trace.</exception>
    public Span Root => IsWhole
        ? _roots[0]
        : throw new InvalidOperationException($"Trace {TraceId} has {_roots.Count} roots, not one:{Environment.NewLine}{this}");

    /// <summary>Returns the one span named <paramref name="name"/>.</summary>
    /// <param name="name">The span name, for example <c>GET /orders/{id}</c>.</param>
    /// <returns>The span.</returns>
    /// <exception cref="InvalidOperationException">No span or several have that name; the message draws the trace.</exception>
    public Span GetSpan(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Span? found = null;
        foreach (var span in _spans)
        {
            if (span.Name == name)
            {
                if (found is not null)
                {
                    throw new InvalidOperationException($"Trace {TraceId} has more than one span named '{name}':{Environment.NewLine}{this}");
                }

                found = span;
            }
        }

        return found ?? throw new InvalidOperationException($"Trace {TraceId} has no span named '{name}':{Environment.NewLine}{this}");
    }

    /// <summary>Returns the parent of <paramref name="span"/> when it is in this trace.</summary>
    /// <param name="span">A span of this trace.</param>
    /// <returns>The parent, or <see langword="null"/> for a root.</returns>
    public Span? GetParent(Span span)
    {
        ArgumentNullException.ThrowIfNull(span);
        return span.ParentSpanId.IsValid && _byId.TryGetValue(span.ParentSpanId, out var parent) && parent != span ? parent : null;
    }

    /// <summary>Returns the children of <paramref name="span"/>, ordered by start time.</summary>
    /// <param name="span">A span of this trace.</param>
    /// <returns>The children; empty for a leaf.</returns>
    public IReadOnlyList<Span> GetChildren(Span span)
    {
        ArgumentNullException.ThrowIfNull(span);
        return _children.TryGetValue(span.Context.SpanId, out var children) ? children : NoSpans;
    }

    /// <summary>Returns how many ancestors of <paramref name="span"/> are in this trace: 0 for a root.</summary>
    /// <param name="span">A span of this trace.</param>
    /// <returns>The depth.</returns>
    public int GetDepth(Span span)
    {
        var depth = 0;
        for (var parent = GetParent(span); parent is not null && depth <= _spans.Count; parent = GetParent(parent))
        {
            depth++;
        }

        return depth;
    }

    /// <summary>Draws the trace: a header line, then one line per span, indented under its parent.</summary>
    /// <returns>For example <c>GET /orders/{id}  [foo-service, Server, 12.3 ms]</c> with its children below it.</returns>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"trace {TraceId}: {_spans.Count} span(s), ");
        text.Append(IsWhole ? "whole" : $"{_roots.Count} roots (split)");
        if (HasExternalParent)
        {
            text.Append(CultureInfo.InvariantCulture, $", root's parent {_roots[0].ParentSpanId} is external");
        }

        foreach (var root in _roots)
        {
            Draw(text, root, 1);
        }

        return text.ToString();
    }

    /// <summary>One line: the span, its service, kind and duration; then its children.</summary>
    private void Draw(StringBuilder text, Span span, int depth)
    {
        text.AppendLine().Append(' ', depth * 2);
        text.Append(CultureInfo.InvariantCulture, $"{span.Name}  [{span.Resource?.ServiceName ?? "?"}, {span.Kind}, {span.Duration.TotalMilliseconds:0.0} ms]");
        if (depth > _spans.Count)
        {
            return;
        }

        foreach (var child in GetChildren(span))
        {
            Draw(text, child, depth + 1);
        }
    }
}
