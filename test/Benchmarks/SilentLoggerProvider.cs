using Microsoft.Extensions.Logging;

namespace Traceline.Benchmarks;

/// <summary>
/// Loggers enabled from Information up that write nothing: an app with logging on, as most deployed apps are (ASP.NET
/// Core then starts an Activity per request even with no listener), without the cost of writing anywhere.
/// </summary>
internal sealed class SilentLoggerProvider : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => SilentLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class SilentLogger : ILogger
    {
        public static readonly SilentLogger Instance = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
        }
    }
}
