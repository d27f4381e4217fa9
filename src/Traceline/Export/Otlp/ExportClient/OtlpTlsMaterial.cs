using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Traceline.Export;

/// <summary>The TLS material of one moment: the trust (null for the system's roots) and the client certificate, if any.</summary>
internal sealed class OtlpTlsMaterial : IDisposable
{
    private readonly bool _ownsClient;

    public OtlpTlsMaterial(X509Certificate2Collection? trust, X509Certificate2? client, X509Certificate2Collection? chain, bool ownsClient)
    {
        Trust = trust;
        Client = client;
        Chain = chain;
        _ownsClient = ownsClient;
    }

    public X509Certificate2Collection? Trust { get; }

    public X509Certificate2? Client { get; }

    public X509Certificate2Collection? Chain { get; }

    /// <summary>The options for the exporter's handler: the private CA replaces the system's roots; names are still checked.</summary>
    public SslClientAuthenticationOptions ToSslOptions()
    {
        var ssl = new SslClientAuthenticationOptions();
        if (Trust is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                RevocationMode = X509RevocationMode.NoCheck, // as SslStream's default; private CAs rarely publish CRLs
            };
            policy.CustomTrustStore.AddRange(Trust);
            ssl.CertificateChainPolicy = policy;
        }

        if (Client is not null)
        {
            ssl.ClientCertificateContext = SslStreamCertificateContext.Create(Client, Chain, offline: true);
        }

        return ssl;
    }

    public void Dispose()
    {
        if (_ownsClient)
        {
            Client?.Dispose();
        }
    }
}
