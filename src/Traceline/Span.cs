using System.Diagnostics;

namespace Traceline;

/// <summary>
/// One timed operation in a trace: a name, a kind, a parent, attributes, events, links and a status.
/// </summary>
/// <remarks>
/// <para>
/// Start spans with <see cref="Tracer.StartSpan(string, SpanKind)"/>; a started span is current in its async flow
/// (<see cref="Current"/>) until it ends, and ending it restores the span that was current before. End a span exactly
/// where it started: <c>using var span = tracer.StartSpan("work");</c>.
/// </para>
/// <para>
/// A span that the sampler dropped is non-recording: it carries its <see cref="Context"/> so the trace still
/// propagates, and every setter is a cheap no-op. After <see cref="End()"/> the span is read-only and further changes
/// are ignored. Setters are safe to call from several threads; readers (exporters) read a span only after it ended.
/// </para>
/// </remarks>
[DebuggerDisplay("{Name,nq} {Context}")]
public sealed partial class Span : IDisposable
{
    // _sync bits. Perf: one int serves as the tiny setter lock, the ended flag and the captured-Activity flag.
    private const int Locked = 1;
    private const int Ended = 2;
    private const int Pending = 4; // ended, its data still in the captured Activity held in _previous (Span.Captured.cs)

    // Perf: the span is a small handle (its identity, the span that was current before it, and a lock) over the
    // recorded data, which lives in SpanData: null for a non-recording span, and handed back to the provider's pool
    // once an exporter that keeps nothing has exported it. The identity stays, so Context works for the span's life.
    // The identity is set once per life; it is written again only when a pooled handle starts a new life (Reuse).
    private TraceId _traceId;
    private SpanId _spanId;
    private string? _traceState;
    private TraceFlags _flags;
    private bool _pooledHandle;
    private SpanData? _data;

    // The span that was current before this one, or, when this span is mirrored as Activity.Current, its mirror
    // (which holds that span); for a captured Activity's span, the Activity until its data is copied (Pending).
    // Perf: one field for all keeps the handle as small as before the mirror existed.
    private object? _previous;
    private int _sync;

    internal Span(in SpanContext context, SpanData? data)
    {
        _traceId = context.TraceId;
        _spanId = context.SpanId;
        _traceState = context.TraceState;
        _flags = context.TraceFlags;
        _data = data;
    }

    /// <summary>Gets the span that is current in this async flow, or <see langword="null"/>.</summary>
    /// <remarks>
    /// The current span flows with <see cref="ExecutionContext"/>: across <c>await</c>, into <c>Task.Run</c>, and not past
    /// <see cref="ExecutionContext.SuppressFlow"/>. An Activity of a captured ActivitySource is current as
    /// <see cref="Activity.Current"/>, not here: inside one this is still the span around it, and a span started there
    /// is the Activity's child.
    /// </remarks>
    public static Span? Current => CurrentSpan.Value;

    /// <summary>Gets the span's context: trace id, span id, flags and trace state. Valid for the whole life of the object.</summary>
    public SpanContext Context => new(_traceId, _spanId, _flags, _traceState);

    /// <summary>Gets the span's name; empty for a non-recording span.</summary>
    public string Name => Recorded?.Name ?? string.Empty;

    /// <summary>Gets the span's kind.</summary>
    public SpanKind Kind => (SpanKind)(Recorded?.Kind ?? 0);

    /// <summary>Gets the parent's span id, or the invalid (all-zero) id for a root span.</summary>
    public SpanId ParentSpanId => Recorded?.ParentSpanId ?? default;

    /// <summary>Gets the parent's context as this span saw it, or <see langword="default"/> for a root span.</summary>
    public SpanContext Parent => Recorded is { } data && data.ParentSpanId.IsValid
        ? new SpanContext(_traceId, data.ParentSpanId, data.ParentFlags, _traceState, data.ParentIsRemote)
        : default;

    /// <summary>Gets whether this span records what is set on it (the sampler kept it and its provider is running).</summary>
    public bool IsRecording => _data is not null;

    /// <summary>Gets whether <see cref="End()"/> has been called.</summary>
    public bool IsEnded => (Volatile.Read(ref _sync) & Ended) != 0;

    /// <summary>Gets the tracer that started this span, or <see langword="null"/> for a non-recording span.</summary>
    public Tracer? Tracer => _data?.Tracer;

    /// <summary>Gets the instrumentation scope (the tracer's name and version), or <see langword="null"/> for a non-recording span.</summary>
    public InstrumentationScope? Scope => _data?.Tracer.Scope;

