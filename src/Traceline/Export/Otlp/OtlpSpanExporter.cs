using System.IO.Compression;

namespace Traceline.Export;

/// <summary>
/// Sends spans to an OpenTelemetry collector by OTLP: protobuf or JSON over HTTP, or gRPC's unary
/// <c>TraceService/Export</c> over HTTP/2, all through its own <see cref="HttpClient"/>.
/// </summary>
/// <remarks>
/// <para>
/// The exporter only serializes and submits: the encoders are in <c>Serializer/</c>, one client per protocol and the
/// connection with its TLS material in <c>ExportClient/</c>, and timeout, retries and backoff in <c>Transmission/</c>
/// (by the OTLP specification: retries on 429, 502, 503, 504 and network errors, gRPC's retryable codes, the delay
/// the receiver asks for; any other failure drops the batch with one diagnostic). Header values never reach a diagnostic.
/// </para>
/// <para>
/// Its traffic is never traced: sends run inside <see cref="Tracing.Suppress"/> and through a handler that is not
/// Traceline's. A processor calls <see cref="ExportAsync"/> from one thread, and each call encodes its batch before it
/// returns, so the encoders are shared; up to <see cref="OtlpExporterOptions.MaxConcurrentExports"/> requests may be in
/// flight at once, each with its own buffers from a small pool, reused across exports.
/// </para>
/// </remarks>
internal sealed class OtlpSpanExporter : SpanExporter
{
    internal const string ExporterName = nameof(OtlpSpanExporter);

    private readonly OtlpConnection _connection;
    private readonly OtlpExportClient _client;
    private readonly OtlpTransmission _transmission;
    private readonly OtlpCompression _compression;
    private readonly OtlpProtobufEncoder? _protobuf;
    private readonly OtlpJsonEncoder? _json;
    private readonly OtlpRequestBuffers?[] _idle;

    /// <summary>Creates the exporter from resolved options.</summary>
    /// <param name="options">The options, read once.</param>
    /// <param name="time">The clock for timeouts and retry delays.</param>
    /// <param name="diagnostics">Where problems are reported.</param>
    /// <param name="handler">A handler in place of the exporter's own <see cref="SocketsHttpHandler"/> (benchmarks, tests); else the options' factory's.</param>
    /// <exception cref="ArgumentException">A header has an invalid name or a value with control characters.</exception>
    internal OtlpSpanExporter(OtlpExporterOptions options, TimeProvider? time = null, TracelineDiagnostics? diagnostics = null, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = options.ResolveEndpoint();
        _compression = options.Compression;
        time ??= TimeProvider.System;
        Diagnostics = diagnostics ?? TracelineDiagnostics.Default;
        var headers = ValidHeaders(options);
        if (options.Protocol == OtlpExportProtocol.HttpJson)
        {
            _json = new OtlpJsonEncoder();
        }
        else
        {
            _protobuf = new OtlpProtobufEncoder();
        }

        _client = options.Protocol switch
        {
            OtlpExportProtocol.Grpc => new OtlpGrpcExportClient(endpoint, _compression, headers, options.Timeout, time, Diagnostics),
            OtlpExportProtocol.HttpJson => new OtlpHttpJsonExportClient(endpoint, _compression, headers, time, Diagnostics),
            _ => new OtlpHttpProtobufExportClient(endpoint, _compression, headers, time, Diagnostics),
        };
        _connection = new OtlpConnection(options, endpoint, time, Diagnostics, handler);
        _transmission = new OtlpTransmission(_connection, _client, options.Timeout, time, Diagnostics);
        MaxConcurrentExports = options.MaxConcurrentExports;
        _idle = new OtlpRequestBuffers?[MaxConcurrentExports];
    }

    /// <summary>Gets the URL posted to.</summary>
    internal Uri Endpoint => _client.Endpoint;

    /// <inheritdoc/>
    /// <remarks>Each batch is encoded before the first <c>await</c>; nothing refers to a span after that.</remarks>
    public override bool ReleasesSpansAfterExport => true;

