using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Text;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>
/// Samples the server's allocations by type from the runtime's GCAllocationTick events (one event per ~100 KB
/// allocated, naming the type that crossed the mark), so over many requests the share of each type is its share of the
/// bytes. Only with <c>--alloc-profile</c>: listening costs time, so figures of such a run are not the benchmark's.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;

    private readonly ConcurrentDictionary<string, long> _bytesByType = new(StringComparer.Ordinal);

    /// <summary>Returns <c>type=bytes</c> lines, largest first, and starts counting afresh.</summary>
    public string TakeReport()
    {
        var builder = new StringBuilder();
        foreach (var (type, bytes) in _bytesByType.OrderByDescending(p => p.Value))
        {
            builder.Append(type).Append('=').Append(bytes.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }

        _bytesByType.Clear();
        return builder.ToString();
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventName?.StartsWith("GCAllocationTick", StringComparison.Ordinal) != true || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        var type = "?";
        long amount = 0;
        for (var i = 0; i < eventData.PayloadNames.Count; i++)
        {
            switch (eventData.PayloadNames[i])
            {
                case "TypeName":
                    type = eventData.Payload[i] as string ?? "?";
                    break;
                case "AllocationAmount64":
                    amount = Convert.ToInt64(eventData.Payload[i], CultureInfo.InvariantCulture);
                    break;
                case "AllocationAmount" when amount == 0:
                    amount = Convert.ToInt64(eventData.Payload[i], CultureInfo.InvariantCulture);
                    break;
            }
        }

        _bytesByType.AddOrUpdate(type, amount, (_, total) => total + amount);
    }
}
