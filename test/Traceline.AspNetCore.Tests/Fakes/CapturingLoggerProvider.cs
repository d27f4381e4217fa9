using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Traceline.AspNetCore.Tests.Fakes;

/// <summary>One captured log line: what a real provider would see, scopes included.</summary>
internal sealed record LogRecord(
    string Category,
    LogLevel Level,
    EventId EventId,
    string Message,
    IReadOnlyDictionary<string, object?> ScopeValues,
    string? ActivityTraceId,
    string? ActivitySpanId);

/// <summary>Captures every log line with the values of its scopes (including the Activity ids that logging adds).</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogRecord> _records = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<LogRecord> Records => [.. _records];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => owner._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            owner._scopes.ForEachScope(
                static (scope, dictionary) =>
                {
                    if (scope is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var pair in pairs)
                        {
                            dictionary[pair.Key] = pair.Value;
                        }
                    }
                },
                values);
            var activity = Activity.Current;
            owner._records.Enqueue(new LogRecord(
                category,
                logLevel,
                eventId,
                formatter(state, exception),
                values,
                activity?.TraceId.ToHexString(),
                activity?.SpanId.ToHexString()));
        }
    }
}
