using System.Net;
using BenchmarkDotNet.Attributes;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Traceline.Http;

namespace Traceline.Benchmarks;

/// <summary>
/// What tracing adds to one HttpClient request: Traceline's <see cref="TracingHandler"/> and the OpenTelemetry .NET SDK's
/// HttpClient instrumentation, each against the same request with no tracing (the baseline). Every variant sends
/// through a real <see cref="SocketsHttpHandler"/> (the SDK instruments the runtime's DiagnosticsHandler inside it) whose
/// connection is an in-memory stream that answers every request with <c>200 OK</c>, so no network is timed.
/// Spans are sampled and recorded in both libraries and go through each one's batch processor into an exporter that
/// counts and discards them, as in production.
/// The canned connection has each response buffered before it is read, so the inner handler's task is already
/// complete when TracingHandler gets it back and the handler takes its synchronous path; over a real network it awaits
/// the task instead (its CompleteAsync state machine, about 136 B more per request, measured outside this suite).
/// Each variant has its own setup, and BenchmarkDotNet runs each in its own process, so the SDK's global listener
/// never touches the other two.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class HandlerBenchmarks
{
    private static readonly Uri Target = new("http://bench.test/items/42?page=1");
    private const string TraceParentPrefix = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-";

    private HttpMessageInvoker _invoker = null!;
    private Traceline.TracerProvider? _traceline;
    private OpenTelemetry.Trace.TracerProvider? _sdk;
    private System.Diagnostics.ActivityListener? _bareListener;

    [GlobalSetup(Targets = [nameof(NoTracing), nameof(HeaderOnly)])]
    public void SetupNoTracing() => _invoker = new HttpMessageInvoker(CreateInnerHandler());

    [GlobalSetup(Target = nameof(TracelineHandler))]
    public void SetupTraceline()
    {
        // As before every client was traced: no listener on the runtime's source.
        _traceline = Traceline.TracerProvider.Create(t => t.WithServiceName("bench").AddExporter(new EndToEnd.CountingSpanExporter()).TraceAllHttpClients(false));
        _invoker = new HttpMessageInvoker(new TracingHandler(_traceline) { InnerHandler = CreateInnerHandler() });
    }

    /// <summary>Traceline's handler with every client traced (the default): the runtime's listener is there, and declines.</summary>
    [GlobalSetup(Target = nameof(TracelineHandlerAllClients))]
    public void SetupTracelineHandlerAllClients()
    {
        _traceline = Traceline.TracerProvider.Create(t => t.WithServiceName("bench").AddExporter(new EndToEnd.CountingSpanExporter()).TraceAllHttpClients());
        _invoker = new HttpMessageInvoker(new TracingHandler(_traceline) { InnerHandler = CreateInnerHandler() });
    }

    /// <summary>No handler: the span made from the runtime's own System.Net.Http Activity (the client created after the provider).</summary>
    [GlobalSetup(Target = nameof(TracelinePlainClient))]
    public void SetupTracelinePlainClient()
    {
        _traceline = Traceline.TracerProvider.Create(t => t.WithServiceName("bench").AddExporter(new EndToEnd.CountingSpanExporter()).TraceAllHttpClients());
        _invoker = new HttpMessageInvoker(CreateInnerHandler());
    }

    /// <summary>
    /// No tracing library: a listener on the runtime's source that asks for propagation data only and does nothing, and
    /// a handler whose propagator writes nothing. What the runtime's Activity costs by itself, which every plain-client
    /// span (Traceline's or the SDK's) pays and the handler does not.
    /// </summary>
    [GlobalSetup(Target = nameof(RuntimeActivityAlone))]
    public void SetupRuntimeActivityAlone()
    {
        _bareListener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = static source => source.Name == "System.Net.Http",
            Sample = static (ref _) => System.Diagnostics.ActivitySamplingResult.PropagationData,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(_bareListener);
        var handler = CreateInnerHandler();
        handler.ActivityHeadersPropagator = System.Diagnostics.DistributedContextPropagator.CreateNoOutputPropagator();
        _invoker = new HttpMessageInvoker(handler);
    }

    [GlobalSetup(Target = nameof(OpenTelemetrySdk))]
    public void SetupOpenTelemetrySdk()
    {
        _sdk = Sdk.CreateTracerProviderBuilder()
            .SetSampler(new AlwaysOnSampler())
            .AddHttpClientInstrumentation()
            .AddProcessor(new BatchActivityExportProcessor(new EndToEnd.CountingActivityExporter()))
            .Build();
        _invoker = new HttpMessageInvoker(CreateInnerHandler());
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _invoker.Dispose();
        _traceline?.Dispose();
        _sdk?.Dispose();
        _bareListener?.Dispose();
    }

    [Benchmark(Baseline = true)]
    public Task<HttpStatusCode> NoTracing() => SendAsync();

    /// <summary>
    /// No tracing, but the request carries a traceparent as both libraries' requests do: what propagation on the wire
    /// costs by itself (the header collection, the header written by SocketsHttpHandler), part of both rows' added time.
    /// </summary>
    [Benchmark]
    public Task<HttpStatusCode> HeaderOnly() => SendAsync(withTraceParent: true);

    [Benchmark]
    public Task<HttpStatusCode> TracelineHandler() => SendAsync();

    [Benchmark]
    public Task<HttpStatusCode> TracelineHandlerAllClients() => SendAsync();

    [Benchmark]
    public Task<HttpStatusCode> TracelinePlainClient() => SendAsync();

    [Benchmark]
    public Task<HttpStatusCode> RuntimeActivityAlone() => SendAsync();

    [Benchmark]
    public Task<HttpStatusCode> OpenTelemetrySdk() => SendAsync();

    private async Task<HttpStatusCode> SendAsync(bool withTraceParent = false)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Target);
        if (withTraceParent)
        {
            // A new string per request, as a propagator formats one per span.
            request.Headers.TryAddWithoutValidation("traceparent", string.Concat(TraceParentPrefix, "01"));
        }

        using var response = await _invoker.SendAsync(request, CancellationToken.None).ConfigureAwait(false);
        return response.StatusCode;
    }

    private static SocketsHttpHandler CreateInnerHandler() => new()
    {
        UseProxy = false,
        UseCookies = false,
        AllowAutoRedirect = false,
        ConnectCallback = static (_, _) => ValueTask.FromResult<Stream>(new CannedResponseStream()),
    };

    /// <summary>An in-memory HTTP/1.1 connection: each request (headers ending in an empty line) gets one empty 200.</summary>
    private sealed class CannedResponseStream : Stream
    {
        private static readonly byte[] Response = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray();

        private readonly object _gate = new();
        private int _matched;
        private int _answersDue;
        private int _offset;
        private bool _disposed;
        private TaskCompletionSource? _dataAvailable;

        public override bool CanRead => true;

        public override bool CanWrite => true;

        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            TaskCompletionSource? wake = null;
            lock (_gate)
            {
                _answersDue += CountRequestEnds(buffer);
                if (_answersDue > 0)
                {
                    wake = _dataAvailable;
                    _dataAvailable = null;
                }
            }

            wake?.TrySetResult();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        /// <summary>
        /// Counts the ends of requests ("\r\n\r\n", a request without a body) in what was written, carrying a partial
        /// match over to the next write. Vectorized, so the fake server's parsing stays negligible next to what is
        /// measured however many header bytes a variant sends.
        /// </summary>
        private int CountRequestEnds(ReadOnlySpan<byte> buffer)
        {
            ReadOnlySpan<byte> end = "\r\n\r\n"u8;
            var found = 0;
            if (_matched > 0)
            {
                var needed = end.Length - _matched;
                if (buffer.Length < needed && buffer.SequenceEqual(end.Slice(_matched, buffer.Length)))
                {
                    _matched += buffer.Length;
                    return 0;
                }

                if (buffer.Length >= needed && buffer[..needed].SequenceEqual(end[_matched..]))
                {
                    found++;
                    buffer = buffer[needed..];
                }

                _matched = 0;
            }

            int index;
            while ((index = buffer.IndexOf(end)) >= 0)
            {
                found++;
                buffer = buffer[(index + end.Length)..];
            }

            // Keep the longest tail that could begin the next end marker.
            for (var length = Math.Min(end.Length - 1, buffer.Length); length > 0; length--)
            {
                if (buffer[^length..].SequenceEqual(end[..length]))
                {
                    _matched = length;
                    break;
                }
            }

            return found;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Write(buffer.Span);
            return default;
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer.AsSpan(offset, count));
            return Task.CompletedTask;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Task wait;
                lock (_gate)
                {
                    if (_disposed)
                    {
                        return 0;
                    }

                    if (_answersDue > 0)
                    {
                        if (buffer.Length == 0)
                        {
                            return 0;
                        }

                        var count = Math.Min(buffer.Length, Response.Length - _offset);
                        Response.AsSpan(_offset, count).CopyTo(buffer.Span);
                        _offset += count;
                        if (_offset == Response.Length)
                        {
                            _offset = 0;
                            _answersDue--;
                        }

                        return count;
                    }

                    _dataAvailable ??= new TaskCompletionSource(); // inline continuations: no thread-pool hop in the timings
                    wait = _dataAvailable.Task;
                }

                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            TaskCompletionSource? wake;
            lock (_gate)
            {
                _disposed = true;
                wake = _dataAvailable;
                _dataAvailable = null;
            }

            wake?.TrySetResult();
            base.Dispose(disposing);
        }
    }
}
