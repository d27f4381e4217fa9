using Traceline.Export;

namespace Traceline;

/// <summary>The OTLP exporter's settings: <c>Tracing:Otlp:*</c>, else the <c>OTEL_EXPORTER_OTLP_*</c> variables.</summary>
internal sealed partial class TracingSettings
{
    internal const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";
    internal const string OtlpTracesEndpointVariable = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";

    /// <summary>Gets the endpoint, or <see langword="null"/> for the protocol's default.</summary>
    public Uri? OtlpEndpoint { get; private set; }

    public OtlpEndpointRule OtlpEndpointRule { get; private set; }

    public OtlpExportProtocol OtlpProtocol { get; private set; }

    public IReadOnlyList<KeyValuePair<string, string>> OtlpHeaders { get; private set; } = [];

    public TimeSpan OtlpTimeout { get; private set; } = OtlpExporterOptions.DefaultTimeout;

    public OtlpCompression OtlpCompression { get; private set; }

    public int OtlpMaxConcurrentExports { get; private set; } = OtlpExporterOptions.DefaultMaxConcurrentExports;

    /// <summary>Fills <paramref name="options"/> with what configuration and environment say (code changes them after).</summary>
    public void ApplyTo(OtlpExporterOptions options)
    {
        if (OtlpEndpoint is { } endpoint)
        {
            options.SetEndpoint(endpoint, OtlpEndpointRule);
        }

        options.Protocol = OtlpProtocol;
        foreach (var header in OtlpHeaders)
        {
            options.Headers[header.Key] = header.Value;
        }

        options.Timeout = OtlpTimeout;
        options.Compression = OtlpCompression;
        options.MaxConcurrentExports = OtlpMaxConcurrentExports;
    }

    partial void ReadExtensions(SettingsSource source)
    {
        ReadOtlpEndpoint(source);
        OtlpProtocol = ReadOtlpProtocol(source);
        OtlpHeaders = ReadOtlpHeaders(source);
        OtlpTimeout = TimeSpan.FromMilliseconds(source.GetInt("Otlp:Timeout", Signal(source, "TIMEOUT"), (int)OtlpExporterOptions.DefaultTimeout.TotalMilliseconds, 1, int.MaxValue));
        OtlpCompression = ReadOtlpCompression(source);
        OtlpMaxConcurrentExports = source.GetInt("Otlp:MaxConcurrentExports", null, OtlpExporterOptions.DefaultMaxConcurrentExports, 1, SpanExporter.MaxConcurrentExportsLimit);
    }

    /// <summary>The signal-specific variable when it is set, else the general one (<c>OTEL_EXPORTER_OTLP_{name}</c>).</summary>
    private static string Signal(SettingsSource source, string name)
    {
        var specific = "OTEL_EXPORTER_OTLP_TRACES_" + name;
        return source.Get(null, specific, out _) is not null ? specific : "OTEL_EXPORTER_OTLP_" + name;
    }

    private void ReadOtlpEndpoint(SettingsSource source)
    {
        // Configuration is treated like code; the signal variable is used as it is; the general one gets /v1/traces.
        string variable;
        OtlpEndpointRule rule;
        if (source.Get("Otlp:Endpoint", null, out _) is not null)
        {
            variable = OtlpTracesEndpointVariable; // not read: configuration wins
            rule = OtlpEndpointRule.FromCode;
        }
        else if (source.Get(null, OtlpTracesEndpointVariable, out _) is not null)
        {
            variable = OtlpTracesEndpointVariable;
            rule = OtlpEndpointRule.AsIs;
        }
        else
        {
            variable = OtlpEndpointVariable;
            rule = OtlpEndpointRule.AppendSignalPath;
        }

        var raw = source.GetString("Otlp:Endpoint", variable);
        if (raw is null)
        {
            return;
        }

        if (Uri.TryCreate(raw, UriKind.Absolute, out var uri) && OtlpExporterOptions.IsHttpUrl(uri))
        {
            OtlpEndpoint = uri;
            OtlpEndpointRule = rule;
        }
        else
        {
            _ = source.Get("Otlp:Endpoint", variable, out var origin);
            source.Diagnostics.InvalidConfiguration(origin, SettingsSource.Shorten(RedactUserInfo(raw)), "the default endpoint", "Expected an absolute http:// or https:// URL, for example http://collector:4318.");
        }
    }

    /// <summary>
    /// The endpoint as it was written, but with any <c>user:password@</c> replaced by <c>***@</c>: a report must name
    /// the bad value without leaking the credentials in it.
    /// </summary>
    internal static string RedactUserInfo(string raw)
    {
        var scheme = raw.IndexOf("://", StringComparison.Ordinal);
        var start = scheme < 0 ? 0 : scheme + 3;
        var authorityEnd = raw.AsSpan(start).IndexOfAny('/', '?', '#');
        var end = authorityEnd < 0 ? raw.Length : start + authorityEnd;
        var at = raw.AsSpan(start, end - start).LastIndexOf('@');
        return at < 0 ? raw : string.Concat(raw.AsSpan(0, start), "***", raw.AsSpan(start + at));
    }

    private static OtlpExportProtocol ReadOtlpProtocol(SettingsSource source)
    {
        var variable = Signal(source, "PROTOCOL");
        var raw = source.GetString("Otlp:Protocol", variable);
        switch (raw?.ToLowerInvariant())
        {
            case null or "http/protobuf" or "httpprotobuf":
                return OtlpExportProtocol.HttpProtobuf;
            case "http/json" or "httpjson":
                return OtlpExportProtocol.HttpJson;
            case "grpc":
                return OtlpExportProtocol.Grpc;
            default:
                source.ReportInvalid("Otlp:Protocol", variable, "http/protobuf", "Expected grpc, http/protobuf or http/json.");
                return OtlpExportProtocol.HttpProtobuf;
        }
    }

    private static OtlpCompression ReadOtlpCompression(SettingsSource source)
    {
        var variable = Signal(source, "COMPRESSION");
        var raw = source.GetString("Otlp:Compression", variable);
        switch (raw?.ToLowerInvariant())
        {
            case null or "none":
                return OtlpCompression.None;
            case "gzip":
                return OtlpCompression.Gzip;
            default:
                source.ReportInvalid("Otlp:Compression", variable, "none", "Expected gzip or none.");
                return OtlpCompression.None;
        }
    }

    private static List<KeyValuePair<string, string>> ReadOtlpHeaders(SettingsSource source)
    {
        var variable = Signal(source, "HEADERS");
        var raw = source.Get("Otlp:Headers", variable, out var origin);

        // Header values are secrets: report what was wrong (by position and name), never a value; one report for the
        // whole variable, however many entries are wrong in it.
        var problems = new List<string>();
        var headers = OtlpHeadersParser.Parse(raw, problems.Add);
        if (problems.Count > 0)
        {
            source.Diagnostics.InvalidConfiguration(origin, "(not shown: header values are secret)", "the malformed entries skipped", "Expected comma-separated key=value pairs, percent-encoded: " + Summarize(problems) + ".");
        }

        return headers;
    }
}
