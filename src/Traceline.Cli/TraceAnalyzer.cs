using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>
/// Merges spans from every input by trace id and says, for each trace, whether it is whole; split (a parent id that no
/// service recorded, and whose client span is missing); one of two traces that should be one (a callee started a new
/// trace while a client span waited: the header did not arrive, or an untrusted boundary linked it); or skewed.
/// </summary>
internal static class TraceAnalyzer
{
    /// <summary>How far a child may start before (or end after) its parent in another service before it is called skew.</summary>
    internal const long SkewToleranceNanos = 1_000_000;

    /// <summary>Diagnoses each of <paramref name="traces"/> (lists of one trace's spans, none empty).</summary>
    /// <param name="traces">The traces to diagnose; their lists are sorted by start time.</param>
    /// <param name="context">Other traces read (follow mode: those waiting, and those printed lately) whose spans a
    /// diagnosis may name, for links and for clients whose callee started a new trace; not diagnosed themselves.</param>
    public static List<TraceDiagnosis> Analyze(IReadOnlyCollection<List<TraceSpan>> traces, IReadOnlyCollection<List<TraceSpan>>? context = null)
    {
        var result = new List<TraceDiagnosis>(traces.Count);
        var bySpan = new Dictionary<(TraceId, SpanId), TraceSpan>();
        var hasChild = new HashSet<TraceSpan>(ReferenceEqualityComparer.Instance);
        var leafClients = new List<TraceSpan>();
        IReadOnlyCollection<List<TraceSpan>>[] all = context is null ? [traces] : [traces, context];
        foreach (var group in all)
        {
            foreach (var spans in group)
            {
                foreach (var span in spans)
                {
                    bySpan.TryAdd((span.TraceId, span.SpanId), span);
                }
            }
        }

        foreach (var group in all)
        {
            foreach (var spans in group)
            {
                foreach (var span in spans)
                {
                    if (span.ParentSpanId.IsValid && bySpan.TryGetValue((span.TraceId, span.ParentSpanId), out var parent))
                    {
                        hasChild.Add(parent);
                    }
                }
            }
        }

        foreach (var group in all)
        {
            foreach (var spans in group)
            {
                foreach (var span in spans)
                {
                    if (span.Kind is SpanKind.Client or SpanKind.Producer && !hasChild.Contains(span))
                    {
                        leafClients.Add(span);
                    }
                }
            }
        }

        leafClients.Sort(static (a, b) => a.StartUnixNanos.CompareTo(b.StartUnixNanos));

        foreach (var spans in traces)
        {
            var traceId = spans[0].TraceId;
            spans.Sort(static (a, b) => a.StartUnixNanos.CompareTo(b.StartUnixNanos));
            var diagnosis = new TraceDiagnosis { TraceId = traceId, Spans = spans };
            TraceSpan? head = null;
            foreach (var span in spans)
            {
                if (span.ParentSpanId.IsValid && bySpan.TryGetValue((traceId, span.ParentSpanId), out var parent))
                {
                    CheckSkew(diagnosis, span, parent);
                    continue;
                }

                if (head is null)
                {
                    head = span; // the earliest span without a recorded parent: the trace's root
                    continue;
                }

                if (!span.ParentSpanId.IsValid)
                {
                    diagnosis.Problems.Add($"a second root: {span.Service} {span.Name} has no parent in a trace that already began");
                    diagnosis.Notes[span] = "!! second root";
                    continue;
                }

                var caller = FindCaller(spans, span);
                var callerName = caller is null ? "the caller" : caller.Service;
                var where = caller is null ? string.Empty : $" (it was in {caller.Name})";
                diagnosis.Problems.Add(
                    $"split: {span.Service} {span.Name} names parent {span.ParentSpanId}, which no service recorded; {callerName}'s client span is missing{where}"
                    + ": likely an HttpClient without the tracing handler (the runtime's own traceparent arrived), or a proxy that forwards with a traceparent of its own");
                diagnosis.Notes[span] = $"!! parent {span.ParentSpanId} not recorded by any service";
            }

            if (head is not null && head.ParentSpanId.IsValid)
            {
                diagnosis.HasExternalParent = true;
                diagnosis.RootParent = head.ParentSpanId;
            }
            else if (head is not null && head.Kind is SpanKind.Server or SpanKind.Consumer)
            {
                CheckNewTrace(diagnosis, head, bySpan, leafClients);
            }

            result.Add(diagnosis);
        }

        result.Sort(static (a, b) => a.Spans[0].StartUnixNanos.CompareTo(b.Spans[0].StartUnixNanos));
        return result;
    }

