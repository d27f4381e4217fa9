using System.Diagnostics;
using System.Runtime.CompilerServices;
using Traceline.Sampling;

namespace Traceline;

/// <summary>
/// Turns the Activities of the listed ActivitySources into Traceline spans of the current trace. One
/// <see cref="ActivityListener"/> per provider, created only when a source is listed: sources that are not listed
/// never see it.
/// </summary>
/// <remarks>
/// <para>
/// <b>Sampling.</b> The provider's sampler decides in the listener's <c>Sample</c> callback, before the Activity
/// exists: a dropped child of a local parent is not created at all (<see cref="ActivitySamplingResult.None"/>; the
/// parent stays current and propagates); a dropped root or child of a remote parent is created for propagation only.
/// </para>
/// <para>
/// <b>Nesting.</b> A captured Activity is current as <see cref="Activity.Current"/> only: a span started inside it
/// takes it as parent (<see cref="TryGetCurrentParent"/>), and its mirror (see <see cref="ActivityMirror"/>) is then a
/// child of the Activity too. When it stops, its span is ended and goes to the processors; what the Activity recorded
/// (name, tags, events, links, status, times) is copied into the span on its first read (see <see cref="Span.EndCaptured"/>).
/// </para>
/// <para>
/// Perf: the Activity is the record while it runs, as in the OpenTelemetry SDK. Its span exists from its stop on (from
/// its start only when a processor wants to see spans start), and Traceline's own current span is never written for
/// it: an AsyncLocal write costs an ExecutionContext, twice per Activity.
/// </para>
/// <para>
/// <b>Failures.</b> Nothing here throws into the app: a failing conversion, sampler or processor is reported and the
/// Activity goes on as the app made it.
/// </para>
/// </remarks>
internal sealed partial class ActivityCapture : IDisposable
{
    /// <summary>The runtime's source of HTTP connection setup and wait-for-connection Activities.</summary>
    private const string ConnectionsSource = "Experimental.System.Net.Http.Connections";

    /// <summary>Where an Activity carries its span from start to stop, when a processor saw the span start.</summary>
    private const string SpanProperty = "Traceline.Span";

    private readonly TracerProvider _provider;
    private readonly SourceFilter _filter;
    private readonly ActivityListener _listener;
    // The sources this listener captures, filled as the runtime asks (once per source): what a current Activity is
    // checked against. Weak, so that sources an app creates and drops are not kept.
    private readonly ConditionalWeakTable<ActivitySource, Tracer> _sources = [];

