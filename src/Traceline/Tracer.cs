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
        return StartSpanCore(new SpanStartArguments(name, kind, ParentOf(current), current));
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
        StartSpanCore(new SpanStartArguments(name, kind, parent, CurrentSpan.Value) { Attributes = attributes, Links = links, StartTime = startTime });

    /// <summary>Starts a span that begins a new trace, whatever is current, and makes it current until it ends.</summary>
    /// <param name="name">The span name.</param>
    /// <param name="kind">The span kind. Default <see cref="SpanKind.Internal"/>.</param>
    /// <param name="links">Links, for example to the span that caused this new trace.</param>
    /// <returns>The started span.</returns>
    public Span StartRootSpan(string name, SpanKind kind = SpanKind.Internal, ReadOnlySpan<SpanLink> links = default) =>
        StartSpanCore(new SpanStartArguments(name, kind, default, CurrentSpan.Value) { Links = links });

    /// <summary>
    /// The parent of a span started now under <paramref name="current"/>: a captured Activity running inside it (they are
    /// current as <see cref="Activity.Current"/> only), else the current span itself.
    /// </summary>
    internal SpanContext ParentOf(Span? current)
    {
        var parent = current is null ? default : current.Context;
        Provider.Capture?.TryGetCurrentParent(ref parent);
        return parent;
    }

    /// <summary>The one place spans are born: ids, then the sampler's decision, then the span's data.</summary>
    internal Span StartSpanCore(in SpanStartArguments start)
    {
        var name = start.Name ?? string.Empty;
        var kind = start.Kind;
        var parent = start.Parent;
        var attributes = start.Attributes;
        var links = start.Links;
        var provider = Provider;
        var hasParent = parent.IsValid;

        // Activity.Current follows the span when somebody wants Activities (see ActivityMirror); the span then takes
        // the mirror's ids. A caller that gives ids of its own (the middleware) handles the Activity itself.
        var adoptedTraceId = start.AdoptedTraceId;
        var adoptedSpanId = start.AdoptedSpanId;
        SpanActivity? mirror = null;
        if (!adoptedSpanId.IsValid && !start.HidesActivity)
        {
            var currentActivity = Activity.Current;
            if (ActivityMirror.IsWanted(provider, currentActivity))
            {
                mirror = ActivityMirror.Start(name, parent, currentActivity);
                adoptedSpanId = mirror.MirroredSpanId;
                adoptedTraceId = hasParent ? default : ActivityIds.ToTraceId(mirror.TraceId);
            }
        }

        TraceId traceId;
        TraceFlags flags;
        if (hasParent)
        {
            traceId = parent.TraceId;
            flags = parent.TraceFlags & ~TraceFlags.Sampled; // other bits are kept as received
        }
        else if (adoptedTraceId.IsValid)
        {
            traceId = adoptedTraceId;
            flags = TraceFlags.Random; // the middleware adopts ids .NET generated at random (ActivityTraceId.CreateRandom)
        }
        else
        {
            traceId = TraceId.CreateRandom();
            flags = TraceFlags.Random; // W3C Level 2: we generated every bit of it
        }

        var spanId = adoptedSpanId.IsValid ? adoptedSpanId : SpanId.CreateRandom();

        var decision = SamplingDecision.Drop;
        SamplingResult result = default;
        if (!provider.IsShutdown && !Tracing.IsSuppressed)
        {
            try
            {
                result = provider.Sampler.ShouldSample(new SamplingParameters(parent, traceId, name, kind, attributes, links));
                decision = result.Decision;
            }
            catch (Exception ex) // a user's sampler must never break the app: a throw is Drop
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
            dropped.SetPrevious(start.Previous);
            dropped.CoversHttpRequest = start.CoversHttpRequest;
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
        if (start.StartTime is { } explicitStart)
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

        span.SetPrevious(start.Previous);
        span.CoversHttpRequest = start.CoversHttpRequest;
        if (mirror is not null)
        {
            span.SetMirror(mirror);
        }

        CurrentSpan.Value = span;
        return span;
    }
}
