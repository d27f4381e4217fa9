using System.Buffers.Text;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Traceline.Benchmarks.EndToEnd;

/// <summary>
/// An HTTP/1.1 load generator in the manner of wrk: a fixed number of keep-alive connections, each sending the next GET
/// as soon as the previous response is read (closed loop), or, with a rate, at fixed times (open loop, as wrk2 does), for
/// a fixed duration. Perf: raw sockets and one prebuilt request, so the generator costs little CPU beside the server it
/// shares the machine with.
/// </summary>
/// <remarks>
/// A fixed rate makes every mode serve the same requests per second: CPU per request then compares like with like. In
/// a closed loop, a server that is a little slower also gets fewer requests per wake-up, and the kernel's share of each
/// request grows with it, so a small difference in the library's own cost comes out amplified and unsteady.
/// </remarks>
internal static class LoadGenerator
{
    /// <param name="server">The server's endpoint.</param>
    /// <param name="path">The path every request asks for.</param>
    /// <param name="connections">Keep-alive connections, each with one request in flight at most.</param>
    /// <param name="duration">How long to send.</param>
    /// <param name="rate">Requests per second over all connections, or 0 for a closed loop.</param>
    public static async Task<LoadResult> RunAsync(IPEndPoint server, string path, int connections, TimeSpan duration, int rate = 0)
    {
        var request = Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: {server}\r\n\r\n");
        var workers = new Worker[connections];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new Worker(request);
            await workers[i].ConnectAsync(server).ConfigureAwait(false);
        }

        var start = Stopwatch.GetTimestamp();
        var end = start + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        // Open loop: connection i sends at start + (i / connections + k) * interval, so the sends of all connections
        // interleave evenly.
        var interval = rate > 0 ? (long)((double)connections * Stopwatch.Frequency / rate) : 0;
        var tasks = new Task[workers.Length];
        for (var i = 0; i < workers.Length; i++)
        {
            tasks[i] = workers[i].RunAsync(end, start + (interval * i / connections), interval);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        var elapsed = Stopwatch.GetElapsedTime(start);

        var total = 0;
        long errors = 0;
        foreach (var worker in workers)
        {
            total += worker.Latencies.Count;
            errors += worker.Errors;
            worker.Dispose();
        }

        var latencies = new long[total];
        var offset = 0;
        foreach (var worker in workers)
        {
            worker.Latencies.CopyTo(latencies, offset);
            offset += worker.Latencies.Count;
        }

        Array.Sort(latencies);
        return new LoadResult(total, errors, elapsed, Percentile(latencies, 0.50), Percentile(latencies, 0.99));
    }

    private static TimeSpan Percentile(long[] sorted, double quantile)
    {
        if (sorted.Length == 0)
        {
            return TimeSpan.Zero;
        }

        var index = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return Stopwatch.GetElapsedTime(0, sorted[Math.Clamp(index, 0, sorted.Length - 1)]);
    }

    /// <summary>One connection and what it measured.</summary>
    private sealed class Worker(byte[] request) : IDisposable
    {
        private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        private readonly byte[] _buffer = new byte[64 * 1024];

        public List<long> Latencies { get; } = new(64 * 1024);

        public long Errors { get; private set; }

        public Task ConnectAsync(IPEndPoint server) => _socket.ConnectAsync(server);

        /// <summary>Sends until <paramref name="end"/>: back to back, or each send due <paramref name="interval"/> after the last one was due.</summary>
        public async Task RunAsync(long end, long firstDue, long interval)
        {
            var due = firstDue;
            while (Stopwatch.GetTimestamp() < end)
            {
                if (interval > 0)
                {
                    // Late sends go at once and the schedule stays put, so the rate holds on average; the timer's
                    // millisecond granularity only jitters single sends.
                    var wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
                    if (wait > TimeSpan.FromMilliseconds(1))
                    {
                        await Task.Delay(wait).ConfigureAwait(false);
                    }

                    due += interval;
                }

                var sent = Stopwatch.GetTimestamp();
                await _socket.SendAsync(request, SocketFlags.None).ConfigureAwait(false);
                var filled = 0;
                int status;
                while (true)
                {
                    var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None).ConfigureAwait(false);
                    if (read == 0)
                    {
                        throw new InvalidOperationException("The server closed the connection.");
                    }

                    filled += read;
                    if (TryReadResponse(_buffer.AsSpan(0, filled), out status))
                    {
                        break;
                    }

                    if (filled == _buffer.Length)
                    {
                        throw new InvalidOperationException("A response did not fit the buffer.");
                    }
                }

                Latencies.Add(Stopwatch.GetTimestamp() - sent);
                if (status != 200)
                {
                    Errors++;
                }
            }
        }

        public void Dispose() => _socket.Dispose();

        /// <summary>Whether <paramref name="data"/> holds one whole response (Content-Length or chunked body).</summary>
        private static bool TryReadResponse(ReadOnlySpan<byte> data, out int status)
        {
            status = 0;
            var headerEnd = data.IndexOf("\r\n\r\n"u8);
            if (headerEnd < 0)
            {
                return false;
            }

            // "HTTP/1.1 200 OK"
            if (data.Length < 12 || !Utf8Parser.TryParse(data.Slice(9, 3), out status, out _))
            {
                throw new InvalidOperationException("Not an HTTP/1.1 status line.");
            }

            var headers = data[..headerEnd];
            var body = data[(headerEnd + 4)..];
            var lengthAt = IndexOfHeader(headers, "content-length:"u8);
            if (lengthAt >= 0)
            {
                var value = headers[lengthAt..];
                var lineEnd = value.IndexOf("\r\n"u8);
                value = (lineEnd < 0 ? value : value[..lineEnd]).Trim((byte)' ');
                if (!Utf8Parser.TryParse(value, out int length, out _))
                {
                    throw new InvalidOperationException("Bad Content-Length.");
                }

                return body.Length >= length;
            }

            if (IndexOfHeader(headers, "transfer-encoding:"u8) >= 0)
            {
                // Chunked: size line, data, CRLF, ..., "0" CRLF CRLF. The last chunk ends the response.
                while (true)
                {
                    var sizeEnd = body.IndexOf("\r\n"u8);
                    if (sizeEnd < 0 || !Utf8Parser.TryParse(body[..sizeEnd], out int size, out _, 'x'))
                    {
                        return false;
                    }

                    if (size == 0)
                    {
                        return body.Length >= sizeEnd + 4;
                    }

                    var next = sizeEnd + 2 + size + 2;
                    if (body.Length < next)
                    {
                        return false;
                    }

                    body = body[next..];
                }
            }

            return true; // no body
        }

        /// <summary>Where the value of a header starts (after the colon), or -1. The name is lowercase, with the colon.</summary>
        private static int IndexOfHeader(ReadOnlySpan<byte> headers, ReadOnlySpan<byte> name)
        {
            var at = 0;
            while (at < headers.Length)
            {
                var lineEnd = headers[at..].IndexOf("\r\n"u8);
                var line = lineEnd < 0 ? headers[at..] : headers.Slice(at, lineEnd);
                if (line.Length >= name.Length && Ascii.EqualsIgnoreCase(line[..name.Length], name))
                {
                    return at + name.Length;
                }

                if (lineEnd < 0)
                {
                    return -1;
                }

                at += lineEnd + 2;
            }

            return -1;
        }
    }
}
