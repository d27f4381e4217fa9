using System.Net;
using System.Security.Authentication;
using System.Text;

namespace Traceline.Export;

/// <summary>
/// The OTLP exporter's <see cref="HttpClient"/> with its TLS material: built from <see cref="OtlpTlsOptions"/>, rebuilt
/// when the certificate files change (checked at most once per <see cref="OtlpTlsOptions.ReloadInterval"/>), and the
/// judge of which failures are TLS failures (permanent: a handshake that failed fails the same way on a retry).
/// </summary>
/// <remarks>
/// Exports may overlap (<see cref="OtlpExporterOptions.MaxConcurrentExports"/>): a client replaced by a reload is
/// disposed only once no export holds it, so swapping never cuts a send short. A TLS failure is reported once per
/// distinct cause until an export succeeds again, not once per batch.
/// </remarks>
internal sealed class OtlpConnection : IDisposable
{
    private const int MaxRememberedCauses = 16;

    private readonly OtlpTlsOptions _tls;
    private readonly string _host;
    private readonly TimeProvider _time;
    private readonly OtlpCertificates? _certificates;
    private readonly HashSet<string> _reportedCauses = new(StringComparer.Ordinal); // guarded by _lock
    private readonly List<IDisposable> _retired = []; // guarded by _lock: replaced clients and material, for when no export holds them
    private readonly Lock _lock = new();
    private int _inFlight; // guarded by _lock
    private HttpClient? _client;
    private OtlpTlsMaterial? _material;
    private OtlpTlsProblem? _lastProblem;
    private long _lastCheck;
    private int _closedBeforeFirstByte;

    /// <summary>Builds the client: <paramref name="handler"/> if given, else the options' factory, else a handler of our own.</summary>
    public OtlpConnection(OtlpExporterOptions options, Uri endpoint, TimeProvider time, TracelineDiagnostics diagnostics, HttpMessageHandler? handler)
    {
        _tls = options.Tls;
        _host = endpoint.Host;
        _time = time;
        _lastCheck = time.GetTimestamp();
        handler ??= options.HttpMessageHandlerFactory?.Invoke();
        if (handler is not null)
        {
            _client = CreateClient(handler);
            return;
        }

        if (endpoint.Scheme != Uri.UriSchemeHttps)
        {
            if (_tls.IsConfigured)
            {
                diagnostics.InvalidConfiguration(FirstOrigin(), "(certificates for an http:// endpoint)", "no TLS", "The endpoint is " + endpoint.Scheme + "://, so the certificates are not used; use an https:// endpoint.");
            }

            _client = CreateClient(CreateHandler(null));
            return;
        }

        _certificates = new OtlpCertificates(_tls, time);
        if (_certificates.TryLoad(out _material, out var problem))
        {
            _client = CreateClient(CreateHandler(_material));
        }
        else
        {
            Report(diagnostics, problem!, "no export until the file loads");
        }
    }

    /// <summary>
    /// Returns the client for the next export, after reloading changed certificate files when a check is due;
    /// <see langword="null"/> while the configured files cannot be used (reported already).
    /// </summary>
    public HttpClient? Acquire(TracelineDiagnostics diagnostics)
    {
        Volatile.Write(ref _closedBeforeFirstByte, 0);
        var client = Reload(diagnostics);
        if (client is not null)
        {
            lock (_lock)
            {
                _inFlight++;
            }
        }

        return client;
    }

    /// <summary>Called when an export that <see cref="Acquire"/> gave a client to is done with it.</summary>
    public void Release()
    {
        lock (_lock)
        {
            if (--_inFlight > 0 || _retired.Count == 0)
            {
                return;
            }

            foreach (var retired in _retired)
            {
                retired.Dispose();
            }

            _retired.Clear();
        }
    }

    /// <summary>Called after a successful export: a cause seen again later is worth a new report.</summary>
    public void Succeeded()
    {
        lock (_lock)
        {
            _reportedCauses.Clear();
        }
    }


