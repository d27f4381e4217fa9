using System.Globalization;
using Traceline.Internal.Tree;

namespace Traceline.Cli;

/// <summary>What is wrong with one trace (or nothing), in words, with the spans the words are about.</summary>
internal sealed class TraceDiagnosis
{
    public required TraceId TraceId { get; init; }

    public required List<TraceSpan> Spans { get; init; }

    public bool IsBroken => Problems.Count > 0;

    public bool HasExternalParent { get; set; }

    public List<string> Problems { get; } = [];

    public List<string> Warnings { get; } = [];

    public Dictionary<TraceSpan, string> Notes { get; } = new(ReferenceEqualityComparer.Instance);

    public long DurationNanos
    {
        get
        {
            long start = long.MaxValue, end = long.MinValue;
            foreach (var span in Spans)
            {
                start = Math.Min(start, span.StartUnixNanos);
                end = Math.Max(end, span.EndUnixNanos);
            }

            return Math.Max(0, end - start);
        }
    }

    public string Summary => IsBroken
        ? "BROKEN: " + string.Join("; ", Problems)
        : HasExternalParent
            ? string.Create(CultureInfo.InvariantCulture, $"whole, root's parent {RootParent} is external (from a caller outside these logs)")
            : "whole: one root, every parent recorded";

    public SpanId RootParent { get; set; }
}
