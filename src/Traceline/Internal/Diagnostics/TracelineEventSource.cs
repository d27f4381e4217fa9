using System.Diagnostics.Tracing;

namespace Traceline;

/// <summary>
/// Traceline's own diagnostics, readable with <c>dotnet-trace</c> or <c>dotnet-counters</c> under the provider name
/// <c>Traceline</c>. Event ids are stable: tools and dashboards may rely on them.
/// </summary>
[EventSource(Name = "Traceline")]
internal sealed class TracelineEventSource : EventSource
{
    public static readonly TracelineEventSource Log = new();

    private TracelineEventSource()
    {
    }

    [Event(EventIds.ExportFailed, Level = EventLevel.Warning, Message = "Exporter {0} failed to export {1} span(s): {2}")]
    public void ExportFailed(string exporter, int spanCount, string reason) => WriteEvent(EventIds.ExportFailed, exporter, spanCount, reason);

    [Event(EventIds.SpansDropped, Level = EventLevel.Warning, Message = "{0} dropped {1} span(s) since the last report ({2} in all): {3}")]
    public void SpansDropped(string component, long sinceLastReport, long total, string reason) =>
        WriteEvent(EventIds.SpansDropped, component, sinceLastReport, total, reason);

    [Event(EventIds.InvalidConfiguration, Level = EventLevel.Warning, Message = "Configuration {0} has the invalid value '{1}'; using {2}. {3}")]
    public void InvalidConfiguration(string key, string value, string fallback, string expected) =>
        WriteEvent(EventIds.InvalidConfiguration, key, value, fallback, expected);

    [Event(EventIds.CallbackFailed, Level = EventLevel.Error, Message = "{0} threw and was ignored: {1}")]
    public void CallbackFailed(string component, string error) => WriteEvent(EventIds.CallbackFailed, component, error);

    [Event(EventIds.ExportPartiallyRejected, Level = EventLevel.Warning, Message = "Exporter {0}: the receiver rejected {1} span(s): {2}")]
    public void ExportPartiallyRejected(string exporter, long rejected, string message) =>
        WriteEvent(EventIds.ExportPartiallyRejected, exporter, rejected, message);

    [Event(EventIds.ExportRetrying, Level = EventLevel.Informational, Message = "Exporter {0}: attempt {1} failed ({2}); retrying in {3} ms")]
    public void ExportRetrying(string exporter, int attempt, string reason, long delayMilliseconds) =>
        WriteEvent(EventIds.ExportRetrying, exporter, attempt, reason, delayMilliseconds);

    [Event(EventIds.ShutdownTimedOut, Level = EventLevel.Warning, Message = "{0} did not finish within {1} ms")]
    public void TimedOut(string operation, long timeoutMilliseconds) => WriteEvent(EventIds.ShutdownTimedOut, operation, timeoutMilliseconds);

    internal static class EventIds
    {
        public const int ExportFailed = 1;
        public const int SpansDropped = 2;
        public const int InvalidConfiguration = 3;
        public const int CallbackFailed = 4;
        public const int ExportPartiallyRejected = 5;
        public const int ExportRetrying = 6;
        public const int ShutdownTimedOut = 7;
    }
}
