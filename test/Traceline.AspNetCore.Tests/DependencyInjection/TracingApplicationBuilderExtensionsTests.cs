using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Traceline.AspNetCore.Tests.DependencyInjection;

/// <summary>UseTracing: its startup checks.</summary>
public sealed class TracingApplicationBuilderExtensionsTests
{
    [Fact]
    public async Task UseTracing_WithoutAddTracing_ThrowsNamingTheMissingCall()
    {
        var builder = WebApplication.CreateSlimBuilder();
        await using var app = builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => app.UseTracing());

        Assert.Contains("services.AddTracing()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseTracing_CallbackGiven_AppliedAfterRegisteredOptionsWhenThePipelineIsBuilt()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddTracing(t => t.UseInMemoryExporter(new Export.InMemorySpanExporter()));
        var seen = new List<string>();
        builder.Services.Configure<TracingMiddlewareOptions>(o => seen.Add("registered:" + o.EmitTraceResponse));
        await using var app = builder.Build();

        app.UseTracing(o =>
        {
            seen.Add("callback");
            o.EmitTraceResponse = true;
        });
        Assert.Empty(seen); // the middleware opens first: its options are made when the host builds the pipeline
        await app.StartAsync();

        Assert.Equal(["registered:False", "callback"], seen);
        await app.StopAsync();
    }

    [Fact]
    public void UseTracing_NullApp_Throws() =>
        Assert.Throws<ArgumentNullException>(() => TracingApplicationBuilderExtensions.UseTracing(null!));
}
