using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Traceline.AspNetCore;

/// <summary>
/// Builds the provider when the host starts (so configuration problems are reported at startup) and, once the host has
/// stopped every other hosted service (the server included, so in-flight requests have ended), flushes and shuts the
/// provider down within the configured time.
/// </summary>
internal sealed class TracingLifetimeService(TracingServices services, IOptions<TracingHostingOptions> options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs after every hosted service stopped: no request is running any more, so every span has ended.</summary>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        var timeout = ShutdownTimeout;
        var provider = services.Provider;
        if (!provider.Shutdown(timeout))
        {
            provider.Diagnostics.TimedOut("TracerProvider.Shutdown", timeout);
        }

        return Task.CompletedTask;
    }

    internal TimeSpan ShutdownTimeout =>
        options.Value.ShutdownTimeout ?? services.ConfiguredShutdownTimeout ?? TracingHostingOptions.DefaultShutdownTimeout;
}