    /// <summary>Gets the resource of the provider that started this span, or <see langword="null"/> for a non-recording span.</summary>
    public Resource? Resource => _data?.Tracer.Provider.Resource;

    /// <summary>Gets when the span started.</summary>
    public DateTimeOffset StartTime => UnixTime.ToDateTimeOffset(Recorded?.StartUnixNanos ?? 0);

    /// <summary>Gets when the span ended, or <see langword="null"/> while it runs.</summary>
    public DateTimeOffset? EndTime => IsEnded && Recorded is { } data ? UnixTime.ToDateTimeOffset(data.EndUnixNanos) : null;

    /// <summary>Gets the duration, exact to the clock's tick; <see cref="TimeSpan.Zero"/> while the span runs.</summary>
    public TimeSpan Duration => IsEnded && Recorded is { } data ? TimeSpan.FromTicks((data.EndUnixNanos - data.StartUnixNanos) / 100) : TimeSpan.Zero;

    /// <summary>Gets the attributes in the order they were first set.</summary>
    public ReadOnlySpan<SpanAttribute> Attributes => Recorded is { } data ? data.Attributes.Items : default;

    /// <summary>Gets the events in the order they were added.</summary>
    public IReadOnlyList<SpanEvent> Events => (IReadOnlyList<SpanEvent>?)Recorded?.Details?.Events ?? [];

    /// <summary>Gets the links in the order they were added.</summary>
    public ReadOnlySpan<SpanLink> Links => Recorded?.Details is { } d ? d.Links.AsSpan(0, d.LinkCount) : default;

    /// <summary>Gets the status code.</summary>
    public SpanStatusCode Status => (SpanStatusCode)(Recorded?.Status ?? 0);

    /// <summary>Gets the description given with an <see cref="SpanStatusCode.Error"/> status, or <see langword="null"/>.</summary>
    public string? StatusDescription => Recorded?.Details?.StatusDescription;

    /// <summary>Gets how many attributes the span limits refused.</summary>
    public int DroppedAttributeCount => Recorded?.Attributes.DroppedCount ?? 0;

    /// <summary>Gets how many events the span limits refused.</summary>
    public int DroppedEventCount => Recorded?.Details?.DroppedEvents ?? 0;

    /// <summary>Gets how many links the span limits refused.</summary>
    public int DroppedLinkCount => Recorded?.Details?.DroppedLinks ?? 0;

    internal SpanId SpanId => _spanId;

    internal long StartUnixNanos => Recorded?.StartUnixNanos ?? 0;

    internal long EndUnixNanos => Recorded?.EndUnixNanos ?? 0;

    internal SpanDetails? Details => Recorded?.Details;

    /// <summary>Gets the recorded data, or <see langword="null"/> when non-recording or released (tests check reuse with it).</summary>
    internal SpanData? Data => _data;

    /// <summary>Renames the span, for example once the route is known. Ignored after the span ended.</summary>
    /// <param name="name">The new name.</param>
    /// <returns>This span, for chaining.</returns>
    public Span UpdateName(string name)
    {
        if (_data is { } data && name is not null && Enter())
        {
            data.Name = name;
            Exit();
        }

        return this;
    }

    /// <summary>Sets an attribute; a key set before is overwritten in place. Ignored after the span ended or when it is not recording.</summary>
    /// <param name="key">The attribute name.</param>
    /// <param name="value">The value; an empty value (for example a <see langword="null"/> string) is ignored.</param>
    /// <returns>This span, for chaining.</returns>
    /// <remarks>Past the attribute count limit (default 128) new keys are dropped and counted; strings are cut to the value-length limit if one is set.</remarks>
    public Span SetAttribute(string key, AttributeValue value)
    {
        if (_data is { } data && key is not null && Enter())
        {
            var limits = data.Tracer.Limits;
            data.Attributes.Set(key, value, limits.AttributeCount, limits.AttributeValueLength);
            Exit();
        }

        return this;
    }

    /// <summary>Sets several attributes, as <see cref="SetAttribute(string, AttributeValue)"/> does for each.</summary>
    /// <param name="attributes">The attributes.</param>
    /// <returns>This span, for chaining.</returns>
    public Span SetAttributes(params ReadOnlySpan<SpanAttribute> attributes)
    {
        if (_data is { } data && Enter())
        {
            var limits = data.Tracer.Limits;
            data.Attributes.SetAll(attributes, limits.AttributeCount, limits.AttributeValueLength);
            Exit();
        }

        return this;
    }

