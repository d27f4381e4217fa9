using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Traceline;

/// <summary>
/// Reports problems inside tracing to the <c>Traceline</c> EventSource and, when the app has logging, to an
/// <see cref="ILogger"/>. Repeated run-time problems (failed exports, drops, throwing callbacks) are reported at most
/// once per interval for each kind and component, so a dead collector cannot flood the log and cannot hide another
/// component's first failure either; configuration problems are reported every time (once per start).
/// </summary>
internal sealed partial class TracelineDiagnostics
{
    internal static readonly TimeSpan DefaultReportInterval = TimeSpan.FromSeconds(10);

    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly long _intervalTicks;
    private const int MaxTrackedComponents = 64;

    private readonly long[] _lastReport = new long[8]; // per kind: components past MaxTrackedComponents share these
    private readonly ConcurrentDictionary<(int EventId, string Component), StrongBox<long>> _lastReportByComponent = new();

    public TracelineDiagnostics(ILoggerFactory? loggerFactory, TimeProvider? time = null, TimeSpan? reportInterval = null)
    {
        _logger = loggerFactory?.CreateLogger("Traceline") ?? NullLogger.Instance;
        _time = time ?? TimeProvider.System;
        var interval = reportInterval ?? DefaultReportInterval;
        _intervalTicks = (long)(interval.TotalSeconds * _time.TimestampFrequency);
        for (var i = 0; i < _lastReport.Length; i++)
        {
            _lastReport[i] = long.MinValue;
        }
    }

    /// <summary>Diagnostics with no logger: the EventSource only.</summary>
    public static TracelineDiagnostics Default { get; } = new(null);

    public void ExportFailed(string exporter, int spanCount, string reason)
    {
        if (Due(TracelineEventSource.EventIds.ExportFailed, exporter))
        {
            TracelineEventSource.Log.ExportFailed(exporter, spanCount, reason);
            LogExportFailed(_logger, exporter, spanCount, reason);
        }
    }

    /// <summary>Reports a failed export without the interval limit: the caller reports each cause once (TLS failures).</summary>
    public void ExportFailedOnce(string exporter, int spanCount, string reason)
    {
        TracelineEventSource.Log.ExportFailed(exporter, spanCount, reason);
        LogExportFailed(_logger, exporter, spanCount, reason);
    }

    public void SpansDropped(string component, long sinceLastReport, long total, string reason)
    {
        TracelineEventSource.Log.SpansDropped(component, sinceLastReport, total, reason);
        LogSpansDropped(_logger, component, sinceLastReport, total, reason);
    }

    /// <summary>Whether a drop report is due now (callers accumulate counts between reports).</summary>
    public bool DropReportDue(string component) => Due(TracelineEventSource.EventIds.SpansDropped, component);

    public void InvalidConfiguration(string key, string value, string fallback, string expected)
    {
        TracelineEventSource.Log.InvalidConfiguration(key, value, fallback, expected);
        LogInvalidConfiguration(_logger, key, value, fallback, expected);
    }

    public void CallbackFailed(string component, Exception exception)
    {
        if (Due(TracelineEventSource.EventIds.CallbackFailed, component))
        {
            TracelineEventSource.Log.CallbackFailed(component, exception.GetType().FullName + ": " + exception.Message);
            LogCallbackFailed(_logger, component, exception);
        }
    }

    public void ExportPartiallyRejected(string exporter, long rejected, string message)
    {
        if (Due(TracelineEventSource.EventIds.ExportPartiallyRejected, exporter))
        {
            TracelineEventSource.Log.ExportPartiallyRejected(exporter, rejected, message);
            LogExportPartiallyRejected(_logger, exporter, rejected, message);
        }
    }

    public void ExportRetrying(string exporter, int attempt, string reason, TimeSpan delay)
    {
        TracelineEventSource.Log.ExportRetrying(exporter, attempt, reason, (long)delay.TotalMilliseconds);
        LogExportRetrying(_logger, exporter, attempt, reason, (long)delay.TotalMilliseconds);
    }

    public void TimedOut(string operation, TimeSpan timeout)
    {
        TracelineEventSource.Log.TimedOut(operation, (long)timeout.TotalMilliseconds);
        LogTimedOut(_logger, operation, (long)timeout.TotalMilliseconds);
    }

    private bool Due(int eventId, string component)
    {
        if (!_lastReportByComponent.TryGetValue((eventId, component), out var box))
        {
            if (_lastReportByComponent.Count >= MaxTrackedComponents)
            {
                return Due(ref _lastReport[eventId]); // bounded memory, whatever names components get
            }

            box = _lastReportByComponent.GetOrAdd((eventId, component), static _ => new StrongBox<long>(long.MinValue));
        }

        return Due(ref box.Value);
    }

    private bool Due(ref long last)
    {
        var now = _time.GetTimestamp();
        var previous = Volatile.Read(ref last);
        if (previous != long.MinValue && now - previous < _intervalTicks)
        {
            return false;
        }

        return Interlocked.CompareExchange(ref last, now, previous) == previous;
    }

    [LoggerMessage(EventId = TracelineEventSource.EventIds.ExportFailed, EventName = "ExportFailed", Level = LogLevel.Warning,
        Message = "Exporter {Exporter} failed to export {SpanCount} span(s): {Reason}")]
    private static partial void LogExportFailed(ILogger logger, string exporter, int spanCount, string reason);

    [LoggerMessage(EventId = TracelineEventSource.EventIds.SpansDropped, EventName = "SpansDropped", Level = LogLevel.Warning,
        Message = "{Component} dropped {SinceLastReport} span(s) since the last report ({Total} in all): {Reason}")]
    private static partial void LogSpansDropped(ILogger logger, string component, long sinceLastReport, long total, string reason);

    [LoggerMessage(EventId = TracelineEventSource.EventIds.InvalidConfiguration, EventName = "InvalidConfiguration", Level = LogLevel.Warning,
        Message = "Configuration {Key} has the invalid value '{Value}'; using {Fallback}. {Expected}")]
    private static partial void LogInvalidConfiguration(ILogger logger, string key, string value, string fallback, string expected);

    [LoggerMessage(EventId = TracelineEventSource.EventIds.CallbackFailed, EventName = "CallbackFailed", Level = LogLevel.Error,
        Message = "{Component} threw and was ignored")]
    private static partial void LogCallbackFailed(ILogger logger, string component, Exception exception);

    [LoggerMessage(EventId = TracelineEventSource.EventIds.ExportPartiallyRejected, EventName = "ExportPartiallyRejected", Level = LogLevel.Warning,
        Message = "Exporter {Exporter}: the receiver rejected {Rejected} span(s): {ReceiverMessage}")]
    private static partial void LogExportPartiallyRejected(ILogger logger, string exporter, long rejected, string receiverMessage);

    [LoggerMessage(EventId = TracelineEventSource.EventIds.ExportRetrying, EventName = "ExportRetrying", Level = LogLevel.Debug,
        Message = "Exporter {Exporter}: attempt {Attempt} failed ({Reason}); retrying in {DelayMilliseconds} ms")]
    private static partial void LogExportRetrying(ILogger logger, string exporter, int attempt, string reason, long delayMilliseconds);

    [LoggerMessage(EventId = TracelineEventSource.EventIds.ShutdownTimedOut, EventName = "TimedOut", Level = LogLevel.Warning,
        Message = "{Operation} did not finish within {TimeoutMilliseconds} ms")]
    private static partial void LogTimedOut(ILogger logger, string operation, long timeoutMilliseconds);
}
