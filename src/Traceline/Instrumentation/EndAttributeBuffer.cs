using System.Runtime.CompilerServices;

namespace Traceline;

/// <summary>
/// Room on the stack for the attributes an HTTP span gets when its response is done (status code, then at most two of
/// route, protocol version and error type), so the server and client instrumentation set them in one call.
/// </summary>
[InlineArray(Capacity)]
internal struct EndAttributeBuffer
{
    public const int Capacity = 3;

    private SpanAttribute _element;
}
