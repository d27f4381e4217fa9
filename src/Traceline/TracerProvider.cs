using System.Collections.Concurrent;
using Traceline.Export;
using Traceline.Propagation;
using Traceline.Sampling;

namespace Traceline;

/// <summary>
/// Owns everything spans need: the resource, the sampler, span limits, the propagator and the processors that
/// export ended spans. One per application.
/// </summary>
/// <remarks>
/// <para>
/// With dependency injection, <c>services.AddTracing(...)</c> builds it and the host flushes and shuts it down on stop.
/// Without, create it with <see cref="Create"/>, keep it for the life of the process, and dispose it at the end: that
/// exports every span that has ended.
/// </para>
/// <para>Thread-safe. After <see cref="Shutdown(TimeSpan)"/>, new spans are non-recording (they still propagate).</para>
/// </remarks>
public sealed class TracerProvider : IDisposable
{
    private static readonly TimeSpan DefaultDisposeTimeout = TimeSpan.FromSeconds(5);

    private readonly SpanProcessor[] _processors;
    private readonly ConcurrentDictionary<(string Name, string? Version), Tracer> _tracers = new();
    private int _shutdown;
    private int _disposed;

    internal TracerProvider(
        Resource resource,
        Sampler sampler,
        TextMapPropagator propagator,
        ResolvedSpanLimits limits,
        SpanProcessor[] processors,
        SpanClock clock,
        TracelineDiagnostics diagnostics,
        bool enabled,
        SourceFilter? sources = null,
        bool allHttpClients = false)
    {
        Resource = resource;
        Sampler = enabled ? sampler : Sampler.AlwaysOff;
        Propagator = propagator;
        Limits = limits;
        _processors = processors;
        Clock = clock;
        Diagnostics = diagnostics;
        IsEnabled = enabled;
        foreach (var processor in processors)
        {
            HasStartProcessors |= processor is not (BatchSpanProcessor or SimpleSpanProcessor);
        }

        // Span storage is reused only when nothing can still hold it after an export: one built-in processor whose
        // exporter promises to keep nothing. Anything else (several processors, a custom one, an exporter that keeps
        // spans such as InMemorySpanExporter) leaves each span's storage to the garbage collector.
        if (processors is [BatchSpanProcessor or SimpleSpanProcessor] && processors[0].Exporter is { ReleasesSpansAfterExport: true })
        {
            // A batch processor holds up to its queue plus a batch; a simple one hands each span back as it ends, so a
            // few per concurrently ending thread suffice.
            Pool = new SpanDataPool(processors[0] is BatchSpanProcessor batch ? batch.QueueCapacity : 64);
        }

        // Last: the listener calls back at once, from any thread, for every source that exists.
        if (enabled && sources is { IsEmpty: false })
        {
            Capture = new ActivityCapture(this, sources);
        }

        HttpClients = HttpClientCapture.Start(this, allHttpClients);
    }

    /// <summary>Creates a provider from code, the <c>OTEL_*</c> environment variables and the defaults, in that order of precedence.</summary>
    /// <param name="configure">Names the service, exporters, sampler and so on; <see langword="null"/> for the defaults (stdout).</param>
    /// <returns>The provider. Dispose it when the application ends.</returns>
    public static TracerProvider Create(Action<TracingBuilder>? configure = null)
    {
        var builder = new TracingBuilder();
        configure?.Invoke(builder);
        return builder.Build(SettingsSource.FromProcessEnvironment(TracelineDiagnostics.Default));
    }

    /// <summary>Gets the resource shared by every span.</summary>
    public Resource Resource { get; }

    /// <summary>Gets the sampler.</summary>
    public Sampler Sampler { get; }

    /// <summary>Gets the propagator the middleware and the HttpClient handler use.</summary>
    public TextMapPropagator Propagator { get; }

    /// <summary>Gets whether tracing is on (off with <c>OTEL_SDK_DISABLED=true</c> or <c>Enable(false)</c>).</summary>
    public bool IsEnabled { get; }

    /// <summary>Gets the processors, in the order spans reach them.</summary>
    internal IReadOnlyList<SpanProcessor> Processors => _processors;

    internal ResolvedSpanLimits Limits { get; }

    /// <summary>Gets whether a processor wants <see cref="SpanProcessor.OnStart"/> (the built-in ones do not).</summary>
    internal bool HasStartProcessors { get; }

