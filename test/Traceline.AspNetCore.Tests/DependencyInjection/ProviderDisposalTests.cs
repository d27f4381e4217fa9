using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Traceline.Export;

namespace Traceline.AspNetCore.Tests.DependencyInjection;

public sealed class ProviderDisposalTests
{
    [Fact]
    public async Task HostDisposed_AppResolvedOnlyTheTracer_ProviderAndProcessorsDisposed()
    {
        var processor = new DisposalCountingProcessor();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddTracing(t => t.AddProcessor(processor));
        var app = builder.Build();
        _ = app.Services.GetRequiredService<Tracer>();
        await app.StartAsync();
        await app.StopAsync();
        await app.DisposeAsync();

        Assert.Equal(1, processor.Disposals);
    }

    private sealed class DisposalCountingProcessor : SpanProcessor
    {
        public int Disposals;

        public override void OnEnd(Span span)
        {
        }

        protected override void Dispose(bool disposing)
        {
            Interlocked.Increment(ref Disposals);
            base.Dispose(disposing);
        }
    }
}
