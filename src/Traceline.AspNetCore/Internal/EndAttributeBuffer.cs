using System.Runtime.CompilerServices;

namespace Traceline.AspNetCore;

/// <summary>Room for the attributes set when the response is done (status code, route, error type), on the stack.</summary>
[InlineArray(Capacity)]
internal struct EndAttributeBuffer
{
    public const int Capacity = 3;

    private SpanAttribute _element;
}
