using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Traceline.Export;
using Traceline.Tests.Otlp;

namespace Traceline.Tests.Reliability;

/// <summary>Shared pieces of the fault, shutdown and stress tests: providers wired to real receivers, span producers.</summary>
internal static class ReliabilityHarness
{
    /// <summary>A port on 127.0.0.1 that nothing listens on: bound, read, released.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public static TracerProvider OtlpProvider(Uri endpoint, TimeSpan exportTimeout, CapturingLoggerProvider log, int queueSize = 256, int batchSize = 64) =>
        TestProviders.Create(
            b => b
                .WithServiceName("reliability")
                .WithBatchOptions(o =>
                {
                    o.MaxQueueSize = queueSize;
                    o.MaxExportBatchSize = batchSize;
                    o.ScheduledDelay = TimeSpan.FromMilliseconds(20);
                    o.ExportTimeout = exportTimeout + TimeSpan.FromMilliseconds(200);
                })
                .UseOtlpExporter(o =>
                {
                    o.Endpoint = endpoint;
                    o.Timeout = exportTimeout;
                }),
            loggerFactory: log);

    public static BatchSpanProcessor Batch(TracerProvider provider) => Assert.IsType<BatchSpanProcessor>(Assert.Single(provider.Processors));

    /// <summary>
    /// Ends <paramref name="count"/> spans from <paramref name="threads"/> threads as a request handler would, and
    /// samples the queue length while doing it. Returns the largest queue length seen and the ids of the spans.
    /// </summary>
    public static (int MaxQueued, IReadOnlyCollection<SpanId> Ended) Produce(TracerProvider provider, int count, int threads = 4)
    {
        var tracer = provider.GetTracer("reliability");
        var batch = provider.Processors.OfType<BatchSpanProcessor>().FirstOrDefault();
        var ended = new ConcurrentBag<SpanId>();
        var maxQueued = 0;
        var perThread = count / threads;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (var i = 0; i < perThread; i++)
            {
                using (var span = tracer.StartSpan("request", SpanKind.Server))
                {
                    span.SetAttribute("i", i);
                    ended.Add(span.Context.SpanId);
                }

                if (batch is not null && (i & 15) == 0)
                {
                    var queued = batch.QueuedCount;
                    int seen;
                    while (queued > (seen = Volatile.Read(ref maxQueued)) && Interlocked.CompareExchange(ref maxQueued, queued, seen) != seen)
                    {
                    }
                }
            }
        });
        return (maxQueued, ended);
    }

    /// <summary>The ids of every span in the requests the receiver answered with success.</summary>
    public static List<SpanId> DeliveredSpanIds(IEnumerable<ReceivedRequest> requests)
    {
        var ids = new List<SpanId>();
        foreach (var request in requests)
        {
            foreach (var resource in request.DecodeProtobuf().ResourceSpans)
            {
                foreach (var scope in resource.ScopeSpans)
                {
                    foreach (var span in scope.Spans)
                    {
                        ids.Add(SpanId.FromBytes(span.SpanId.Span));
                    }
                }
            }
        }

        return ids;
    }

    public static int Count(this CapturingLoggerProvider log, string eventName) => log.Lines.Count(l => l.EventId.Name == eventName);

    /// <summary>A receiver whose answer a test switches at run time; it records only the requests it accepted.</summary>
    public sealed class SwitchableReceiver : IAsyncDisposable
    {
        private readonly ConcurrentQueue<ReceivedRequest> _accepted = new();
        private readonly ConcurrentDictionary<string, bool> _refusedOnce = new(StringComparer.Ordinal);
        private OtlpTestReceiver _receiver = null!;

        /// <summary>
        /// A value of <see cref="FailWith"/>: each body's first attempt answered 503, its retry accepted. Per body, not
        /// odd and even attempts: two exports in flight at once could otherwise take turns so that one only ever gets
        /// the odd ones and fails after its last retry.
        /// </summary>
        public const int Alternate = -1;

        /// <summary>The status to answer with: an HTTP status, 0 to accept, or <see cref="Alternate"/>.</summary>
        public volatile int FailWith = 503;

        public Uri Address => _receiver.Address;

        public IReadOnlyList<ReceivedRequest> Accepted => [.. _accepted];

        public int Attempts => _receiver.Attempts;

        public static async Task<SwitchableReceiver> StartAsync()
        {
            var result = new SwitchableReceiver();
            result._receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, async (context, attempt, stopping) =>
            {
                var request = OtlpTestReceiver.RequestOf(context);
                var status = result.FailWith;
                if (status == Alternate)
                {
                    status = result._refusedOnce.TryAdd(Convert.ToBase64String(SHA256.HashData(request.Body)), true) ? 503 : 0;
                }

                if (status != 0)
                {
                    context.Response.StatusCode = status;
                    context.Response.Headers.RetryAfter = "0";
                    return;
                }

                result._accepted.Enqueue(request);
                await OtlpTestReceiver.Success(context, attempt, stopping);
            });
            return result;
        }

        public ValueTask DisposeAsync() => _receiver.DisposeAsync();
    }

    public static Task Never(HttpContext context, int attempt, CancellationToken stopping) => Task.Delay(Timeout.Infinite, stopping);
}
