using Microsoft.AspNetCore.Server.Kestrel.Core;
using Traceline.Export;
using Traceline.Tests.Otlp;

namespace Traceline.Tests;

/// <summary>The test support's promise that tests running at once in this process do not see each other's calls.</summary>
public sealed class TestIsolationTests
{
    [Fact]
    public async Task RichSpansProvider_AnotherTestsHttpClientCall_IsNotOneOfItsSpans()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1);
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var memory = Assert.IsType<InMemorySpanExporter>(Assert.Single(provider.Processors).Exporter);

        // A call with no current span, as any other test's client makes while this provider is alive.
        using (var client = new HttpClient())
        {
            using var response = await client.PostAsync(new Uri(receiver.Address, "/v1/traces"), new ByteArrayContent([]));
            Assert.True(response.IsSuccessStatusCode);
        }

        Assert.Equal(spans.Length, memory.Spans.Count);
    }
}
