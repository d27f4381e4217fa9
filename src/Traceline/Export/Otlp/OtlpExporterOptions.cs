namespace Traceline.Export;

/// <summary>Where and how the OTLP exporter sends spans. Given to <see cref="TracingBuilder.UseOtlpExporter"/>.</summary>
/// <remarks>
/// <para>
/// The options arrive filled from the <c>Tracing:Otlp</c> configuration section, else from the standard
/// <c>OTEL_EXPORTER_OTLP_*</c> environment variables, else with the specification's defaults; what the configure
/// callback sets wins over all of them. They are read once, when the provider is built.
/// </para>
/// </remarks>
public sealed class OtlpExporterOptions
{
    /// <summary>The default timeout of one export, retries included: 10 seconds.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    internal const string DefaultHttpEndpoint = "http://localhost:4318";
    internal const string DefaultGrpcEndpoint = "http://localhost:4317";
    internal const string TracesPath = "v1/traces";
    internal const string GrpcExportPath = "opentelemetry.proto.collector.trace.v1.TraceService/Export";

    internal const int DefaultMaxConcurrentExports = 2;

    private Uri? _endpoint;
    private TimeSpan _timeout = DefaultTimeout;
    private int _maxConcurrentExports = DefaultMaxConcurrentExports;

    /// <summary>
    /// Gets or sets the collector's URL. Default: <c>http://localhost:4318</c> for HTTP and <c>http://localhost:4317</c>
    /// for gRPC (or what configuration and environment name).
    /// </summary>
    /// <remarks>
    /// For the HTTP protocols an endpoint without a path (or with just <c>/</c>) gets the signal path
    /// <c>/v1/traces</c>; an endpoint with a path is used as it is. For gRPC the call's path
    /// (<c>/opentelemetry.proto.collector.trace.v1.TraceService/Export</c>) is always appended. An <c>http://</c>
    /// endpoint speaks gRPC as HTTP/2 without TLS (prior knowledge).
    /// </remarks>
    /// <exception cref="ArgumentException">The URL is not an absolute <c>http</c> or <c>https</c> URL.</exception>
    public Uri? Endpoint
    {
        get => _endpoint;
        set
        {
            if (value is not null && !IsHttpUrl(value))
            {
                throw new ArgumentException("The OTLP endpoint must be an absolute http:// or https:// URL, for example http://collector:4318.", nameof(value));
            }

            _endpoint = value;
            EndpointRule = OtlpEndpointRule.FromCode;
        }
    }

    /// <summary>Gets or sets the protocol. Default: <see cref="OtlpExportProtocol.HttpProtobuf"/>.</summary>
    public OtlpExportProtocol Protocol { get; set; }

    /// <summary>Gets the headers sent with every export, for example an API key. Header names are case-insensitive.</summary>
    /// <remarks>Values are secrets: they never appear in Traceline's diagnostics or exceptions.</remarks>
    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Gets or sets how long one export may take, retries included. Default: 10 seconds.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not positive (and not <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public TimeSpan Timeout
    {
        get => _timeout;
        set
        {
            if (value <= TimeSpan.Zero && value != System.Threading.Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The OTLP export timeout must be positive.");
            }

            _timeout = value;
        }
    }

    /// <summary>
    /// Gets or sets how many export requests may be in flight at once, 1 to 16. Default: 2 (configuration
    /// <c>Tracing:Otlp:MaxConcurrentExports</c>; OpenTelemetry names no variable for it). 1 sends one batch at a time,
    /// as the OpenTelemetry SDKs do.
    /// </summary>
    /// <remarks>
    /// The OTLP specification allows concurrent requests, and the OpenTelemetry Collector's exporters send with
    /// several consumers (<c>sending_queue.num_consumers</c>). With more than one, the batch processor hands each
    /// batch to a free slot and keeps draining; batches may then arrive out of order, each request has its own
    /// buffers, the processor holds up to this many batches besides its queue, and flush and shutdown wait for every
    /// request in flight. Measured against a slow collector (the README's Bursts section), a second request in flight
    /// kept the collector busy through each round trip: with a two-core collector it dropped 0.13 % of the spans of
    /// an overload where one request at a time dropped 24 %, and with a one-core collector it delivered about 7 % more.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is below 1 or above 16.</exception>
    public int MaxConcurrentExports
    {
        get => _maxConcurrentExports;
        set
        {
            if (value < 1 || value > SpanExporter.MaxConcurrentExportsLimit)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The OTLP exporter's concurrent exports must be from 1 to 16.");
            }

            _maxConcurrentExports = value;
        }
    }

    /// <summary>Gets or sets the compression. Default: <see cref="OtlpCompression.None"/>.</summary>
    public OtlpCompression Compression { get; set; }

    /// <summary>Gets how an <c>https://</c> collector is trusted and which client certificate is shown to it (see <see cref="OtlpTlsOptions"/>).</summary>
    public OtlpTlsOptions Tls { get; } = new();

    /// <summary>
    /// Gets or sets a factory of the handler that sends the exports, for full control of the connection (a proxy, a
    /// custom certificate check). Default: none, the exporter's own <see cref="SocketsHttpHandler"/> with <see cref="Tls"/>.
    /// </summary>
    /// <remarks>
    /// Called once, when the exporter is built; the exporter disposes the handler. <see cref="Tls"/> does not apply to
    /// it: its certificate checks are the handler's. gRPC needs HTTP/2 from it.
    /// </remarks>
    public Func<HttpMessageHandler>? HttpMessageHandlerFactory { get; set; }

    /// <summary>Gets how <see cref="Endpoint"/> turns into the URL posted to.</summary>
    internal OtlpEndpointRule EndpointRule { get; private set; } = OtlpEndpointRule.FromCode;

    /// <summary>Sets the endpoint read from configuration or a variable, with the rule its source implies.</summary>
    internal void SetEndpoint(Uri endpoint, OtlpEndpointRule rule)
    {
        _endpoint = endpoint;
        EndpointRule = rule;
    }

    /// <summary>Returns the URL the exporter posts to, by the protocol and the endpoint rule.</summary>
    internal Uri ResolveEndpoint()
    {
        if (_endpoint is null)
        {
            return Protocol == OtlpExportProtocol.Grpc
                ? new Uri(DefaultGrpcEndpoint + "/" + GrpcExportPath)
                : new Uri(DefaultHttpEndpoint + "/" + TracesPath);
        }

        if (Protocol == OtlpExportProtocol.Grpc)
        {
            return Append(_endpoint, GrpcExportPath);
        }

        return EndpointRule switch
        {
            OtlpEndpointRule.AsIs => _endpoint,
            OtlpEndpointRule.AppendSignalPath => Append(_endpoint, TracesPath),
            _ => _endpoint.AbsolutePath is "/" or "" ? Append(_endpoint, TracesPath) : _endpoint,
        };
    }

    internal static bool IsHttpUrl(Uri uri) =>
        uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && !string.IsNullOrEmpty(uri.Host);

    /// <summary>Appends a path to a base URL, with exactly one slash between them; query and fragment are dropped.</summary>
    private static Uri Append(Uri baseUri, string path)
    {
        var basePath = baseUri.AbsolutePath.TrimEnd('/');
        return new UriBuilder(baseUri) { Path = basePath + "/" + path, Query = string.Empty, Fragment = string.Empty }.Uri;
    }
}
