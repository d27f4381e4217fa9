using System.Diagnostics.Tracing;
using Microsoft.Extensions.Logging;
using Traceline.Export;

namespace Traceline.Tests;

/// <summary>Builds providers for tests from code plus a fake environment: tests never touch the process environment.</summary>
internal static class TestProviders
{
    public static TracerProvider Create(Action<TracingBuilder>? configure = null, IDictionary<string, string>? environment = null, IDictionary<string, string>? configuration = null, ILoggerFactory? loggerFactory = null)
    {
        var builder = new TracingBuilder();
        configure?.Invoke(builder);
        if (loggerFactory is not null)
        {
            builder.WithLoggerFactory(loggerFactory);
        }

        var env = environment ?? new Dictionary<string, string>();
        // Tests share a process: a provider tracing every HttpClient would take other tests' calls as its root client
        // spans, so these providers trace only the handler's clients unless a test says otherwise.
        Func<string, string?> config = key => configuration is not null && configuration.TryGetValue(key, out var v) ? v
            : key == TracingSettings.AllHttpClientsKey ? "false" : null;
        return builder.Build(new SettingsSource(config, key => env.TryGetValue(key, out var v) ? v : null, TracelineDiagnostics.Default));
    }

    public static (TracerProvider Provider, InMemorySpanExporter Exporter) CreateInMemory(Action<TracingBuilder>? configure = null, IDictionary<string, string>? environment = null)
    {
        var exporter = new InMemorySpanExporter();
        var provider = Create(b =>
        {
            b.UseInMemoryExporter(exporter);
            configure?.Invoke(b);
        }, environment);
        return (provider, exporter);
    }
}

/// <summary>Captures events of the Traceline EventSource.</summary>
internal sealed class TracelineEventListener : EventListener
{
    private readonly List<EventWrittenEventArgs> _events = [];

    public IReadOnlyList<EventWrittenEventArgs> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Traceline")
        {
            EnableEvents(eventSource, EventLevel.Verbose);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        lock (_events)
        {
            _events.Add(eventData);
        }
    }
}

/// <summary>A logger provider that keeps every line, for asserting on Traceline's diagnostics.</summary>
internal sealed class CapturingLoggerProvider : ILoggerProvider, ILoggerFactory
{
    private readonly List<(string Category, LogLevel Level, EventId EventId, string Message)> _lines = [];

    public IReadOnlyList<(string Category, LogLevel Level, EventId EventId, string Message)> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    private sealed class Logger(CapturingLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._lines)
            {
                owner._lines.Add((category, logLevel, eventId, formatter(state, exception)));
            }
        }
    }
}

/// <summary>An exporter whose behaviour a test chooses: count, throw, or hang until released.</summary>
internal sealed class ControllableExporter : SpanExporter
{
    private readonly object _lock = new();
    private readonly List<Span> _spans = [];

    private int _inFlight;
    private int _maxInFlight;

    public Func<ReadOnlyMemory<Span>, CancellationToken, ValueTask<ExportResult>>? Behaviour { get; set; }

    /// <summary>Gets or sets how many exports this exporter says it takes at once (the processor's slots).</summary>
    public int Concurrency { get; set; } = 1;

    public int ExportCalls;
    public int ShutdownCalls;
    public int CompletedCalls;

    /// <summary>Gets how many exports had completed when <see cref="ShutdownAsync"/> was called (-1 before).</summary>
    public int CompletedAtShutdown { get; private set; } = -1;

    /// <summary>Gets the most exports that were running at the same moment.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    internal override int MaxConcurrentExports => Concurrency;

    public IReadOnlyList<Span> Spans
    {
        get
        {
            lock (_lock)
            {
                return [.. _spans];
            }
        }
    }

    public override async ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref ExportCalls);
        var running = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); running > max; max = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, running, max);
        }

        try
        {
            if (Behaviour is { } behaviour)
            {
                var result = await behaviour(batch, cancellationToken);
                if (result != ExportResult.Success)
                {
                    return result;
                }
            }

            lock (_lock)
            {
                _spans.AddRange(batch.Span);
            }

            return ExportResult.Success;
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref CompletedCalls);
        }
    }

    public override ValueTask ShutdownAsync(CancellationToken cancellationToken)
    {
        CompletedAtShutdown = Volatile.Read(ref CompletedCalls);
        Interlocked.Increment(ref ShutdownCalls);
        return ValueTask.CompletedTask;
    }
}

internal static class Wait
{
    /// <summary>Polls a condition until it holds or the timeout passes; no fixed sleep decides a test.</summary>
    public static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTimeOffset.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(5);
        }

        return true;
    }
}
