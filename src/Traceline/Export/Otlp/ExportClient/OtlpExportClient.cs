namespace Traceline.Export;

/// <summary>
/// Sends one encoded request by one OTLP protocol and says what came of it; the subclasses know their protocol's
/// headers, framing and replies. Retries, timeouts and TLS failures are the transmission's business, not theirs.
/// </summary>
/// <remarks>Sends may overlap: each reads its reply into the buffer its caller passes.</remarks>
internal abstract class OtlpExportClient
{
    private const int MaxResponseBytes = 64 * 1024;

    private readonly KeyValuePair<string, string>[] _headers;

    /// <summary>Creates a client that posts to <paramref name="endpoint"/> with the given headers.</summary>
    protected OtlpExportClient(Uri endpoint, OtlpCompression compression, KeyValuePair<string, string>[] headers, TimeProvider time, TracelineDiagnostics diagnostics)
    {
        Endpoint = endpoint;
        Compression = compression;
        _headers = headers;
        Time = time;
        Diagnostics = diagnostics;
    }

    /// <summary>Gets the URL posted to.</summary>
    public Uri Endpoint { get; }

    /// <summary>Gets the bytes the payload reserves before the message for the protocol's framing (gRPC's prefix).</summary>
    public virtual int FramePrefixLength => 0;

    /// <summary>Gets whether payloads are gzip-compressed.</summary>
    protected OtlpCompression Compression { get; }

    /// <summary>Gets the clock for <c>Retry-After</c> dates.</summary>
    protected TimeProvider Time { get; }

    /// <summary>Gets where partial successes are reported.</summary>
    protected TracelineDiagnostics Diagnostics { get; }

    /// <summary>Fills the framing in the first <see cref="FramePrefixLength"/> bytes of <paramref name="payload"/>.</summary>
    public virtual void WriteFramePrefix(Span<byte> payload)
    {
    }

    /// <summary>Posts <paramref name="body"/> once through <paramref name="client"/> and classifies the reply, read into <paramref name="reply"/>.</summary>
    /// <exception cref="HttpRequestException">The request failed (the transmission decides whether to retry).</exception>
    /// <exception cref="IOException">The connection failed while the reply was read.</exception>
    public async Task<OtlpExportOutcome> SendAsync(HttpClient client, ReadOnlyMemory<byte> body, PooledByteBuffer reply, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Endpoint) { Content = new ReadOnlyMemoryContent(body) };
        PrepareRequest(request);
        foreach (var header in _headers)
        {
            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await ReadBodyAsync(response, reply, cancellationToken).ConfigureAwait(false);
        return Classify(response, reply.WrittenSpan);
    }

    /// <summary>Removes every configured header value from text that goes into a diagnostic: header values are secrets.</summary>
    public string Scrub(string text)
    {
        foreach (var header in _headers)
        {
            if (header.Value.Length > 0 && text.Contains(header.Value, StringComparison.Ordinal))
            {
                text = text.Replace(header.Value, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }

    /// <summary>Sets the protocol's version, content type and headers on <paramref name="request"/>.</summary>
    protected abstract void PrepareRequest(HttpRequestMessage request);

    /// <summary>Says what a reply means, by the protocol's rules; <paramref name="body"/> is its first bytes.</summary>
    protected abstract OtlpExportOutcome Classify(HttpResponseMessage response, ReadOnlySpan<byte> body);

    /// <summary>Classifies an HTTP status that is not a success: 429, 502, 503 and 504 are retried (after <c>Retry-After</c>).</summary>
    protected OtlpExportOutcome ClassifyHttpFailure(HttpResponseMessage response, string reason) =>
        OtlpRetryPolicy.IsRetryableHttp((int)response.StatusCode)
            ? OtlpExportOutcome.Retry(reason, OtlpRetryPolicy.ReadRetryAfter(response.Headers.RetryAfter, Time.GetUtcNow()))
            : OtlpExportOutcome.Permanent(reason);

    private static async Task ReadBodyAsync(HttpResponseMessage response, PooledByteBuffer reply, CancellationToken cancellationToken)
    {
        reply.Reset();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Read to the end (gRPC's trailers come after the body) but keep only the first bytes: replies are small.
            while (true)
            {
                var room = MaxResponseBytes - (int)reply.Length;
                var target = room > 0 ? reply.GetMemory(Math.Min(room, 4096))[..Math.Min(room, 4096)] : reply.GetMemory(4096)[..4096];
                var read = await stream.ReadAsync(target, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                if (room > 0)
                {
                    reply.Advance(read);
                }
            }
        }
    }
}