    /// <summary>A new trace's server root: did a client in another trace call it (a header lost, or an untrusted boundary)?</summary>
    private static void CheckNewTrace(TraceDiagnosis diagnosis, TraceSpan head, Dictionary<(TraceId, SpanId), TraceSpan> bySpan, List<TraceSpan> leafClients)
    {
        if (head.Link.TraceId.IsValid && head.Link.TraceId != head.TraceId && bySpan.TryGetValue((head.Link.TraceId, head.Link.SpanId), out var linked))
        {
            diagnosis.Problems.Add($"two traces that should be one: {head.Service} started this trace at an untrusted boundary and linked the caller, {linked.Service} {linked.Name} in trace {linked.TraceId} (trust the caller with TracingMiddlewareOptions.TrustInboundContext if it is yours)");
            diagnosis.Notes[head] = "!! new trace at an untrusted boundary";
            return;
        }

        // The client spans that started before the head, latest first; one whose time holds the head's start called it.
        var index = UpperBound(leafClients, head.StartUnixNanos);
        for (var i = index - 1; i >= 0 && i >= index - 256; i--)
        {
            var client = leafClients[i];
            if (client.TraceId != head.TraceId && client.Service != head.Service && client.EndUnixNanos + SkewToleranceNanos >= head.EndUnixNanos)
            {
                diagnosis.Problems.Add($"two traces that should be one: {head.Service} started this trace while {client.Service}'s client span {client.Name} (trace {client.TraceId}, span {client.SpanId}) waited for it: the traceparent header did not arrive (a proxy dropping it, or a client that does not send it)");
                diagnosis.Notes[head] = "!! no traceparent arrived";
                return;
            }
        }
    }

    private static int UpperBound(List<TraceSpan> spans, long start)
    {
        int low = 0, high = spans.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (spans[mid].StartUnixNanos <= start)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }

    private static TraceSpan? FindCaller(List<TraceSpan> spans, TraceSpan orphan)
    {
        TraceSpan? best = null;
        foreach (var span in spans)
        {
            if (span.Service != orphan.Service && span.StartUnixNanos <= orphan.StartUnixNanos && span.EndUnixNanos >= orphan.EndUnixNanos
                && (best is null || span.StartUnixNanos >= best.StartUnixNanos))
            {
                best = span;
            }
        }

        return best;
    }

    private static void CheckSkew(TraceDiagnosis diagnosis, TraceSpan child, TraceSpan parent)
    {
        if (child.Service == parent.Service)
        {
            return; // in one process a child may outlive its parent (fire and forget): not a clock's fault
        }

        var early = parent.StartUnixNanos - child.StartUnixNanos;
        var late = child.EndUnixNanos - parent.EndUnixNanos;
        if (early > SkewToleranceNanos || late > SkewToleranceNanos)
        {
            var by = Math.Max(early, late);
            diagnosis.Warnings.Add($"clock skew: {child.Service} {child.Name} {(early > late ? "starts before" : "ends after")} its parent in {parent.Service} by {TraceTreeWriter.FormatDuration(by)}: the two machines' clocks differ");
            diagnosis.Notes[child] = "~ outside its parent's time (clock skew)";
        }
    }
}
