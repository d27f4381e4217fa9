namespace Traceline;

/// <summary>
/// What a recording span records: everything but its identity. A <see cref="Span"/> is the handle that owns one while
/// the span runs and until it is exported; when the provider's exporter says it holds nothing after an export, the
/// processor hands the storage back to <see cref="SpanDataPool"/> and the next span reuses it (attribute array
/// included), so a steady stream of spans allocates only the small handles.
/// </summary>
internal sealed class SpanData
{
#pragma warning disable CA1051 // Plain storage guarded by the owning span's lock.
    public Tracer Tracer = null!;
    public string Name = string.Empty;
    public long StartTimestamp;
    public long StartUnixNanos;
    public long EndUnixNanos;
    public SpanId ParentSpanId;
    public TraceFlags ParentFlags;
    public bool ParentIsRemote;
    public byte Kind;
    public byte Status;
    public AttributeBag Attributes;
    public SpanDetails? Details;
#pragma warning restore CA1051

    /// <summary>Forgets everything recorded, keeping the attribute array for the next span.</summary>
    public void Reset()
    {
        Tracer = null!;
        Name = string.Empty;
        StartTimestamp = 0;
        StartUnixNanos = 0;
        EndUnixNanos = 0;
        ParentSpanId = default;
        ParentFlags = default;
        ParentIsRemote = false;
        Kind = 0;
        Status = 0;
        Attributes.Clear();
        Details = null;
    }
}
