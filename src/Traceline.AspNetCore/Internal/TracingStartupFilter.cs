using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Traceline.AspNetCore;

/// <summary>Opens the server span before every middleware of the app (see <see cref="TracingPipeline"/>).</summary>
internal sealed class TracingStartupFilter : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.ApplicationServices.GetRequiredService<TracingPipeline>().Open(app);
        next(app);
    };
}
