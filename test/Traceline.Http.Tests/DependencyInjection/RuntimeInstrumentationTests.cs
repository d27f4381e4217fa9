using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Traceline.Http.Tests.Support;

namespace Traceline.Http.Tests.DependencyInjection;

/// <summary>
/// <c>AddTracingHandler</c> takes the runtime's own per-request stage (<c>DiagnosticsHandler</c>) out of the factory's
/// <see cref="SocketsHttpHandler"/>: real Kestrel on 127.0.0.1, real factory clients, and a subscriber of the runtime's
/// <c>HttpHandlerDiagnosticListener</c> that sees every request that stage handles.
/// </summary>
public sealed class RuntimeInstrumentationTests
{
    public enum Setup
    {
        /// <summary><c>AddHttpClient("c").AddTracingHandler()</c>, the factory's default primary handler.</summary>
        Named,

        /// <summary><c>ConfigureHttpClientDefaults(b =&gt; b.AddTracingHandler())</c>.</summary>
        ClientDefaults,

        /// <summary>A new <see cref="SocketsHttpHandler"/> set as the primary handler after <c>AddTracingHandler()</c>.</summary>
        PrimarySetAfter,

        /// <summary><see cref="TracingHandlerOptions.KeepRuntimeInstrumentation"/> on: the stage stays.</summary>
        Kept,
    }

    [Theory]
    [InlineData(Setup.Named, false)]
    [InlineData(Setup.ClientDefaults, false)]
    [InlineData(Setup.PrimarySetAfter, false)]
    [InlineData(Setup.Kept, true)]
    public async Task AddTracingHandler_RealRequest_RuntimeStageOnlyWhereKept_OneSpanAndOneTraceparentEitherWay(Setup setup, bool stageSeen)
    {
        await using var callee = await TestServer.StartAsync("callee", null, app =>
            app.MapGet("/echo", static (HttpRequest request) => string.Join('|', request.Headers["traceparent"].ToArray())));
        using var tracing = new TestTracing();
        using var probe = new RuntimeStageProbe();
        var services = new ServiceCollection().AddSingleton(tracing.Provider);
        switch (setup)
        {
            case Setup.Named:
                services.AddHttpClient("c").AddTracingHandler();
                break;
            case Setup.ClientDefaults:
                services.ConfigureHttpClientDefaults(static b => b.AddTracingHandler());
                break;
            case Setup.PrimarySetAfter:
                services.AddHttpClient("c").AddTracingHandler().ConfigurePrimaryHttpMessageHandler(static () => new SocketsHttpHandler());
                break;
            case Setup.Kept:
                services.AddHttpClient("c").AddTracingHandler(static o => o.KeepRuntimeInstrumentation = true);
                break;
        }

        await using var provider = services.BuildServiceProvider();
        var uri = new Uri(callee.BaseAddress, "/echo?" + setup);
        var traceparent = await provider.GetRequiredService<IHttpClientFactory>().CreateClient("c").GetStringAsync(uri);

        Assert.Equal(stageSeen, probe.Saw(uri));
        var span = Assert.Single(tracing.ClientSpans);
        Assert.Equal(Propagation.TraceParentFormat.Format(span.Context), traceparent);
    }

    [Fact]
    public async Task Probe_PlainClient_SeesTheRuntimeStage()
    {
        // The probe itself: without Traceline's handler every request goes through the stage.
        await using var callee = await TestServer.StartAsync("callee", null, app => app.MapGet("/echo", static () => "ok"));
        using var probe = new RuntimeStageProbe();
        using var client = new HttpClient();
        var uri = new Uri(callee.BaseAddress, "/echo?plain");

        Assert.Equal("ok", await client.GetStringAsync(uri));

        Assert.True(probe.Saw(uri));
    }

    /// <summary>Subscribes to the runtime's <c>HttpHandlerDiagnosticListener</c> and notes each request its stage asks about.</summary>
    private sealed class RuntimeStageProbe : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly ConcurrentDictionary<Uri, bool> _seen = new();
        private readonly IDisposable _all;
        private IDisposable? _listener;

        public RuntimeStageProbe() => _all = DiagnosticListener.AllListeners.Subscribe(this);

        public bool Saw(Uri uri) => _seen.ContainsKey(uri);

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == "HttpHandlerDiagnosticListener")
            {
                // Asked with the request before the stage starts its Activity; declining keeps the stage from making one.
                _listener = value.Subscribe(this, (name, request, _) =>
                {
                    if (request is HttpRequestMessage { RequestUri: { } uri })
                    {
                        _seen[uri] = true;
                    }

                    return false;
                });
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            _listener?.Dispose();
            _all.Dispose();
        }
    }
}
