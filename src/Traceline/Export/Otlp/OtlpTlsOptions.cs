using System.Security.Cryptography.X509Certificates;

namespace Traceline.Export;

/// <summary>
/// How the OTLP exporter trusts an <c>https://</c> collector and proves who it is (mutual TLS). Reached through
/// <see cref="OtlpExporterOptions.Tls"/>.
/// </summary>
/// <remarks>
/// <para>
/// By default the collector's certificate is verified against the system's trusted roots, with its host name. A CA
/// (<see cref="CertificateFile"/> or <see cref="TrustedCertificates"/>) replaces the system roots for this exporter:
/// only certificates that chain to it are accepted. Nothing here turns verification off.
/// </para>
/// <para>
/// Files are PEM, as the OpenTelemetry specification asks, and are read again when their content changes (checked at
/// most once per <see cref="ReloadInterval"/>, before an export): a rotated certificate is used from the next export
/// on, without a restart. A file that cannot be used is reported once, naming the setting and the path (never the
/// content); at startup that turns this exporter off until the files load, on a reload the last good files stay in use.
/// Certificates given as objects win over files and are used as they are.
/// </para>
/// <para>None of this applies to an <c>http://</c> endpoint, nor when <see cref="OtlpExporterOptions.HttpMessageHandlerFactory"/> is set.</para>
/// </remarks>
public sealed class OtlpTlsOptions
{
    /// <summary>The default of <see cref="ReloadInterval"/>: 60 seconds.</summary>
    public static readonly TimeSpan DefaultReloadInterval = TimeSpan.FromSeconds(60);

    private TimeSpan _reloadInterval = DefaultReloadInterval;
    private (string Path, string Origin) _certificateSetting;
    private (string Path, string Origin) _clientCertificateSetting;
    private (string Path, string Origin) _clientKeySetting;

    /// <summary>
    /// Gets or sets the path of a PEM file of CA certificates that the collector's certificate must chain to, in place
    /// of the system's roots. Default: none (<c>OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE</c>, else
    /// <c>OTEL_EXPORTER_OTLP_CERTIFICATE</c>, or <c>Tracing:Otlp:Certificate</c>).
    /// </summary>
    public string? CertificateFile { get; set; }

    /// <summary>
    /// Gets or sets the path of the PEM client certificate (the leaf first, then any intermediates) for mutual TLS.
    /// Default: none (<c>OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_CERTIFICATE</c>, or <c>Tracing:Otlp:ClientCertificate</c>).
    /// Needs <see cref="ClientKeyFile"/>.
    /// </summary>
    public string? ClientCertificateFile { get; set; }

    /// <summary>
    /// Gets or sets the path of the client certificate's PEM private key: PKCS#8 (<c>PRIVATE KEY</c>), PKCS#1
    /// (<c>RSA PRIVATE KEY</c>) or SEC1 (<c>EC PRIVATE KEY</c>), or encrypted PKCS#8 (<c>ENCRYPTED PRIVATE KEY</c>)
    /// with <see cref="ClientKeyPassword"/>. Default: none (<c>OTEL_EXPORTER_OTLP_[TRACES_]CLIENT_KEY</c>, or
    /// <c>Tracing:Otlp:ClientKey</c>).
    /// </summary>
    public string? ClientKeyFile { get; set; }

    /// <summary>
    /// Gets or sets the password of an encrypted <see cref="ClientKeyFile"/>. Default: none. The specification names no
    /// variable for it: set it in code or as <c>Tracing:Otlp:ClientKeyPassword</c> (for example from a secret store).
    /// It never appears in a diagnostic.
    /// </summary>
    public string? ClientKeyPassword { get; set; }

    /// <summary>
    /// Gets the CA certificates that the collector's certificate must chain to, in place of the system's roots and of
    /// <see cref="CertificateFile"/>. Default: empty (the file, else the system's roots).
    /// </summary>
    public X509Certificate2Collection TrustedCertificates { get; } = [];

    /// <summary>
    /// Gets or sets the client certificate, with its private key, in place of <see cref="ClientCertificateFile"/> and
    /// <see cref="ClientKeyFile"/>. Default: none. It is used as it is (not reloaded) and not disposed by Traceline.
    /// </summary>
    public X509Certificate2? ClientCertificate { get; set; }

    /// <summary>Gets or sets how often, at most, the files are read again to pick up a rotation. Default: 60 seconds.</summary>
    /// <remarks><see cref="TimeSpan.Zero"/> checks before every export; <see cref="Timeout.InfiniteTimeSpan"/> never reloads.</remarks>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative (and not <see cref="Timeout.InfiniteTimeSpan"/>).</exception>
    public TimeSpan ReloadInterval
    {
        get => _reloadInterval;
        set
        {
            if (value < TimeSpan.Zero && value != Timeout.InfiniteTimeSpan)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "The certificate reload interval cannot be negative.");
            }

            _reloadInterval = value;
        }
    }

    /// <summary>Gets where <see cref="CertificateFile"/> came from, for reports: a variable, a configuration key, or code.</summary>
    internal string CertificateFileOrigin => Origin(CertificateFile, _certificateSetting, "OtlpExporterOptions.Tls.CertificateFile");

    internal string ClientCertificateFileOrigin => Origin(ClientCertificateFile, _clientCertificateSetting, "OtlpExporterOptions.Tls.ClientCertificateFile");

    internal string ClientKeyFileOrigin => Origin(ClientKeyFile, _clientKeySetting, "OtlpExporterOptions.Tls.ClientKeyFile");

    /// <summary>Gets whether anything here is set (files or certificates).</summary>
    internal bool IsConfigured =>
        CertificateFile is not null || ClientCertificateFile is not null || ClientKeyFile is not null
        || TrustedCertificates.Count > 0 || ClientCertificate is not null;

    /// <summary>Sets the files that configuration or the environment name, remembering which setting named each.</summary>
    internal void SetFromSettings((string Path, string Origin)? certificate, (string Path, string Origin)? clientCertificate, (string Path, string Origin)? clientKey)
    {
        if (certificate is { } ca)
        {
            CertificateFile = ca.Path;
            _certificateSetting = ca;
        }

        if (clientCertificate is { } cert)
        {
            ClientCertificateFile = cert.Path;
            _clientCertificateSetting = cert;
        }

        if (clientKey is { } key)
        {
            ClientKeyFile = key.Path;
            _clientKeySetting = key;
        }
    }

    // A path changed in code after the settings were applied is named as code's.
    private static string Origin(string? path, (string Path, string Origin) setting, string codeName) =>
        path is not null && path == setting.Path ? setting.Origin : codeName;
}
