using Microsoft.Extensions.Http;

namespace Traceline.Http;

/// <summary>
/// Takes the runtime's own per-request instrumentation (its <c>DiagnosticsHandler</c> stage) out of a traced client's
/// <see cref="SocketsHttpHandler"/>. With Traceline's every-client listener in the process that stage is always on: for
/// each request it asks the listener, which declines a request that the handler's span covers, and it still runs as an
/// extra async stage (a state machine box per request). The handler writes the trace headers itself.
/// </summary>
internal static class RuntimeInstrumentation
{
    /// <summary>A <see cref="HttpClientFactoryOptions.HttpMessageHandlerBuilderActions"/> entry, run as the factory builds a client's handlers.</summary>
    public static void Remove(HttpMessageHandlerBuilder builder)
    {
        if (builder.PrimaryHandler is not SocketsHttpHandler sockets || sockets.ActivityHeadersPropagator is null)
        {
            return;
        }

        try
        {
            // The stage exists only when the handler has a propagator when it sends first.
            sockets.ActivityHeadersPropagator = null;
        }
        catch (InvalidOperationException)
        {
            // A primary handler shared across builds that has sent already keeps its stage: its requests are traced
            // as before, the stage's Activity declined.
        }
    }
}
