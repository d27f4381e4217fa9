using Microsoft.AspNetCore.Server.Kestrel.Core;
using Traceline.Export;

namespace Traceline.Tests.Otlp;

/// <summary>OTLP over mutual TLS against a real Kestrel receiver that requires a client certificate from a private CA.</summary>
public sealed class OtlpTlsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("http/protobuf", "good")]
    [InlineData("http/json", "good")]
    [InlineData("grpc", "good")]
    [InlineData("http/protobuf", "no-ca")]
    [InlineData("grpc", "no-ca")]
    [InlineData("http/protobuf", "no-client")]
    [InlineData("grpc", "no-client")]
    [InlineData("http/protobuf", "wrong-client")]
    [InlineData("http/json", "wrong-client")]
    [InlineData("grpc", "wrong-client")]
    public async Task UseOtlpExporter_MutualTls_SpansArriveOnlyWithTheRightFiles(string protocol, string mode)
    {
        using var pki = TestCertificates.Create();
        using var other = TestCertificates.Create("Other CA");
        await using var receiver = await OtlpTestReceiver.StartAsync(protocol == "grpc" ? HttpProtocols.Http2 : HttpProtocols.Http1, tls: pki);
        var client = (mode == "wrong-client" ? other : pki).IssueClient("app", rsa: protocol == "http/json");
        var decoy = other.IssueClient("decoy");
        var environment = new Dictionary<string, string>
        {
            ["OTEL_TRACES_EXPORTER"] = "otlp",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol,
            ["OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"] = decoy.CertificateFile, // the _TRACES_ forms win
            ["OTEL_EXPORTER_OTLP_CLIENT_KEY"] = decoy.KeyFile,
        };
        if (mode != "no-ca")
        {
            environment["OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE"] = pki.CaFile;
        }

        if (mode != "no-client")
        {
            environment["OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE"] = client.CertificateFile;
            environment["OTEL_EXPORTER_OTLP_TRACES_CLIENT_KEY"] = client.KeyFile;
        }
        else
        {
            environment.Remove("OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE");
            environment.Remove("OTEL_EXPORTER_OTLP_CLIENT_KEY");
        }

        var log = new CapturingLoggerFactory();
        using var provider = new TracingBuilder().WithLoggerFactory(log).Build(new SettingsSource(null, environment.GetValueOrDefault, TracelineDiagnostics.Default));
        for (var i = 0; i < 3; i++)
        {
            provider.GetTracer("app").StartSpan("work").End();
            provider.ForceFlush(Wait);
        }

        Assert.Empty(log.Messages("InvalidConfiguration"));
        if (mode == "good")
        {
            Assert.Equal(3, receiver.Requests.Count);
            Assert.All(receiver.Requests, r => Assert.Equal(client.Thumbprint, r.ClientCertificateThumbprint));
            Assert.Empty(log.Messages("ExportFailed"));
            return;
        }

        Assert.Empty(receiver.Requests);
        Assert.Empty(log.Messages("ExportRetrying"));
        var report = Assert.Single(log.Messages("ExportFailed"));
        Assert.Contains(mode switch { "no-ca" => "OTEL_EXPORTER_OTLP_CERTIFICATE", "no-client" => "requires a client certificate", _ => client.Thumbprint }, report, StringComparison.Ordinal);
        Assert.DoesNotContain("BEGIN", report, StringComparison.Ordinal);
    }
}