    /// <summary>Gets the pool that reuses the storage of exported spans, or <see langword="null"/> when spans are not pooled.</summary>
    internal SpanDataPool? Pool { get; }

    internal SpanClock Clock { get; }

    /// <summary>Gets the listener that captures the listed ActivitySources, or <see langword="null"/> when none is listed.</summary>
    internal ActivityCapture? Capture { get; }

    /// <summary>Gets the tracing of every HttpClient's calls (see <see cref="HttpClientCapture"/>).</summary>
    internal HttpClientCapture HttpClients { get; }

    internal TracelineDiagnostics Diagnostics { get; }

    internal bool IsShutdown => Volatile.Read(ref _shutdown) != 0;

    /// <summary>Returns the tracer for an instrumentation scope; the same instance for the same name and version.</summary>
    /// <param name="name">The scope name: the library or component, for example <c>MyApp.Billing</c>.</param>
    /// <param name="version">The scope version, or <see langword="null"/>.</param>
    /// <returns>The tracer.</returns>
    public Tracer GetTracer(string name, string? version = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _tracers.GetOrAdd((name, version), static (key, provider) => new Tracer(provider, new InstrumentationScope(key.Name, key.Version)), this);
    }

    /// <summary>Exports every span that has ended so far, waiting without limit.</summary>
    /// <returns><see langword="true"/> when every processor finished.</returns>
    public bool ForceFlush() => ForceFlush(Timeout.InfiniteTimeSpan);

    /// <summary>Exports every span that has ended so far.</summary>
    /// <param name="timeout">How long to wait in all; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <returns><see langword="true"/> when every processor finished within <paramref name="timeout"/>.</returns>
    public bool ForceFlush(TimeSpan timeout)
    {
        var deadline = Deadline.Start(timeout);
        var ok = true;
        foreach (var processor in _processors)
        {
            ok &= Guard(processor, p => p.ForceFlush(deadline.Remaining), "ForceFlush");
        }

        return ok;
    }

    /// <summary>Exports every span that has ended and stops, waiting without limit. Idempotent.</summary>
    /// <returns><see langword="true"/> when every processor finished.</returns>
    public bool Shutdown() => Shutdown(Timeout.InfiniteTimeSpan);

    /// <summary>Exports every span that has ended and stops; later spans are non-recording. Idempotent: a second call returns <see langword="true"/> at once.</summary>
    /// <param name="timeout">How long to wait in all; <see cref="Timeout.InfiniteTimeSpan"/> waits without limit.</param>
    /// <returns><see langword="true"/> when every processor finished within <paramref name="timeout"/>.</returns>
    public bool Shutdown(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _shutdown, 1) != 0)
        {
            return true;
        }

        Capture?.Dispose(); // Activities of the listed sources are left alone from now on
        HttpClients.Dispose(); // and HttpClient's calls get the runtime's own headers again once no provider is left
        var deadline = Deadline.Start(timeout);
        var ok = true;
        foreach (var processor in _processors)
        {
            ok &= Guard(processor, p => p.Shutdown(deadline.Remaining), "Shutdown");
        }

        return ok;
    }

    /// <summary>Shuts down (waiting up to 5 seconds) and releases the processors.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        Shutdown(DefaultDisposeTimeout);
        foreach (var processor in _processors)
        {
            Guard(processor, p =>
            {
                p.Dispose();
                return true;
            }, "Dispose");
        }
    }

    internal void OnStart(Span span)
    {
        foreach (var processor in _processors)
        {
            try
            {
                processor.OnStart(span);
            }
            catch (Exception ex) // A processor's exception must never reach the app.
            {
                Diagnostics.CallbackFailed(processor.GetType().Name + ".OnStart", ex);
            }
        }
    }

    internal void OnEnd(Span span)
    {
        foreach (var processor in _processors)
        {
            try
            {
                processor.OnEnd(span);
            }
            catch (Exception ex) // A processor's exception must never reach the app.
            {
                Diagnostics.CallbackFailed(processor.GetType().Name + ".OnEnd", ex);
            }
        }
    }

    private bool Guard(SpanProcessor processor, Func<SpanProcessor, bool> action, string operation)
    {
        try
        {
            return action(processor);
        }
        catch (Exception ex)
        {
            Diagnostics.CallbackFailed(processor.GetType().Name + "." + operation, ex);
            return false;
        }
    }
}