    /// <summary>Adds an event that happens now.</summary>
    /// <param name="name">The event name.</param>
    /// <param name="attributes">The event's attributes.</param>
    /// <returns>This span, for chaining.</returns>
    public Span AddEvent(string name, params ReadOnlySpan<SpanAttribute> attributes)
    {
        if (_data?.Tracer is { } tracer)
        {
            AddEventCore(tracer, name, tracer.Clock.ToUnixNanos(tracer.Clock.GetTimestamp()), attributes);
        }

        return this;
    }

    /// <summary>Adds an event with an explicit timestamp.</summary>
    /// <param name="name">The event name.</param>
    /// <param name="timestamp">When the event happened.</param>
    /// <param name="attributes">The event's attributes.</param>
    /// <returns>This span, for chaining.</returns>
    public Span AddEventAt(string name, DateTimeOffset timestamp, params ReadOnlySpan<SpanAttribute> attributes)
    {
        if (_data?.Tracer is { } tracer)
        {
            AddEventCore(tracer, name, UnixTime.FromDateTimeOffset(timestamp), attributes);
        }

        return this;
    }

    /// <summary>Adds a link to another span's context. Invalid contexts are ignored.</summary>
    /// <param name="link">The link.</param>
    /// <returns>This span, for chaining.</returns>
    /// <remarks>Prefer giving links when the span starts, so that samplers see them.</remarks>
    public Span AddLink(SpanLink link)
    {
        if (_data is { } data && link.Context.IsValid && Enter())
        {
            data.AddLink(link);
            Exit();
        }

        return this;
    }

    /// <summary>Sets the status. <see cref="SpanStatusCode.Ok"/> is final; <see cref="SpanStatusCode.Unset"/> is ignored.</summary>
    /// <param name="code">The status code.</param>
    /// <param name="description">A description, kept only for <see cref="SpanStatusCode.Error"/>, and cut as string attribute values are (<see cref="SpanLimits.AttributeValueLengthLimit"/>).</param>
    /// <returns>This span, for chaining.</returns>
    public Span SetStatus(SpanStatusCode code, string? description = null)
    {
        if (_data is { } data && code != SpanStatusCode.Unset && Enter())
        {
            data.SetStatus(code, description);
            Exit();
        }

        return this;
    }

    /// <summary>
    /// Records an exception as an <c>exception</c> event with <c>exception.type</c>, <c>exception.message</c> and
    /// <c>exception.stacktrace</c>. The status is left alone: set it with <see cref="SetStatus"/> when the exception
    /// means the operation failed. A <see cref="Exception.Message"/> or <see cref="Exception.StackTrace"/> override
    /// that throws leaves its attribute out; string values are cut to the attribute value-length limit.
    /// </summary>
    /// <param name="exception">The exception.</param>
    /// <param name="attributes">More attributes for the event.</param>
    /// <returns>This span, for chaining.</returns>
    public Span RecordException(Exception exception, params ReadOnlySpan<SpanAttribute> attributes)
    {
        if (_data?.Tracer is not { } tracer || exception is null || IsEnded)
        {
            return this;
        }

        var all = new SpanAttribute[3 + attributes.Length];
        all[0] = new SpanAttribute(SemanticConventions.ExceptionType, ExceptionText.TypeName(exception));
        all[1] = new SpanAttribute(SemanticConventions.ExceptionMessage, ExceptionText.Message(exception));
        all[2] = new SpanAttribute(SemanticConventions.ExceptionStacktrace, ExceptionText.StackTrace(exception));
        attributes.CopyTo(all.AsSpan(3));
        AddEventCore(tracer, SemanticConventions.ExceptionEventName, tracer.Clock.ToUnixNanos(tracer.Clock.GetTimestamp()), all);
        return this;
    }

    /// <summary>Ends the span now. Idempotent and thread-safe: only the first call counts.</summary>
    /// <remarks>If this span is current in the calling flow, the span that was current before it becomes current again.</remarks>
    public void End() => EndCore(0, explicitTime: false);

    /// <summary>Ends the span at an explicit time. Idempotent and thread-safe: only the first call counts.</summary>
    /// <param name="endTime">When the operation ended.</param>
    public void End(DateTimeOffset endTime) => EndCore(UnixTime.FromDateTimeOffset(endTime), explicitTime: true);

    /// <summary>Ends the span (same as <see cref="End()"/>).</summary>
    public void Dispose() => End();

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Context}";

    private void AddEventCore(Tracer tracer, string name, long unixNanos, ReadOnlySpan<SpanAttribute> attributes)
    {
        if (name is null)
        {
            return;
        }

        var spanEvent = SpanData.NewEvent(tracer.Limits, name, unixNanos, attributes);
        if (Enter())
        {
            _data!.AddEvent(spanEvent);
            Exit();
        }
    }
}
