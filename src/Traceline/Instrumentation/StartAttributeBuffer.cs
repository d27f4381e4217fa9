using System.Runtime.CompilerServices;

namespace Traceline;

/// <summary>Room for the attributes the server span starts with, on the stack (Perf: no array per request).</summary>
[InlineArray(Capacity)]
internal struct StartAttributeBuffer
{
    public const int Capacity = 10 + GrpcConventions.StartAttributeCount;

    private SpanAttribute _element;
}
