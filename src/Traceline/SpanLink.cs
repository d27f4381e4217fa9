using System.Runtime.InteropServices;

namespace Traceline;

/// <summary>A reference from a span to a span of another trace (or another part of the same one), with attributes.</summary>
/// <remarks>
/// Links are given when a span starts, so that samplers see them; the middleware adds one when it starts a new
/// trace for an untrusted caller, pointing at the caller's context.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct SpanLink
{
    private readonly SpanAttribute[]? _attributes;

    /// <summary>Creates a link.</summary>
    /// <param name="context">The linked span's context.</param>
    /// <param name="attributes">The link's attributes (copied).</param>
    public SpanLink(SpanContext context, params ReadOnlySpan<SpanAttribute> attributes)
    {
        Context = context;
        _attributes = attributes.IsEmpty ? null : attributes.ToArray();
    }

    internal SpanLink(SpanContext context, SpanAttribute[] attributes, int droppedAttributeCount)
    {
        Context = context;
        _attributes = attributes;
        DroppedAttributeCount = droppedAttributeCount;
    }

    /// <summary>Gets the linked span's context.</summary>
    public SpanContext Context { get; }

    /// <summary>Gets the link's attributes.</summary>
    public ReadOnlySpan<SpanAttribute> Attributes => _attributes;

    /// <summary>Gets how many attributes the per-link limit refused.</summary>
    public int DroppedAttributeCount { get; }
}
