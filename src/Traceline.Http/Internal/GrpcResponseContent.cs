using System.Net;

namespace Traceline.Http;

/// <summary>
/// The body of a gRPC response, read through unchanged, that ends the call's client span once the call is over. A gRPC
/// call's status comes in trailers after the last message, long after <c>SendAsync</c> returned the headers: the span
/// ends when the body has been read to its end (the trailers are in), or when the caller disposes the response
/// without reading it all (a cancelled or abandoned call, whose status is then whatever arrived).
/// </summary>
internal sealed class GrpcResponseContent : HttpContent
{
    private readonly HttpContent _inner;
    private readonly HttpResponseMessage _response;
    private readonly Span _span;
    private int _ended;

    private GrpcResponseContent(HttpContent inner, HttpResponseMessage response, Span span)
    {
        _inner = inner;
        _response = response;
        _span = span;
        foreach (var header in inner.Headers)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>
    /// Records a trailers-only response's status and returns <see langword="true"/> when the span may end now; else puts
    /// the body behind a <see cref="GrpcResponseContent"/> that ends it later.
    /// </summary>
    public static bool CompleteOrDefer(Span span, HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues(GrpcConventions.StatusHeader, out var values))
        {
            RecordStatus(span, values);
            return true;
        }

        if (response.Content is null)
        {
            return true;
        }

        response.Content = new GrpcResponseContent(response.Content, response, span);
        return false;
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var body = await CreateContentReadStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            await body.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
        }
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken) =>
        new GrpcResponseStream(await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), this);

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
        new GrpcResponseStream(_inner.ReadAsStream(cancellationToken), this);

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            End();
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Ends the span once, with the status the trailers give (none when they never came).</summary>
    internal void End()
    {
        if (Interlocked.Exchange(ref _ended, 1) != 0)
        {
            return;
        }

        try
        {
            if (_response.TrailingHeaders.TryGetValues(GrpcConventions.StatusHeader, out var values))
            {
                RecordStatus(_span, values);
            }
        }
        catch (Exception ex) // tracing never breaks the call.
        {
            _span.Tracer?.Provider.Diagnostics.CallbackFailed(nameof(TracingHandler) + ".GrpcStatus", ex);
        }
        finally
        {
            _span.End();
        }
    }

    /// <summary>Ends the span as failed, by the exception that broke reading the body. Returns <see langword="false"/>.</summary>
    internal bool FailAndReturnFalse(Exception exception)
    {
        if (Volatile.Read(ref _ended) == 0)
        {
            _span.SetStatus(SpanStatusCode.Error, exception.Message);
            End();
        }

        return false;
    }

    /// <summary>Records <c>rpc.grpc.status_code</c>; for a client, every status but OK (0) is an error.</summary>
    private static void RecordStatus(Span span, IEnumerable<string> values)
    {
        foreach (var value in values)
        {
            if (GrpcConventions.TryParseStatus(value, out var status))
            {
                span.SetAttribute(GrpcConventions.RpcGrpcStatusCode, status);
                if (status != 0)
                {
                    span.SetStatus(SpanStatusCode.Error);
                }
            }

            return;
        }
    }
}
