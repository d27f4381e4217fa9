using Traceline.Export;

namespace Traceline;

/// <summary>
/// The OTLP exporter's TLS files: <c>Tracing:Otlp:Certificate|ClientCertificate|ClientKey|ClientKeyPassword</c>, else
/// <c>OTEL_EXPORTER_OTLP_[TRACES_]CERTIFICATE|CLIENT_CERTIFICATE|CLIENT_KEY</c> (the signal's variable wins, each on
/// its own). Only paths are read here; the files are read, checked and reported by the exporter.
/// </summary>
internal sealed partial class TracingSettings
{
    private TlsFiles? _tlsFiles;

    /// <summary>Fills the TLS options from configuration and environment (code changes them after).</summary>
    public void ApplyTlsTo(OtlpExporterOptions options)
    {
        var files = _tlsFiles ??= ReadTlsFiles(Source);
        options.Tls.SetFromSettings(files.Certificate, files.ClientCertificate, files.ClientKey);
        if (files.ClientKeyPassword is { } password)
        {
            options.Tls.ClientKeyPassword = password;
        }
    }

    private static TlsFiles ReadTlsFiles(SettingsSource source) => new(
        ReadPath(source, "Otlp:Certificate", "CERTIFICATE"),
        ReadPath(source, "Otlp:ClientCertificate", "CLIENT_CERTIFICATE"),
        ReadPath(source, "Otlp:ClientKey", "CLIENT_KEY"),
        source.Get("Otlp:ClientKeyPassword", null, out _)); // a secret: kept as written, never reported

    private static (string Path, string Origin)? ReadPath(SettingsSource source, string configKey, string name)
    {
        var variable = Signal(source, name);
        _ = source.Get(configKey, variable, out var origin);
        return source.GetString(configKey, variable) is { } path ? (path, origin) : null;
    }

    private sealed record TlsFiles((string Path, string Origin)? Certificate, (string Path, string Origin)? ClientCertificate, (string Path, string Origin)? ClientKey, string? ClientKeyPassword);
}
