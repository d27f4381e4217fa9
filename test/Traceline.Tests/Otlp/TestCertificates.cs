using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Traceline.Tests.Otlp;

/// <summary>
/// A private PKI made in the test with <see cref="CertificateRequest"/>: a CA, a server certificate for 127.0.0.1 and
/// localhost (SAN), and client certificates, written as PEM files to a temporary folder.
/// </summary>
internal sealed class TestCertificates : IDisposable
{
    private TestCertificates(string folder, X509Certificate2 ca, X509Certificate2 server)
    {
        Folder = folder;
        Ca = ca;
        Server = server;
        CaFile = Path.Combine(folder, "ca.pem");
        File.WriteAllText(CaFile, ca.ExportCertificatePem());
    }

    public string Folder { get; }

    /// <summary>Gets the CA (with its private key: it signs the others).</summary>
    public X509Certificate2 Ca { get; }

    /// <summary>Gets the server certificate, with its key, loaded so that Kestrel can use it on any platform.</summary>
    public X509Certificate2 Server { get; }

    public string CaFile { get; }

    public static TestCertificates Create(string name = "Traceline Test CA", DateTimeOffset? serverNotAfter = null, DateTimeOffset? caNotAfter = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "traceline-tls-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var now = DateTimeOffset.UtcNow;

        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=" + name, caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var caEnd = caNotAfter ?? now.AddYears(1);
        var ca = caRequest.CreateSelfSigned(caEnd < now ? caEnd.AddDays(-2) : now.AddDays(-1), caEnd);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest("CN=localhost", serverKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddDnsName("localhost");
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, false));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serverEnd = serverNotAfter ?? now.AddDays(30);
        serverEnd = serverEnd > caEnd ? caEnd : serverEnd; // never past its issuer
        using var serverPublic = serverRequest.Create(ca, serverEnd < now ? serverEnd.AddDays(-1) : now.AddDays(-1), serverEnd, RandomSerial());
        using var serverWithKey = serverPublic.CopyWithPrivateKey(serverKey);
        var server = X509CertificateLoader.LoadPkcs12(serverWithKey.Export(X509ContentType.Pkcs12), null);
        return new TestCertificates(folder, ca, server);
    }

    /// <summary>Issues a client certificate signed by this CA and writes its certificate and key as PEM files.</summary>
    /// <param name="subject">The subject's common name.</param>
    /// <param name="rsa">An RSA key written as PKCS#1 (<c>RSA PRIVATE KEY</c>) rather than an EC key as PKCS#8.</param>
    /// <param name="notAfter">The end of validity (default: 30 days from now).</param>
    /// <param name="keyPassword">When set, the key is written as encrypted PKCS#8 (<c>ENCRYPTED PRIVATE KEY</c>).</param>
    public ClientFiles IssueClient(string subject, bool rsa = false, DateTimeOffset? notAfter = null, string? keyPassword = null)
    {
        var now = DateTimeOffset.UtcNow;
        using AsymmetricAlgorithm key = rsa ? RSA.Create(2048) : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = key is RSA r
            ? new CertificateRequest("CN=" + subject, r, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=" + subject, (ECDsa)key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        var end = notAfter ?? now.AddDays(30);
        // The CA's key is ECDSA and the client's may be RSA: sign with a generator for the CA's own key.
        using var caKey = Ca.GetECDsaPrivateKey()!;
        using var certificate = request.Create(Ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), end < now ? end.AddDays(-2) : now.AddDays(-1), end, RandomSerial());

        string keyPem;
        if (keyPassword is not null)
        {
            keyPem = key.ExportEncryptedPkcs8PrivateKeyPem(keyPassword, new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 10_000));
        }
        else
        {
            keyPem = key is RSA rsaKey ? rsaKey.ExportRSAPrivateKeyPem() : key.ExportPkcs8PrivateKeyPem();
        }

        var id = Guid.NewGuid().ToString("N")[..8];
        var files = new ClientFiles(Path.Combine(Folder, subject + "-" + id + ".crt.pem"), Path.Combine(Folder, subject + "-" + id + ".key.pem"), certificate.Thumbprint, certificate.ExportCertificatePem(), keyPem);
        File.WriteAllText(files.CertificateFile, files.CertificatePem);
        File.WriteAllText(files.KeyFile, files.KeyPem);
        return files;
    }

    /// <summary>
    /// Rewrites the client's key file as OpenSSL's traditional encrypted PEM (<c>Proc-Type: 4,ENCRYPTED</c>), made by the
    /// openssl command itself so that the reader is checked against another implementation.
    /// </summary>
    /// <param name="files">The client whose key file is rewritten in place.</param>
    /// <param name="password">The password.</param>
    /// <param name="cipher">An openssl cipher option, such as <c>-aes256</c> or <c>-des3</c>.</param>
    public static void EncryptKeyTheLegacyWay(ClientFiles files, string password, string cipher)
    {
        var command = files.KeyPem.Contains("RSA PRIVATE KEY", StringComparison.Ordinal) ? "rsa" : "ec";
        var start = new System.Diagnostics.ProcessStartInfo("openssl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[] { command, "-in", files.KeyFile, "-out", files.KeyFile + ".legacy", cipher, "-passout", "pass:" + password })
        {
            start.ArgumentList.Add(argument);
        }

        if (command == "rsa")
        {
            start.ArgumentList.Add("-traditional");
        }

        using var openssl = System.Diagnostics.Process.Start(start)!;
        var error = openssl.StandardError.ReadToEnd();
        openssl.WaitForExit();
        Assert.True(openssl.ExitCode == 0, "openssl failed: " + error);
        var legacy = File.ReadAllText(files.KeyFile + ".legacy");
        Assert.Contains("Proc-Type: 4,ENCRYPTED", legacy, StringComparison.Ordinal);
        File.Move(files.KeyFile + ".legacy", files.KeyFile, overwrite: true);
    }

    /// <summary>Whether <paramref name="certificate"/> chains to this CA alone (how the receiver checks clients).</summary>
    public bool Issued(X509Certificate2 certificate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public void Dispose()
    {
        Ca.Dispose();
        Server.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private static byte[] RandomSerial()
    {
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number
        return serial;
    }

    /// <summary>A client certificate's files and what a test compares against.</summary>
    internal sealed record ClientFiles(string CertificateFile, string KeyFile, string Thumbprint, string CertificatePem, string KeyPem);
}
