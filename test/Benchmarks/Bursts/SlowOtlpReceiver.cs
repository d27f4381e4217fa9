using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Traceline.Benchmarks.Bursts;

/// <summary>One export request the receiver accepted: when it arrived and when it was answered (Stopwatch ticks), and how many spans it carried.</summary>
internal readonly record struct ReceivedExport(long Timestamp, long Answered, int Spans);

/// <summary>
/// A slow, strict OTLP/HTTP receiver, the bottleneck of the bursts scenario: Kestrel on 127.0.0.1 (random port),
/// <c>POST /v1/traces</c> with <c>application/x-protobuf</c> (gzip undone), every span counted by
/// <see cref="OtlpSpanCounter"/>, then busy CPU work for a fixed time per span (measured with Stopwatch, never a sleep:
/// a collector's cost is CPU), answered 200 with an empty <c>ExportTraceServiceResponse</c>. A body that is not a
/// well-formed request gets 400 and is counted as malformed.
/// </summary>
/// <remarks>
/// At most <c>workers</c> requests are processed at once (the others wait their turn, as in a collector with that many
/// cores): 1 models a collector with one core, so a second export in flight can only queue.
/// </remarks>
internal sealed class SlowOtlpReceiver : IAsyncDisposable
{
    public const string TracesPath = "/v1/traces";

    private readonly WebApplication _app;
    private readonly SemaphoreSlim _workers;
    private readonly long _ticksPerSpan;
    private readonly ConcurrentQueue<ReceivedExport> _exports = new();
    private long _spans;
    private long _malformed;

    private SlowOtlpReceiver(WebApplication app, TimeSpan perSpan, int workers)
    {
        _app = app;
        _ticksPerSpan = (long)(perSpan.TotalSeconds * Stopwatch.Frequency);
        _workers = new SemaphoreSlim(workers, workers);
    }

    /// <summary>Gets the URL to export to, <c>/v1/traces</c> included.</summary>
    public Uri TracesUrl { get; private set; } = null!;

    /// <summary>Gets how many spans the receiver accepted so far.</summary>
    public long Spans => Interlocked.Read(ref _spans);

    /// <summary>Gets how many requests were refused as malformed.</summary>
    public long Malformed => Interlocked.Read(ref _malformed);

    public static async Task<SlowOtlpReceiver> StartAsync(TimeSpan perSpan, int workers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new SlowOtlpReceiver(app, perSpan, workers);
        app.MapPost(TracesPath, receiver.ReceiveAsync);
        await app.StartAsync().ConfigureAwait(false);
        var url = app.Urls.First(u => u.StartsWith("http://127.0.0.1:", StringComparison.Ordinal));
        receiver.TracesUrl = new Uri(new Uri(url), TracesPath);
        return receiver;
    }

    /// <summary>Takes what arrived since the last call, in order of arrival.</summary>
    public List<ReceivedExport> TakeExports()
    {
        var taken = new List<ReceivedExport>(_exports.Count);
        while (_exports.TryDequeue(out var export))
        {
            taken.Add(export);
        }

        taken.Sort((a, b) => a.Timestamp.CompareTo(b.Timestamp));
        return taken;
    }

    /// <summary>Forgets the counts (between runs).</summary>
    public void Reset()
    {
        _exports.Clear();
        Interlocked.Exchange(ref _spans, 0);
        Interlocked.Exchange(ref _malformed, 0);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _workers.Dispose();
    }

    /// <summary>Spins for <paramref name="ticks"/> Stopwatch ticks: CPU spent, as a collector's decoding and forwarding spend it.</summary>
    internal static void BusyWork(long ticks)
    {
        var start = Stopwatch.GetTimestamp();
        var spins = 0;
        while (Stopwatch.GetTimestamp() - start < ticks)
        {
            spins++;
        }

        GC.KeepAlive(spins);
    }

    private async Task ReceiveAsync(HttpContext context)
    {
        var arrived = Stopwatch.GetTimestamp();
        var request = context.Request;
        if (request.ContentType?.StartsWith("application/x-protobuf", StringComparison.OrdinalIgnoreCase) != true)
        {
            Interlocked.Increment(ref _malformed);
            context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            return;
        }

        var body = await ReadBodyAsync(request).ConfigureAwait(false);
        await _workers.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            if (body is null || !OtlpSpanCounter.TryCount(body, out var spans))
            {
                Interlocked.Increment(ref _malformed);
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            BusyWork(spans * _ticksPerSpan);
            Interlocked.Add(ref _spans, spans);
            _exports.Enqueue(new ReceivedExport(arrived, Stopwatch.GetTimestamp(), spans));
        }
        finally
        {
            _workers.Release();
        }

        // An empty ExportTraceServiceResponse is zero bytes: no partial_success.
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/x-protobuf";
        context.Response.ContentLength = 0;
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        var encoding = request.Headers.ContentEncoding.ToString();
        if (encoding.Length == 0)
        {
            await request.Body.CopyToAsync(buffer).ConfigureAwait(false);
        }
        else if (encoding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                await using var gzip = new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true);
                await gzip.CopyToAsync(buffer).ConfigureAwait(false);
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }
        else
        {
            return null;
        }

        return buffer.ToArray();
    }
}
