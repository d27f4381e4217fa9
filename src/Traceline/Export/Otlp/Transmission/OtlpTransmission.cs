namespace Traceline.Export;

/// <summary>
/// Delivers one encoded batch: one timeout for the whole export (retries included), retries of what
/// <see cref="OtlpRetryPolicy"/> calls transient, a TLS failure dropped at once (it fails the same way again), and
/// exactly one diagnostic for a batch that is not delivered.
/// </summary>
internal sealed class OtlpTransmission
{
    private readonly OtlpConnection _connection;
    private readonly OtlpExportClient _client;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly TracelineDiagnostics _diagnostics;

    public OtlpTransmission(OtlpConnection connection, OtlpExportClient client, TimeSpan timeout, TimeProvider time, TracelineDiagnostics diagnostics)
    {
        _connection = connection;
        _client = client;
        _timeout = timeout;
        _time = time;
        _diagnostics = diagnostics;
    }

    /// <summary>Sends <paramref name="body"/> (holding <paramref name="count"/> spans) until it is delivered, refused for good, or out of time; replies are read into <paramref name="response"/>.</summary>
    public async ValueTask<ExportResult> SendAsync(ReadOnlyMemory<byte> body, PooledByteBuffer response, int count, CancellationToken cancellationToken)
    {
        using var timeout = _timeout == Timeout.InfiniteTimeSpan
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken)
            : new CancellationTokenSource(_timeout, _time);
        using var link = cancellationToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), timeout);
        if (_connection.Acquire(_diagnostics) is not { } client)
        {
            return ExportResult.Failure; // the TLS files cannot be used: reported when that was found
        }

        try
        {
            using var suppressed = Tracing.Suppress();
            var started = _time.GetTimestamp();

            for (var attempt = 1; ; attempt++)
            {
                OtlpExportOutcome outcome;
                try
                {
                    outcome = await _client.SendAsync(client, body, response, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (timeout.IsCancellationRequested)
                {
                    return Cancelled(count, attempt, cancellationToken);
                }
                catch (Exception ex) when (ex is HttpRequestException or IOException && _connection.IsTlsFailure(ex, out var tlsReason))
                {
                    // Permanent: the same handshake fails the same way on a retry.
                    _connection.ReportTlsFailure(_diagnostics, OtlpSpanExporter.ExporterName, count, _client.Scrub(tlsReason));
                    return ExportResult.Failure;
                }
                catch (HttpRequestException ex)
                {
                    outcome = OtlpExportOutcome.Retry("the request failed: " + _client.Scrub(ex.Message), null);
                }
                catch (IOException ex)
                {
                    // A connection reset while reading the reply: a network error, retried like the others.
                    outcome = OtlpExportOutcome.Retry("the connection failed: " + _client.Scrub(ex.Message), null);
                }

                switch (outcome.Kind)
                {
                    case OtlpExportOutcomeKind.Success:
                        _connection.Succeeded();
                        return ExportResult.Success;
                    case OtlpExportOutcomeKind.Permanent:
                        _diagnostics.ExportFailed(OtlpSpanExporter.ExporterName, count, outcome.Reason + "; the batch is dropped");
                        return ExportResult.Failure;
                }

                if (attempt >= OtlpRetryPolicy.MaxAttempts)
                {
                    _diagnostics.ExportFailed(OtlpSpanExporter.ExporterName, count, $"{outcome.Reason}; gave up after {attempt} attempts");
                    return ExportResult.Failure;
                }

                var delay = outcome.RetryAfter ?? OtlpRetryPolicy.Backoff(attempt);
                var left = _timeout == Timeout.InfiniteTimeSpan ? TimeSpan.MaxValue : _timeout - _time.GetElapsedTime(started);
                if (delay >= left)
                {
                    _diagnostics.ExportFailed(OtlpSpanExporter.ExporterName, count, $"{outcome.Reason}; a retry in {delay.TotalMilliseconds:0} ms would pass the export timeout of {_timeout.TotalMilliseconds:0} ms");
                    return ExportResult.Failure;
                }

                _diagnostics.ExportRetrying(OtlpSpanExporter.ExporterName, attempt, outcome.Reason, delay);
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
        finally
        {
            _connection.Release();
        }
    }

    private ExportResult Cancelled(int count, int attempt, CancellationToken caller)
    {
        var reason = caller.IsCancellationRequested
            ? "the export was cancelled by its processor (timeout or shutdown)"
            : $"no answer within the export timeout of {_timeout.TotalMilliseconds:0} ms ({attempt} attempt(s))";
        _diagnostics.ExportFailed(OtlpSpanExporter.ExporterName, count, reason);
        return ExportResult.Failure;
    }
}
