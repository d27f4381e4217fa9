using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Traceline.Export;

/// <summary>
/// Loads the OTLP exporter's TLS material from <see cref="OtlpTlsOptions"/>: the CA bundle and the client certificate
/// with its key, from PEM files or given as objects. Every problem is described naming the setting and the path, never
/// the content; <see cref="HasChanged"/> tells a cheap re-read whether the files' bytes changed since the last load.
/// </summary>
internal sealed class OtlpCertificates
{
    private const int MaxFileBytes = 1 << 20; // a system CA bundle is ~200 KB; anything past 1 MiB is not PEM certificates
    private const string RsaOid = "1.2.840.113549.1.1.1";
    private const string EcOid = "1.2.840.10045.2.1";

    private readonly OtlpTlsOptions _options;
    private readonly TimeProvider _time;
    private byte[]?[] _lastBytes = [];

    public OtlpCertificates(OtlpTlsOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
    }

    /// <summary>Gets whether any setting is read from a file (only those can change).</summary>
    public bool UsesFiles =>
        (_options.TrustedCertificates.Count == 0 && _options.CertificateFile is not null)
        || (_options.ClientCertificate is null && (_options.ClientCertificateFile is not null || _options.ClientKeyFile is not null));

    /// <summary>Whether the files' bytes differ from those of the last <see cref="TryLoad"/> (a file that vanished counts).</summary>
    public bool HasChanged()
    {
        var current = ReadAllQuietly();
        if (current.Length != _lastBytes.Length)
        {
            return true;
        }

        for (var i = 0; i < current.Length; i++)
        {
            if (!current[i].AsSpan().SequenceEqual(_lastBytes[i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Loads everything, or says what is wrong (the first problem found).</summary>
    public bool TryLoad(out OtlpTlsMaterial? material, out OtlpTlsProblem? problem)
    {
        _lastBytes = ReadAllQuietly();
        material = null;
        if (!TryLoadTrust(out var trust, out problem) || !TryLoadClient(out var client, out var chain, out problem))
        {
            return false;
        }

        material = new OtlpTlsMaterial(trust, client, chain, ownsClient: _options.ClientCertificate is null);
        return true;
    }

    private bool TryLoadTrust(out X509Certificate2Collection? trust, out OtlpTlsProblem? problem)
    {
        problem = null;
        trust = null;
        if (_options.TrustedCertificates.Count > 0)
        {
            trust = _options.TrustedCertificates;
            return true;
        }

        if (_options.CertificateFile is not { } path)
        {
            return true; // the system's roots
        }

        var origin = _options.CertificateFileOrigin;
        if (!TryReadPem(path, origin, out var text, out problem))
        {
            return false;
        }

        var bundle = ImportCertificates(text);
        if (bundle.Count == 0)
        {
            problem = new(origin, path, "It holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
            return false;
        }

        var now = _time.GetUtcNow();
        var anyValid = false;
        foreach (var certificate in bundle)
        {
            anyValid |= IsValidAt(certificate, now);
        }

        if (!anyValid)
        {
            problem = new(origin, path, $"Every certificate in it is outside its validity (the first ends {Format(bundle[0].NotAfter)}).");
            return false;
        }

        trust = bundle;
        return true;
    }

    private bool TryLoadClient(out X509Certificate2? client, out X509Certificate2Collection? chain, out OtlpTlsProblem? problem)
    {
        client = null;
        chain = null;
        problem = null;
        var now = _time.GetUtcNow();
        if (_options.ClientCertificate is { } given)
        {
            const string Origin = "OtlpExporterOptions.Tls.ClientCertificate";
            var subject = "the certificate " + given.Subject;
            if (!given.HasPrivateKey)
            {
                problem = new(Origin, subject, "It has no private key: load it with its key (X509Certificate2.CreateFromPemFile(certificate, key)).");
                return false;
            }

            if (!IsValidAt(given, now))
            {
                problem = new(Origin, subject, $"It is valid only from {Format(given.NotBefore)} to {Format(given.NotAfter)}.");
                return false;
            }

            client = given;
            return true;
        }

        var certificatePath = _options.ClientCertificateFile;
        var keyPath = _options.ClientKeyFile;
        if (certificatePath is null && keyPath is null)
        {
            return true;
        }

        if (certificatePath is null || keyPath is null)
        {
            var (setOrigin, setPath, missing) = certificatePath is null
                ? (_options.ClientKeyFileOrigin, keyPath!, "a client certificate (OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE)")
                : (_options.ClientCertificateFileOrigin, certificatePath, "a client key (OTEL_EXPORTER_OTLP_CLIENT_KEY)");
            problem = new(setOrigin, setPath, $"It needs {missing} as well, and none is set.");
            return false;
        }

        var certificateOrigin = _options.ClientCertificateFileOrigin;
        var keyOrigin = _options.ClientKeyFileOrigin;
        if (!TryReadPem(certificatePath, certificateOrigin, out var certificateText, out problem) || !TryReadPem(keyPath, keyOrigin, out var keyText, out problem))
        {
            return false;
        }

        var certificates = ImportCertificates(certificateText);
        if (certificates.Count == 0)
        {
            problem = new(certificateOrigin, certificatePath, "It holds no PEM certificate (-----BEGIN CERTIFICATE-----).");
            return false;
        }

        var leaf = certificates[0];
        if (!IsValidAt(leaf, now))
        {
            problem = new(certificateOrigin, certificatePath, $"Its certificate is valid only from {Format(leaf.NotBefore)} to {Format(leaf.NotAfter)}.");
            return false;
        }

        if (!TryAttachKey(leaf, keyText, keyOrigin, keyPath, certificateOrigin, out client, out problem))
        {
            return false;
        }

        certificates.RemoveAt(0);
        chain = certificates;
        return true;
    }

    private bool TryAttachKey(X509Certificate2 leaf, string keyText, string keyOrigin, string keyPath, string certificateOrigin, out X509Certificate2? client, out OtlpTlsProblem? problem)
    {
        client = null;
        problem = null;
        var legacy = OtlpLegacyPemKey.IsLegacyEncrypted(keyText);
        var encrypted = legacy || keyText.Contains("-----BEGIN ENCRYPTED PRIVATE KEY-----", StringComparison.Ordinal);
        if (encrypted && _options.ClientKeyPassword is null)
        {
            problem = new(keyOrigin, keyPath, "The key is encrypted and no password is set: the specification names no password variable; set Tracing:Otlp:ClientKeyPassword or OtlpExporterOptions.Tls.ClientKeyPassword, or give an unencrypted key.");
            return false;
        }

        AsymmetricAlgorithm? key = leaf.GetKeyAlgorithm() switch
        {
            RsaOid => RSA.Create(),
            EcOid => ECDsa.Create(),
            _ => null,
        };
        if (key is null)
        {
            problem = new(certificateOrigin, leaf.Subject, "Its key is neither RSA nor ECDSA, the kinds supported.");
            return false;
        }

        using (key)
        {
            try
            {
                if (legacy)
                {
                    OtlpLegacyPemKey.Import(key, keyText, _options.ClientKeyPassword!);
                }
                else if (encrypted)
                {
                    key.ImportFromEncryptedPem(keyText, _options.ClientKeyPassword);
                }
                else
                {
                    key.ImportFromPem(keyText);
                }
            }
            catch (ArgumentException)
            {
                var kind = key is RSA ? "RSA" : "EC";
                problem = new(keyOrigin, keyPath, $"It holds no {kind} private key in PEM (PRIVATE KEY, {kind} PRIVATE KEY or ENCRYPTED PRIVATE KEY), and the certificate's key is {kind}: the key does not match the certificate.");
                return false;
            }
            catch (CryptographicException)
            {
                problem = new(keyOrigin, keyPath, encrypted ? "The key cannot be decrypted with the password set, or is damaged." : "The key is damaged.");
                return false;
            }

            if (!key.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(leaf.PublicKey.ExportSubjectPublicKeyInfo()))
            {
                problem = new(keyOrigin, keyPath, "The key does not match the certificate in " + certificateOrigin + " (their public keys differ).");
                return false;
            }

            var withKey = key is RSA rsa ? leaf.CopyWithPrivateKey(rsa) : leaf.CopyWithPrivateKey((ECDsa)key);
            if (OperatingSystem.IsWindows())
            {
                // SChannel cannot use an ephemeral key for client authentication: give it a PKCS#12 import.
                var ephemeral = withKey;
                withKey = X509CertificateLoader.LoadPkcs12(ephemeral.Export(X509ContentType.Pkcs12), null);
                ephemeral.Dispose();
            }

            client = withKey;
            return true;
        }
    }

    private static bool TryReadPem(string path, string origin, out string text, out OtlpTlsProblem? problem)
    {
        text = string.Empty;
        problem = null;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                problem = new(origin, path, Directory.Exists(path) ? "It is a folder, not a PEM file." : "The file does not exist.");
                return false;
            }

            if (info.Length > MaxFileBytes)
            {
                problem = new(origin, path, $"The file is larger than {MaxFileBytes / 1024} KiB: not a PEM certificate or key file.");
                return false;
            }

            text = Encoding.UTF8.GetString(File.ReadAllBytes(path));
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            problem = new(origin, path, "The file cannot be read: " + ex.GetType().Name + ".");
            return false;
        }
    }

    private static X509Certificate2Collection ImportCertificates(string text)
    {
        var collection = new X509Certificate2Collection();
        try
        {
            collection.ImportFromPem(text);
        }
        catch (CryptographicException)
        {
            collection.Clear(); // a damaged certificate block: reported as holding no certificate
        }

        return collection;
    }

    private static bool IsValidAt(X509Certificate2 certificate, DateTimeOffset now) =>
        now >= certificate.NotBefore.ToUniversalTime() && now <= certificate.NotAfter.ToUniversalTime();

    private static string Format(DateTime time) => time.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private byte[]?[] ReadAllQuietly()
    {
        string?[] paths = [_options.TrustedCertificates.Count == 0 ? _options.CertificateFile : null, _options.ClientCertificate is null ? _options.ClientCertificateFile : null, _options.ClientCertificate is null ? _options.ClientKeyFile : null];
        var bytes = new byte[]?[paths.Length];
        for (var i = 0; i < paths.Length; i++)
        {
            try
            {
                bytes[i] = paths[i] is { } path && new FileInfo(path) is { Exists: true, Length: <= MaxFileBytes } ? File.ReadAllBytes(path) : null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                bytes[i] = null;
            }
        }

        return bytes;
    }
}
