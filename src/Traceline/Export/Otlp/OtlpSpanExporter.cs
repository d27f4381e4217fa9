using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;

namespace Traceline.Export;

/// <summary>
/// Sends spans to an OpenTelemetry collector by OTLP: protobuf or JSON over HTTP, or gRPC's unary
/// <c>TraceService/Export</c> over HTTP/2, all through its own <see cref="HttpClient"/>.
/// </summary>
/// <remarks>
/// <para>
/// Transport by the OTLP specification: one timeout per export (retries included); retries on 429, 502, 503, 504 and
/// network errors (gRPC: the retryable status codes) with exponential backoff and jitter, or after the delay the
/// receiver asks for (<c>Retry-After</c>, gRPC <c>RetryInfo</c>); any other failure drops the batch with one
/// diagnostic; a partial success is reported. Header values never reach a diagnostic.
/// </para>
/// <para>
/// Its traffic is never traced: sends run inside <see cref="Tracing.Suppress"/> and through a handler that is not
/// Traceline's. A processor calls <see cref="ExportAsync"/> one batch at a time; the encoders and buffers are reused.
/// </para>
/// </remarks>
internal sealed class OtlpSpanExporter : SpanExporter
{
    internal const string ExporterName = nameof(OtlpSpanExporter);
    internal const int MaxAttempts = 5;
    internal static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private const double BackoffMultiplier = 1.5;
    private const int MaxResponseBytes = 64 * 1024;
    private const int GrpcPrefixLength = 5;

    private static readonly MediaTypeHeaderValue ProtobufType = new("application/x-protobuf");
    private static readonly MediaTypeHeaderValue JsonType = new("application/json");
    private static readonly MediaTypeHeaderValue GrpcType = new("application/grpc");

    private readonly OtlpConnection _connection;
    private readonly Uri _endpoint;
    private readonly OtlpExportProtocol _protocol;
    private readonly OtlpCompression _compression;
    private readonly KeyValuePair<string, string>[] _headers;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly OtlpProtobufEncoder? _protobuf;
    private readonly OtlpJsonEncoder? _json;
    private readonly PooledByteBuffer _payload = new();
    private readonly PooledByteBuffer _compressed = new(1024);
    private readonly PooledByteBuffer _response = new(1024);

    /// <summary>Creates the exporter from resolved options.</summary>
    /// <param name="options">The options, read once.</param>
    /// <param name="time">The clock for timeouts and retry delays.</param>
    /// <param name="diagnostics">Where problems are reported.</param>
    /// <param name="handler">A handler in place of the exporter's own <see cref="SocketsHttpHandler"/> (benchmarks, tests); else the options' factory's.</param>
    /// <exception cref="ArgumentException">A header has an invalid name or a value with control characters.</exception>
    internal OtlpSpanExporter(OtlpExporterOptions options, TimeProvider? time = null, TracelineDiagnostics? diagnostics = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _endpoint = options.ResolveEndpoint();
        _protocol = options.Protocol;
        _compression = options.Compression;
        _timeout = options.Timeout;
        _time = time ?? TimeProvider.System;
        Diagnostics = diagnostics ?? TracelineDiagnostics.Default;

        var headers = new List<KeyValuePair<string, string>>(options.Headers.Count);
        foreach (var header in options.Headers)
        {
            if (!OtlpHeadersParser.IsToken(header.Key))
            {
                throw new ArgumentException("An OTLP header name must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~).", nameof(options));
            }

            if (header.Value is null || !OtlpHeadersParser.IsSafeValue(header.Value))
            {
                throw new ArgumentException($"The value of OTLP header '{header.Key}' must be text without control characters (the value is not shown).", nameof(options));
            }

            headers.Add(header);
        }

        _headers = [.. headers];
        if (_protocol == OtlpExportProtocol.HttpJson)
        {
            _json = new OtlpJsonEncoder();
        }
        else
        {
            _protobuf = new OtlpProtobufEncoder();
        }

        _connection = new OtlpConnection(options, _endpoint, _time, Diagnostics, handler);
    }

    /// <summary>Gets the URL posted to.</summary>
    internal Uri Endpoint => _endpoint;

    /// <inheritdoc/>
    /// <remarks>Each batch is encoded before the first <c>await</c>; nothing refers to a span after that.</remarks>
    public override bool ReleasesSpansAfterExport => true;

