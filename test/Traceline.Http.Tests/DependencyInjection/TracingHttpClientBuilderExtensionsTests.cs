using Microsoft.Extensions.DependencyInjection;
using Traceline.Http.Tests.Support;

namespace Traceline.Http.Tests.DependencyInjection;

public sealed class TracingHttpClientBuilderExtensionsTests
{
    [Fact]
    public void AddTracingHandler_NoTracerProvider_ThrowsNamingAddTracing()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("bar").AddTracingHandler();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IHttpClientFactory>().CreateClient("bar"));

        Assert.Contains("services.AddTracing()", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTracingHandler_NamedClient_TracesThatClient()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        var services = new ServiceCollection().AddSingleton(tracing.Provider);
        services.AddHttpClient("bar").AddTracingHandler().ConfigurePrimaryHttpMessageHandler(() => inner);
        services.AddHttpClient("untraced").ConfigurePrimaryHttpMessageHandler(() => inner);
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        using var traced = await factory.CreateClient("bar").GetAsync(new Uri("http://example.test/"));
        using var untraced = await factory.CreateClient("untraced").GetAsync(new Uri("http://example.test/"));

        Assert.Single(tracing.ClientSpans);
        Assert.Equal([1, 0], inner.Sends.Select(s => s.Values("traceparent").Length));
    }

    [Fact]
    public async Task AddTracingHandler_ClientDefaults_TracesEveryClient()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        var services = new ServiceCollection().AddSingleton(tracing.Provider);
        services.ConfigureHttpClientDefaults(b => b.AddTracingHandler().ConfigurePrimaryHttpMessageHandler(() => inner));
        services.AddHttpClient("a");
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        using var a = await factory.CreateClient("a").GetAsync(new Uri("http://a.test/"));
        using var b = await factory.CreateClient("b").GetAsync(new Uri("http://b.test/"));

        Assert.Equal(["a.test", "b.test"], tracing.ClientSpans.Select(s => s.String("server.address")));
        Assert.All(inner.Sends, s => Assert.Single(s.Values("traceparent")));
    }

    [Fact]
    public async Task AddTracingHandler_Configure_OptionsReachTheHandler()
    {
        using var tracing = new TestTracing();
        var inner = new CapturingHandler();
        var services = new ServiceCollection().AddSingleton(tracing.Provider);
        services.AddHttpClient("bar")
            .AddTracingHandler(o => o.EnrichWithRequest = (span, _) => span.SetAttribute("test.enriched", true))
            .ConfigurePrimaryHttpMessageHandler(() => inner);
        using var provider = services.BuildServiceProvider();

        using var response = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("bar").GetAsync(new Uri("http://example.test/"));

        Assert.True(Assert.Single(tracing.ClientSpans).Attribute("test.enriched").BoolValue);
    }
}