    public ActivityCapture(TracerProvider provider, SourceFilter filter)
    {
        _provider = provider;
        _filter = filter;
        _listener = new ActivityListener
        {
            ShouldListenTo = ShouldListenTo,
            Sample = Sample,
            ActivityStarted = OnStarted,
            ActivityStopped = OnStopped,
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Gets the listed sources.</summary>
    public SourceFilter Filter => _filter;

    public void Dispose() => _listener.Dispose();

    private bool ShouldListenTo(ActivitySource source)
    {
        try
        {
            if (!_filter.Matches(source.Name))
            {
                return false;
            }

            _sources.AddOrUpdate(source, _provider.GetTracer(source.Name, source.Version));
            return true;
        }
        catch (Exception ex) // tracing never breaks the app.
        {
            _provider.Diagnostics.CallbackFailed(nameof(ActivityCapture) + ".ShouldListenTo", ex);
            return false;
        }
    }

    private ActivitySamplingResult Sample(ref ActivityCreationOptions<ActivityContext> options)
    {
        try
        {
            if (_provider.IsShutdown || Tracing.IsSuppressed)
            {
                return ActivitySamplingResult.None;
            }

            var sampler = _provider.Sampler;
            var hasParent = options.Parent != default;
            if (!hasParent && sampler is AlwaysOnSampler)
            {
                // Perf: a root under AlwaysOn only has to be W3C, and the runtime generated its trace id at random
                // (none for a hierarchical Activity): nothing to parse here; the stop checks the ids it reads anyway.
                return options.TraceId == default ? ActivitySamplingResult.None : ActivitySamplingResult.AllDataAndRecorded;
            }

            SpanContext parent = default;
            if (hasParent && !ActivityIds.TryToSpanContext(options.Parent, out parent))
            {
                return ActivitySamplingResult.None; // W3C-invalid parent ids: no span could agree with this Activity
            }

            // The trace id a root Activity will have: generated here once, and kept by the options for the Activity.
            var traceId = parent.IsValid ? parent.TraceId : ActivityIds.ToTraceId(options.TraceId);
            if (!traceId.IsValid)
            {
                return ActivitySamplingResult.None; // a hierarchical id: not a span of a W3C trace
            }

            if (sampler is AlwaysOnSampler)
            {
                // Perf: AlwaysOn reads none of the parameters, so they are not built (the OpenTelemetry SDK skips its
                // sampler for AlwaysOn too): no tag or link conversion, no call.
                return ActivitySamplingResult.AllDataAndRecorded;
            }

            var attributes = options.Tags is { } tags ? ToAttributes(tags) : [];
            var links = options.Links is { } activityLinks ? ToLinks(activityLinks) : [];
            SamplingResult result;
            try
            {
                result = sampler.ShouldSample(new SamplingParameters(parent, traceId, options.Name, (SpanKind)options.Kind, attributes, links));
            }
            catch (Exception ex) // a user's sampler must never break the app: treat a throw as Drop.
            {
                _provider.Diagnostics.CallbackFailed("Sampler " + sampler.Description, ex);
                result = new SamplingResult(SamplingDecision.Drop);
            }

            if (result.Decision == SamplingDecision.Drop)
            {
                // Perf: an in-process parent already carries the trace, so a dropped child is not even created.
                return parent.IsValid && !parent.IsRemote ? ActivitySamplingResult.None : ActivitySamplingResult.PropagationData;
            }

            if (result.TraceState is { } traceState)
            {
                options = options with { TraceState = traceState };
            }

            foreach (var attribute in result.Attributes)
            {
                options.SamplingTags.Add(attribute.Key, ToTagValue(attribute.Value));
            }

            return result.Decision == SamplingDecision.RecordAndSample ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.AllData;
        }
        catch (Exception ex) // tracing never breaks the app: not captured.
        {
            _provider.Diagnostics.CallbackFailed(nameof(ActivityCapture) + ".Sample", ex);
            return ActivitySamplingResult.None;
        }
    }

    /// <summary>
    /// Gives the context of <see cref="Activity.Current"/> when it is an Activity this provider captures: the parent of a
    /// span that starts now. False (and <paramref name="parent"/> unchanged) for none, a span's mirror, or a foreign one.
    /// </summary>
    public bool TryGetCurrentParent(ref SpanContext parent)
    {
        var activity = Activity.Current;
        if (activity is null or SpanActivity || activity.IdFormat != ActivityIdFormat.W3C || !_sources.TryGetValue(activity.Source, out _))
        {
            return false;
        }

        var flags = activity.Recorded ? TraceFlags.Sampled : TraceFlags.None;
        parent = new SpanContext(ActivityIds.ToTraceId(activity.TraceId), ActivityIds.ToSpanId(activity.SpanId), flags, activity.TraceStateString, isRemote: false);
        return true;
    }

    private void OnStarted(Activity activity)
    {
        try
        {
            if (activity.IdFormat != ActivityIdFormat.W3C || activity is SpanActivity)
            {
                return;
            }

            if (activity.Parent is null && !activity.HasRemoteParent && activity.Source.Name == ConnectionsSource && CurrentSpan.Value is { } current)
            {
                // The runtime starts a connection's setup as a new root (a connection outlives the request that opened
                // it) and links the request to it: so does Traceline, from the span that is current here.
                current.AddLink(new SpanLink(new SpanContext(ActivityIds.ToTraceId(activity.TraceId), ActivityIds.ToSpanId(activity.SpanId), activity.Recorded ? TraceFlags.Sampled : TraceFlags.None)));
            }

            if (_provider.HasStartProcessors && activity.IsAllDataRequested && !_provider.IsShutdown)
            {
                // Cold: a processor that sees spans start sees this one start; the span rides on the Activity till it stops.
                activity.SetCustomProperty(SpanProperty, StartSpan(activity, atStart: true));
            }
        }
        catch (Exception ex) // tracing never breaks the app.
        {
            _provider.Diagnostics.CallbackFailed(nameof(ActivityCapture) + ".ActivityStarted", ex);
        }
    }

    private void OnStopped(Activity activity)
    {
        try
        {
            if (activity.IdFormat != ActivityIdFormat.W3C || activity is SpanActivity)
            {
                return;
            }

            // Only what the sampler wanted recorded becomes a span; one dropped for propagation leaves nothing to end.
            var span = _provider.HasStartProcessors ? activity.GetCustomProperty(SpanProperty) as Span : null;
            var seenAtStart = span is not null;
            if (span is null)
            {
                if (!activity.IsAllDataRequested || _provider.IsShutdown || StartSpan(activity, atStart: false) is not { } made)
                {
                    return;
                }

                span = made;
            }

            // Perf: like the OpenTelemetry SDK, only the enqueue happens here; the span's data is copied from the
            // Activity where the span is first read, normally on the export worker (Span.EndCaptured).
            span.EndCaptured(activity, seenAtStart);
        }
        catch (Exception ex) // tracing never breaks the app.
        {
            _provider.Diagnostics.CallbackFailed(nameof(ActivityCapture) + ".ActivityStopped", ex);
        }
    }

    /// <summary>
    /// Makes the recording span of an Activity that the sampler let through with all its data (none for invalid ids).
    /// At its start (for start processors) the span gets what the Activity has by then and a monotonic start; at its
    /// stop only its identity and tracer: the rest is copied when the span is read (see <see cref="Fill"/>).
    /// </summary>
    private Span? StartSpan(Activity activity, bool atStart)
    {
        var flags = activity.Recorded ? TraceFlags.Sampled : TraceFlags.None;
        var context = new SpanContext(ActivityIds.ToTraceId(activity.TraceId), ActivityIds.ToSpanId(activity.SpanId), flags, activity.TraceStateString, isRemote: false);
        if (!context.IsValid)
        {
            return null; // all-zero ids (a custom id generator's): no W3C span (Sample lets AlwaysOn roots through unparsed)
        }

        var tracer = TracerOf(activity.Source);

        // At its stop, nobody but the processors will see the span: its handle may be pooled with its storage.
        var pool = _provider.Pool;
        var span = !atStart && pool is not null ? Span.FromPool(pool, context) : new Span(context, pool?.Rent() ?? new SpanData());
        var data = span.Data!;
        data.Tracer = tracer;
        if (atStart)
        {
            data.Name = activity.DisplayName;
            data.Kind = (byte)activity.Kind;
            data.ParentSpanId = ActivityIds.ToSpanId(activity.ParentSpanId);
            data.ParentFlags = (TraceFlags)(byte)(activity.Parent?.ActivityTraceFlags ?? activity.ActivityTraceFlags);
            data.ParentIsRemote = activity.HasRemoteParent;
            data.StartUnixNanos = ActivityIds.ToUnixNanos(activity.StartTimeUtc);

            // The Activity's own clock decides its times; the monotonic start is placed where its start falls.
            var clock = tracer.Clock;
            var now = clock.GetTimestamp();
            data.StartTimestamp = now - clock.FromNanos(Math.Max(0, clock.ToUnixNanos(now) - data.StartUnixNanos));
            _provider.OnStart(span);
        }

        return span;
    }

    private Tracer TracerOf(ActivitySource source) =>
        _sources.TryGetValue(source, out var tracer) ? tracer : _provider.GetTracer(source.Name, source.Version);
}
