using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Traceline.Tests.Otlp;

/// <summary>A hand-written logger factory that keeps every message, to assert on Traceline's diagnostics.</summary>
internal sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
{
    private readonly ConcurrentQueue<(string EventName, string Message)> _entries = new();

    public IReadOnlyList<(string EventName, string Message)> Entries => [.. _entries];

    public IEnumerable<string> Messages(string eventName) => Entries.Where(e => e.EventName == eventName).Select(e => e.Message);

    public string AllText => string.Join("\n", Entries.Select(e => e.EventName + ": " + e.Message));

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((eventId.Name ?? string.Empty, formatter(state, exception)));
}