    /// <inheritdoc/>
    public override async ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        var count = batch.Length;
        ReadOnlyMemory<byte> body;
        try
        {
            body = Encode(batch.Span);
        }
        catch (Exception ex) // An exporter never throws into the processor: report and drop.
        {
            Diagnostics.ExportFailed(ExporterName, count, "the batch could not be encoded: " + ex.GetType().Name);
            return ExportResult.Failure;
        }

        if (body.IsEmpty)
        {
            return ExportResult.Success;
        }

        using var timeout = _timeout == Timeout.InfiniteTimeSpan
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : new CancellationTokenSource(_timeout, _time);
        using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        if (_connection.Acquire(Diagnostics) is not { } client)
        {
            return ExportResult.Failure; // the TLS files cannot be used: reported when that was found
        }

        using var suppressed = Tracing.Suppress();
        var started = _time.GetTimestamp();

        for (var attempt = 1; ; attempt++)
        {
            Outcome outcome;
            try
            {
                outcome = await SendOnceAsync(client, body, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                return Cancelled(count, attempt, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException && _connection.IsTlsFailure(ex, out var tlsReason))
            {
                // Permanent: the same handshake fails the same way on a retry.
                _connection.ReportTlsFailure(Diagnostics, ExporterName, count, Scrub(tlsReason));
                return ExportResult.Failure;
            }
            catch (HttpRequestException ex)
            {
                outcome = Outcome.Retry("the request failed: " + Scrub(ex.Message), null);
            }
            catch (IOException ex)
            {
                // A connection reset while reading the reply: a network error, retried like the others.
                outcome = Outcome.Retry("the connection failed: " + Scrub(ex.Message), null);
            }

            switch (outcome.Kind)
            {
                case OutcomeKind.Success:
                    _connection.Succeeded();
                    return ExportResult.Success;
                case OutcomeKind.Permanent:
                    Diagnostics.ExportFailed(ExporterName, count, outcome.Reason + "; the batch is dropped");
                    return ExportResult.Failure;
            }

            if (attempt >= MaxAttempts)
            {
                Diagnostics.ExportFailed(ExporterName, count, $"{outcome.Reason}; gave up after {attempt} attempts");
                return ExportResult.Failure;
            }

            var delay = outcome.RetryAfter ?? Backoff(attempt);
            var left = _timeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : _timeout - _time.GetElapsedTime(started);
            if (delay >= left)
            {
                Diagnostics.ExportFailed(ExporterName, count, $"{outcome.Reason}; a retry in {delay.TotalMilliseconds:0} ms would pass the export timeout of {_timeout.TotalMilliseconds:0} ms");
                return ExportResult.Failure;
            }

            Diagnostics.ExportRetrying(ExporterName, attempt, outcome.Reason, delay);
            try
            {
                await Task.Delay(delay, _time, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return Cancelled(count, attempt, cancellationToken);
            }
        }
    }

    /// <summary>The delay before retry number <paramref name="attempt"/>: exponential, capped, with jitter (half fixed, half random).</summary>
    internal static TimeSpan Backoff(int attempt)
    {
        var ceiling = Math.Min(MaxBackoff.TotalMilliseconds, InitialBackoff.TotalMilliseconds * Math.Pow(BackoffMultiplier, attempt - 1));
        return TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
    }

    /// <summary>Whether a gRPC status code is worth retrying (OTLP specification's table).</summary>
    internal static bool IsRetryableGrpc(int status, bool hasRetryInfo) => status switch
    {
        1 or 4 or 10 or 11 or 14 or 15 => true, // CANCELLED, DEADLINE_EXCEEDED, ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS
        8 => hasRetryInfo, // RESOURCE_EXHAUSTED, only when the server says when to come back
        _ => false,
    };

    /// <summary>Reads <c>Retry-After</c>: seconds or an HTTP date.</summary>
    internal static TimeSpan? ReadRetryAfter(RetryConditionHeaderValue? retryAfter, DateTimeOffset now)
    {
        if (retryAfter?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (retryAfter?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connection.Dispose();
            _payload.Dispose();
            _compressed.Dispose();
            _response.Dispose();
        }

        base.Dispose(disposing);
    }

    private ExportResult Cancelled(int count, int attempt, CancellationToken caller)
    {
        var reason = caller.IsCancellationRequested
            ? "the export was cancelled by its processor (timeout or shutdown)"
            : $"no answer within the export timeout of {_timeout.TotalMilliseconds:0} ms ({attempt} attempt(s))";
        Diagnostics.ExportFailed(ExporterName, count, reason);
        return ExportResult.Failure;
    }

    private ReadOnlyMemory<byte> Encode(ReadOnlySpan<Span> batch)
    {
        var grpc = _protocol == OtlpExportProtocol.Grpc;
        _payload.Reset();
        if (grpc)
        {
            _payload.GetSpan(GrpcPrefixLength);
            _payload.Advance(GrpcPrefixLength);
        }

        var length = _json is not null ? _json.Encode(batch, _payload) : _protobuf!.Encode(batch, _payload);
        if (_protobuf is not null && length == 0)
        {
            return ReadOnlyMemory<byte>.Empty; // nothing recording in the batch
        }

        var result = _payload;
        if (_compression == OtlpCompression.Gzip)
        {
            _compressed.Reset();
            var offset = grpc ? GrpcPrefixLength : 0;
            _compressed.GetSpan(offset);
            _compressed.Advance(offset);
            using (var gzip = new GZipStream(_compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(_payload.WrittenSpan[offset..]);
            }

            result = _compressed;
        }

        if (grpc)
        {
            // gRPC's length-prefixed message: a compressed flag, then the length as a big-endian uint32.
            var prefix = result.Array.AsSpan(0, GrpcPrefixLength);
            prefix[0] = _compression == OtlpCompression.Gzip ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt32BigEndian(prefix[1..], (uint)(result.Length - GrpcPrefixLength));
        }

        return result.WrittenMemory;
    }

    private async Task<Outcome> SendOnceAsync(HttpClient client, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = new ReadOnlyMemoryContent(body) };
        var grpc = _protocol == OtlpExportProtocol.Grpc;
        if (grpc)
        {
            // h2c for http:// (prior knowledge), h2 by ALPN for https://: gRPC needs HTTP/2, nothing else will do.
            request.Version = HttpVersion.Version20;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            request.Content.Headers.ContentType = GrpcType;
            request.Headers.TryAddWithoutValidation("te", "trailers");
            if (_compression == OtlpCompression.Gzip)
            {
                request.Headers.TryAddWithoutValidation("grpc-encoding", "gzip");
            }

            request.Headers.TryAddWithoutValidation("grpc-accept-encoding", "identity,gzip");
            if (_timeout != Timeout.InfiniteTimeSpan)
            {
                request.Headers.TryAddWithoutValidation("grpc-timeout", ((long)_timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "m");
            }
        }
        else
        {
            request.Content.Headers.ContentType = _protocol == OtlpExportProtocol.HttpJson ? JsonType : ProtobufType;
            if (_compression == OtlpCompression.Gzip)
            {
                request.Content.Headers.ContentEncoding.Add("gzip");
            }
        }

        foreach (var header in _headers)
        {
            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                request.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await ReadBodyAsync(response, cancellationToken).ConfigureAwait(false);
        return grpc ? ClassifyGrpc(response) : ClassifyHttp(response);
    }

    private async Task ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        _response.Reset();
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            // Read to the end (gRPC's trailers come after the body) but keep only the first bytes: replies are small.
            while (true)
            {
                var room = MaxResponseBytes - (int)_response.Length;
                var target = room > 0 ? _response.GetMemory(Math.Min(room, 4096))[..Math.Min(room, 4096)] : _response.GetMemory(4096)[..4096];
                var read = await stream.ReadAsync(target, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return;
                }

                if (room > 0)
                {
                    _response.Advance(read);
                }
            }
        }
    }

    private Outcome ClassifyHttp(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        var body = _response.WrittenSpan;
        if (status is >= 200 and < 300)
        {
            var partial = _protocol == OtlpExportProtocol.HttpJson
                ? OtlpResponse.TryReadJsonPartialSuccess(body, out var rejected, out var message)
                : OtlpResponse.TryReadPartialSuccess(body, out rejected, out message);
            if (partial)
            {
                Diagnostics.ExportPartiallyRejected(ExporterName, rejected, Scrub(message));
            }

            return Outcome.Success;
        }

        var reason = $"the receiver answered {status} {response.ReasonPhrase}";
        if (_protocol != OtlpExportProtocol.HttpJson && OtlpResponse.TryReadStatus(body, out var statusMessage, out _) && statusMessage.Length > 0)
        {
            reason += ": " + Scrub(statusMessage);
        }

        if (status is 429 or 502 or 503 or 504)
        {
            return Outcome.Retry(reason, ReadRetryAfter(response.Headers.RetryAfter, _time.GetUtcNow()));
        }

        return Outcome.Permanent(reason);
    }

    private Outcome ClassifyGrpc(HttpResponseMessage response)
    {
        var httpStatus = (int)response.StatusCode;
        if (httpStatus != 200)
        {
            // gRPC's HTTP-to-status mapping: 429, 502, 503 and 504 mean UNAVAILABLE, which is retryable.
            var reason = $"the receiver answered HTTP {httpStatus} {response.ReasonPhrase}";
            return httpStatus is 429 or 502 or 503 or 504
                ? Outcome.Retry(reason, ReadRetryAfter(response.Headers.RetryAfter, _time.GetUtcNow()))
                : Outcome.Permanent(reason);
        }

        var grpcStatus = ReadTrailer(response, "grpc-status");
        if (grpcStatus is null || !int.TryParse(grpcStatus, NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return Outcome.Permanent("the receiver's reply has no grpc-status");
        }

        if (code == 0)
        {
            if (TryReadGrpcMessage(response, _response.WrittenSpan, out var message)
                && OtlpResponse.TryReadPartialSuccess(message, out var rejected, out var text))
            {
                Diagnostics.ExportPartiallyRejected(ExporterName, rejected, Scrub(text));
            }

            return Outcome.Success;
        }

        TimeSpan? retryDelay = null;
        var description = $"the receiver answered gRPC status {code}";
        if (ReadTrailer(response, "grpc-message") is { Length: > 0 } grpcMessage)
        {
            description += ": " + Scrub(PercentDecoding.TryDecode(grpcMessage, out var decoded) ? decoded : grpcMessage);
        }

        if (ReadTrailer(response, "grpc-status-details-bin") is { Length: > 0 } details && TryDecodeBase64(details, out var statusBytes))
        {
            _ = OtlpResponse.TryReadStatus(statusBytes, out _, out retryDelay);
        }

        return IsRetryableGrpc(code, retryDelay is not null) ? Outcome.Retry(description, retryDelay) : Outcome.Permanent(description);
    }

    private static bool TryReadGrpcMessage(HttpResponseMessage response, ReadOnlySpan<byte> body, out ReadOnlySpan<byte> message)
    {
        message = default;
        if (body.Length < GrpcPrefixLength)
        {
            return false;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(body[1..]);
        if (length > (uint)(body.Length - GrpcPrefixLength))
        {
            return false;
        }

        message = body.Slice(GrpcPrefixLength, (int)length);
        if (body[0] == 0)
        {
            return true;
        }

        // A compressed reply: only gzip is offered in grpc-accept-encoding.
        if (ReadTrailer(response, "grpc-encoding") is not "gzip")
        {
            return false;
        }

        try
        {
            using var input = new MemoryStream(message.ToArray());
            using var gzip = new GZipStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            gzip.CopyTo(output);
            message = output.ToArray();
            return true;
        }
        catch (InvalidDataException)
        {
            return false;
        }
    }

    private static string? ReadTrailer(HttpResponseMessage response, string name)
    {
        // Trailers-only replies carry the status in the headers.
        if (response.TrailingHeaders.TryGetValues(name, out var trailing))
        {
            foreach (var value in trailing)
            {
                return value;
            }
        }

        if (response.Headers.TryGetValues(name, out var values))
        {
            foreach (var value in values)
            {
                return value;
            }
        }

        return null;
    }

    private static bool TryDecodeBase64(string text, out byte[] bytes)
    {
        // grpc-status-details-bin is base64, often without padding.
        var padded = (text.Length % 4) switch
        {
            2 => text + "==",
            3 => text + "=",
            _ => text,
        };
        bytes = new byte[padded.Length];
        if (Convert.TryFromBase64String(padded, bytes, out var written))
        {
            bytes = bytes[..written];
            return true;
        }

        bytes = [];
        return false;
    }

    /// <summary>Removes every configured header value from text that goes into a diagnostic: header values are secrets.</summary>
    private string Scrub(string text)
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

    private enum OutcomeKind
    {
        Success,
        Retryable,
        Permanent,
    }

    private readonly record struct Outcome(OutcomeKind Kind, string Reason, TimeSpan? RetryAfter)
    {
        public static Outcome Success => new(OutcomeKind.Success, string.Empty, null);

        public static Outcome Retry(string reason, TimeSpan? retryAfter) => new(OutcomeKind.Retryable, reason, retryAfter);

        public static Outcome Permanent(string reason) => new(OutcomeKind.Permanent, reason, null);
    }
}
