using System.Diagnostics;
using Traceline.Sampling;

namespace Traceline;

/// <summary>Starts spans for one instrumentation scope (a library, a component, or the app itself).</summary>
/// <remarks>
/// Get one from <see cref="TracerProvider.GetTracer"/>, or inject it where <c>AddTracing</c> registered it (its
/// scope is then the service name). Thread-safe; keep and reuse it.
/// </remarks>
public sealed class Tracer
{
    internal Tracer(TracerProvider provider, InstrumentationScope scope)
    {
        Provider = provider;
        Scope = scope;
        Limits = provider.Limits;
        Clock = provider.Clock;
    }

    /// <summary>Gets the tracer's name (the instrumentation scope name).</summary>
    public string Name => Scope.Name;

    /// <summary>Gets the tracer's version, or <see langword="null"/>.</summary>
    public string? Version => Scope.Version;

    /// <summary>Gets the instrumentation scope.</summary>
    public InstrumentationScope Scope { get; }

    internal TracerProvider Provider { get; }

    internal ResolvedSpanLimits Limits { get; }

    internal SpanClock Clock { get; }

    /// <summary>
    /// Starts a span as a child of the current span (<see cref="Span.Current"/>), or as a new root when there is none,
    /// and makes it current until it ends.
    /// </summary>
    /// <param name="name">The span name: low-cardinality, such as <c>load-profile</c> or <c>GET /users/{id}</c>.</param>
    /// <returns>The started span; end it (or dispose it) where it started.</returns>
    public Span StartSpan(string name) => StartSpan(name, SpanKind.Internal);

    /// <summary>
    /// Starts a span of the given kind as a child of the current span, or as a new root when there is none, and makes
    /// it current until it ends.
    /// </summary>
    /// <param name="name">The span name.</param>
    /// <param name="kind">The span kind.</param>
    /// <returns>The started span; end it (or dispose it) where it started.</returns>
    public Span StartSpan(string name, SpanKind kind)
    {
        var current = CurrentSpan.Value;
        var parent = current is null ? default : current.Context;
        return StartSpanCore(name, kind, parent, default, default, null, default, default, current);
    }

    /// <summary>
    /// Starts a span with an explicit parent (for example one extracted from a message), attributes that samplers see,
    /// and links, and makes it current until it ends. An invalid <paramref name="parent"/> starts a new root.
    /// </summary>
    /// <param name="name">The span name.</param>
    /// <param name="kind">The span kind.</param>
    /// <param name="parent">The parent's context; <see langword="default"/> for a new root.</param>
    /// <param name="attributes">Attributes known at start.</param>
    /// <param name="links">Links to other spans.</param>
    /// <param name="startTime">An explicit start time, or <see langword="null"/> for now.</param>
    /// <returns>The started span.</returns>
    public Span StartSpan(
        string name,
        SpanKind kind,
        in SpanContext parent,
        ReadOnlySpan<SpanAttribute> attributes = default,
        ReadOnlySpan<SpanLink> links = default,
        DateTimeOffset? startTime = null) =>
        StartSpanCore(name, kind, parent, attributes, links, startTime, default, default, CurrentSpan.Value);

    /// <summary>Starts a span that begins a new trace, whatever is current, and makes it current until it ends.</summary>
    /// <param name="name">The span name.</param>
    /// <param name="kind">The span kind. Default <see cref="SpanKind.Internal"/>.</param>
    /// <param name="links">Links, for example to the span that caused this new trace.</param>
    /// <returns>The started span.</returns>
    public Span StartRootSpan(string name, SpanKind kind = SpanKind.Internal, ReadOnlySpan<SpanLink> links = default) =>
        StartSpanCore(name, kind, default, default, links, null, default, default, CurrentSpan.Value);