    /// <summary>Whether a send failed in the TLS layer (handshake refused either way); <paramref name="reason"/> says why and what to do.</summary>
    public bool IsTlsFailure(Exception exception, out string reason)
    {
        reason = string.Empty;
        var request = exception as HttpRequestException;
        AuthenticationException? authentication = null;
        var innermost = exception;
        for (var e = exception; e is not null; e = e.InnerException)
        {
            authentication ??= e as AuthenticationException;
            innermost = e;
        }

        if (authentication is not null || request?.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            var text = new StringBuilder("the TLS handshake with the collector failed: ");
            text.Append(authentication?.Message ?? exception.Message);
            if (innermost != authentication && innermost != exception && innermost.Message.Length > 0)
            {
                text.Append(" (").Append(innermost.Message).Append(')');
            }

            var message = authentication?.Message ?? string.Empty;
            if (message.Contains("UntrustedRoot", StringComparison.Ordinal) || message.Contains("PartialChain", StringComparison.Ordinal))
            {
                text.Append(_material?.Trust is null
                    ? "; its certificate does not chain to a root this machine trusts: set OTEL_EXPORTER_OTLP_CERTIFICATE to the CA that issued it"
                    : "; its certificate does not chain to the CA in " + _tls.CertificateFileOrigin);
            }
            else if (message.Contains("NameMismatch", StringComparison.Ordinal))
            {
                text.Append("; its certificate does not name the host '").Append(_host).Append("' of the endpoint");
            }

            reason = text.ToString();
            return true;
        }

        // A server that refuses the client certificate after the handshake (TLS 1.3, or Kestrel's own check) closes the
        // new connection before sending a byte; a collector that answers at all sends its HTTP/2 settings or a status.
        if (Volatile.Read(ref _closedBeforeFirstByte) == 1 && exception is HttpRequestException or IOException)
        {
            reason = _material?.Client is { } client
                ? $"the collector closed the connection right after the TLS handshake, before answering: it most likely refused the client certificate {client.Subject} (thumbprint {client.Thumbprint}); check that it is issued by a CA the collector trusts"
                : "the collector closed the connection right after the TLS handshake, before answering: it most likely requires a client certificate, and none is set (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE and OTEL_EXPORTER_OTLP_CLIENT_KEY)";
            return true;
        }

        return false;
    }

    /// <summary>Reports a TLS failure once per distinct cause (until an export succeeds); the batch is dropped, not retried.</summary>
    public void ReportTlsFailure(TracelineDiagnostics diagnostics, string exporter, int spanCount, string reason)
    {
        bool first;
        lock (_lock)
        {
            first = _reportedCauses.Count < MaxRememberedCauses && _reportedCauses.Add(reason);
        }

        if (first)
        {
            diagnostics.ExportFailedOnce(exporter, spanCount, reason + "; the batch is dropped (not retried), and this cause is not reported again until an export succeeds");
        }
    }

    /// <summary>Called by <see cref="OtlpFirstReadWatch"/>: the server closed a new connection before its first byte.</summary>
    public void NoteClosedBeforeFirstByte() => Volatile.Write(ref _closedBeforeFirstByte, 1);

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var retired in _retired)
            {
                retired.Dispose();
            }

            _retired.Clear();
        }

        _client?.Dispose();
        _material?.Dispose();
    }

    /// <summary>The current client, rebuilt first when a check is due and the certificate files changed (called on the processor's worker, one call at a time).</summary>
    private HttpClient? Reload(TracelineDiagnostics diagnostics)
    {
        if (_certificates is null || !_certificates.UsesFiles || _tls.ReloadInterval == Timeout.InfiniteTimeSpan
            || _time.GetElapsedTime(_lastCheck) < _tls.ReloadInterval)
        {
            return _client;
        }

        _lastCheck = _time.GetTimestamp();
        if (!_certificates.HasChanged())
        {
            return _client;
        }

        if (!_certificates.TryLoad(out var material, out var problem))
        {
            Report(diagnostics, problem!, _client is null ? "no export until the file loads" : "the certificates loaded before");
            return _client;
        }

        lock (_lock)
        {
            // The old client and its connections go once no export uses them.
            Retire(_client);
            Retire(_material);
            _material = material;
            _client = CreateClient(CreateHandler(material));
            _lastProblem = null;
            _reportedCauses.Clear();
            return _client;
        }
    }

    private void Retire(IDisposable? old)
    {
        if (old is null)
        {
            return;
        }

        if (_inFlight == 0)
        {
            old.Dispose();
        }
        else
        {
            _retired.Add(old);
        }
    }

    private void Report(TracelineDiagnostics diagnostics, OtlpTlsProblem problem, string fallback)
    {
        if (problem == _lastProblem)
        {
            return; // the same file with the same problem: said already
        }

        _lastProblem = problem;
        diagnostics.InvalidConfiguration(problem.Origin, problem.Path, fallback, problem.Reason);
    }

    private string FirstOrigin() =>
        _tls.CertificateFile is not null ? _tls.CertificateFileOrigin
        : _tls.ClientCertificateFile is not null ? _tls.ClientCertificateFileOrigin
        : _tls.ClientKeyFile is not null ? _tls.ClientKeyFileOrigin
        : "OtlpExporterOptions.Tls";

    private static HttpClient CreateClient(HttpMessageHandler handler) => new(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

    private SocketsHttpHandler CreateHandler(OtlpTlsMaterial? material)
    {
        // Never traced: a handler of our own, not the app's HttpClient pipeline (nor Traceline's TracingHandler).
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            AutomaticDecompression = DecompressionMethods.None,
            AllowAutoRedirect = false, // a redirect would carry the API-key headers to another host
            UseCookies = false,
            RequestHeaderEncodingSelector = static (_, _) => Encoding.UTF8,
            ActivityHeadersPropagator = null, // .NET's own diagnostics must not add trace headers to our exports
        };
        if (material is not null)
        {
            handler.SslOptions = material.ToSslOptions();
            handler.PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(new OtlpFirstReadWatch(context.PlaintextStream, this));
        }

        return handler;
    }
}