    /// <inheritdoc/>
    internal override int MaxConcurrentExports { get; }

    /// <inheritdoc/>
    /// <remarks>Every failure gets one diagnostic with its cause here (a TLS failure once per cause), none from the processor.</remarks>
    internal override bool ReportsOwnFailures => true;

    /// <inheritdoc/>
    public override ValueTask<ExportResult> ExportAsync(ReadOnlyMemory<Span> batch, CancellationToken cancellationToken)
    {
        var count = batch.Length;
        var buffers = Rent();
        ReadOnlyMemory<byte> body;
        try
        {
            body = Encode(batch.Span, buffers);
        }
        catch (Exception ex) // An exporter never throws into the processor: report and drop.
        {
            Return(buffers);
            Diagnostics.ExportFailed(ExporterName, count, "the batch could not be encoded: " + ex.GetType().Name);
            return ValueTask.FromResult(ExportResult.Failure);
        }

        if (body.IsEmpty)
        {
            Return(buffers);
            return ValueTask.FromResult(ExportResult.Success);
        }

        return SendAsync(body, buffers, count, cancellationToken);
    }

    /// <summary>The delay before retry number <paramref name="attempt"/> (see <see cref="OtlpRetryPolicy.Backoff"/>).</summary>
    internal static TimeSpan Backoff(int attempt) => OtlpRetryPolicy.Backoff(attempt);

    /// <summary>Whether a gRPC status code is worth retrying (see <see cref="OtlpRetryPolicy.IsRetryableGrpc"/>).</summary>
    internal static bool IsRetryableGrpc(int status, bool hasRetryInfo) => OtlpRetryPolicy.IsRetryableGrpc(status, hasRetryInfo);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _connection.Dispose();
            for (var i = 0; i < _idle.Length; i++)
            {
                Interlocked.Exchange(ref _idle[i], null)?.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private static KeyValuePair<string, string>[] ValidHeaders(OtlpExporterOptions options)
    {
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

        return [.. headers];
    }

    private async ValueTask<ExportResult> SendAsync(ReadOnlyMemory<byte> body, OtlpRequestBuffers buffers, int count, CancellationToken cancellationToken)
    {
        try
        {
            return await _transmission.SendAsync(body, buffers.Reply, count, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Return(buffers);
        }
    }

    /// <summary>An idle set of buffers, or a new one: there are never more sets than exports in flight.</summary>
    private OtlpRequestBuffers Rent()
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.Exchange(ref _idle[i], null) is { } buffers)
            {
                return buffers;
            }
        }

        return new OtlpRequestBuffers();
    }

    private void Return(OtlpRequestBuffers buffers)
    {
        for (var i = 0; i < _idle.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _idle[i], buffers, null) is null)
            {
                return;
            }
        }

        buffers.Dispose(); // more sets than slots (an export abandoned at its timeout came back late)
    }

    private ReadOnlyMemory<byte> Encode(ReadOnlySpan<Span> batch, OtlpRequestBuffers buffers)
    {
        var prefix = _client.FramePrefixLength;
        var payload = buffers.Payload;
        payload.Reset();
        if (prefix > 0)
        {
            payload.GetSpan(prefix);
            payload.Advance(prefix);
        }

        var length = _json is not null ? _json.Encode(batch, payload) : _protobuf!.Encode(batch, payload);
        if (_protobuf is not null && length == 0)
        {
            return ReadOnlyMemory<byte>.Empty; // nothing recording in the batch
        }

        var result = payload;
        if (_compression == OtlpCompression.Gzip)
        {
            var compressed = buffers.Compressed;
            compressed.Reset();
            compressed.GetSpan(prefix);
            compressed.Advance(prefix);
            using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                gzip.Write(payload.WrittenSpan[prefix..]);
            }

            result = compressed;
        }

        if (prefix > 0)
        {
            _client.WriteFramePrefix(result.Array.AsSpan(0, (int)result.Length));
        }

        return result.WrittenMemory;
    }
}