    /// <summary>
    /// The one place spans are born. <paramref name="traceIdOverride"/> and <paramref name="spanIdOverride"/> let the
    /// ASP.NET Core middleware adopt the ids of the hosting Activity, so that logs and traces agree.
    /// <paramref name="previous"/> is the span current in the calling flow (read once by the caller); ending the new
    /// span makes it current again.
    /// </summary>
    internal Span StartSpanCore(
        string name,
        SpanKind kind,
        in SpanContext parent,
        ReadOnlySpan<SpanAttribute> attributes,
        ReadOnlySpan<SpanLink> links,
        DateTimeOffset? startTime,
        TraceId traceIdOverride,
        SpanId spanIdOverride,
        Span? previous)
    {
        name ??= string.Empty;
        var provider = Provider;
        var hasParent = parent.IsValid;

        // Activity.Current follows the span when somebody wants Activities (see ActivityMirror); the span then takes
        // the mirror's ids. A caller that gives ids of its own (the middleware) handles the Activity itself.
        SpanActivity? mirror = null;
        if (!spanIdOverride.IsValid)
        {
            var currentActivity = Activity.Current;
            if (ActivityMirror.IsWanted(provider, currentActivity))
            {
                mirror = ActivityMirror.Start(name, parent, currentActivity);
                spanIdOverride = mirror.MirroredSpanId;
                traceIdOverride = hasParent ? default : ActivityIds.ToTraceId(mirror.TraceId);
            }
        }

        TraceId traceId;
        TraceFlags flags;
        if (hasParent)
        {
            traceId = parent.TraceId;
            flags = parent.TraceFlags & ~TraceFlags.Sampled; // other bits are kept as received
        }
        else if (traceIdOverride.IsValid)
        {
            traceId = traceIdOverride;
            flags = TraceFlags.Random; // the middleware adopts ids .NET generated at random (ActivityTraceId.CreateRandom)
        }
        else
        {
            traceId = TraceId.CreateRandom();
            flags = TraceFlags.Random; // W3C Level 2: we generated every bit of it
        }

        var spanId = spanIdOverride.IsValid ? spanIdOverride : SpanId.CreateRandom();

        var decision = SamplingDecision.Drop;
        SamplingResult result = default;
        if (!provider.IsShutdown && !Tracing.IsSuppressed)
        {
            try
            {
                result = provider.Sampler.ShouldSample(new SamplingParameters(parent, traceId, name, kind, attributes, links));
                decision = result.Decision;
            }
#pragma warning disable CA1031 // A user's sampler must never break the app: treat a throw as Drop.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                provider.Diagnostics.CallbackFailed("Sampler " + provider.Sampler.Description, ex);
            }
        }

        if (decision == SamplingDecision.RecordAndSample)
        {
            flags |= TraceFlags.Sampled;
        }

        var traceState = result.TraceState ?? parent.TraceState;
        var context = new SpanContext(traceId, spanId, flags, traceState, isRemote: false);
        if (mirror is not null)
        {
            ActivityMirror.Complete(mirror, context);
        }

        if (decision == SamplingDecision.Drop)
        {
            // Perf: a non-recording span is a bare handle; it never reads the clock.
            var dropped = new Span(context, null);
            dropped.SetPrevious(previous);
            if (mirror is not null)
            {
                dropped.SetMirror(mirror);
            }

            CurrentSpan.Value = dropped;
            return dropped;
        }

        var data = provider.Pool is { } pool ? pool.Rent() : new SpanData();
        data.Tracer = this;
        data.Name = name;
        data.Kind = (byte)kind;
        data.ParentSpanId = parent.SpanId;
        data.ParentFlags = parent.TraceFlags;
        data.ParentIsRemote = parent.IsRemote;

        var clock = Clock;
        if (startTime is { } explicitStart)
        {
            // The monotonic start is placed where the explicit time falls, so End() measures from it.
            var now = clock.GetTimestamp();
            data.StartUnixNanos = UnixTime.FromDateTimeOffset(explicitStart);
            data.StartTimestamp = now - clock.FromNanos(clock.ToUnixNanos(now) - data.StartUnixNanos);
        }
        else
        {
            var timestamp = clock.GetTimestamp();
            data.StartTimestamp = timestamp;
            data.StartUnixNanos = clock.ToUnixNanos(timestamp);
        }

        if (!attributes.IsEmpty)
        {
            data.Attributes.SetAll(attributes, Limits.AttributeCount, Limits.AttributeValueLength);
        }

        if (!result.Attributes.IsEmpty)
        {
            data.Attributes.SetAll(result.Attributes, Limits.AttributeCount, Limits.AttributeValueLength);
        }

        var span = new Span(context, data);
        if (!links.IsEmpty)
        {
            span.SetStartLinks(links);
        }

        if (provider.HasStartProcessors)
        {
            provider.OnStart(span);
        }

        span.SetPrevious(previous);
        if (mirror is not null)
        {
            span.SetMirror(mirror);
        }

        CurrentSpan.Value = span;
        return span;
    }
}
