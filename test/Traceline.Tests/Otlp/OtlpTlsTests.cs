using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Traceline.AspNetCore;
using Traceline.Export;

namespace Traceline.Tests.Otlp;

/// <summary>OTLP over mutual TLS against a real Kestrel receiver that requires a client certificate from a private CA.</summary>
public sealed class OtlpTlsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    // A host's shutdown may wait this long (not the 5 s default): on a loaded machine the worker can stall past 5 s,
    // and a timed-out shutdown adds three reports of its own (two TimedOut and a SpansDropped) to the one under test.
    private static readonly TimeSpan StalledShutdown = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData("http/protobuf", "good")]
    [InlineData("http/json", "good")]
    [InlineData("grpc", "good")]
    [InlineData("http/protobuf", "no-ca")]
    [InlineData("http/json", "no-ca")]
    [InlineData("grpc", "no-ca")]
    [InlineData("http/protobuf", "no-client")]
    [InlineData("http/json", "no-client")]
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
        using var provider = new TracingBuilder().TraceAllHttpClients(false).WithLoggerFactory(log).Build(new SettingsSource(null, environment.GetValueOrDefault, TracelineDiagnostics.Default));
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
        Assert.DoesNotContain("gave up", log.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretPart(client.KeyPem), log.AllText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http/protobuf", "objects")]
    [InlineData("http/json", "objects")]
    [InlineData("grpc", "objects")]
    [InlineData("http/protobuf", "encrypted-ec")]
    [InlineData("http/json", "encrypted-rsa")]
    [InlineData("grpc", "encrypted-rsa")]
    [InlineData("http/protobuf", "legacy-rsa-aes256")]
    [InlineData("grpc", "legacy-ec-des3")]
    [InlineData("http/json", "legacy-ec-aes128")]
    public async Task UseOtlpExporter_TlsFromCodeOptions_SpansArrive(string protocol, string form)
    {
        const string Password = "pässword-1";
        using var pki = TestCertificates.Create();
        await using var receiver = await OtlpTestReceiver.StartAsync(protocol == "grpc" ? HttpProtocols.Http2 : HttpProtocols.Http1, tls: pki);
        var legacy = form.StartsWith("legacy-", StringComparison.Ordinal);
        var client = pki.IssueClient("app", rsa: form.Contains("rsa", StringComparison.Ordinal), keyPassword: form == "objects" || legacy ? null : Password);
        if (legacy)
        {
            TestCertificates.EncryptKeyTheLegacyWay(client, Password, "-" + form.Split('-')[2]);
        }

        using var ca = X509CertificateLoader.LoadCertificateFromFile(pki.CaFile);
        using var certificate = form == "objects" ? X509Certificate2.CreateFromPemFile(client.CertificateFile, client.KeyFile) : null;
        var log = new CapturingLoggerFactory();
        using var provider = new TracingBuilder().TraceAllHttpClients(false).WithLoggerFactory(log).UseOtlpExporter(o =>
        {
            o.Endpoint = receiver.Address;
            o.Protocol = protocol switch { "grpc" => OtlpExportProtocol.Grpc, "http/json" => OtlpExportProtocol.HttpJson, _ => OtlpExportProtocol.HttpProtobuf };
            if (form == "objects")
            {
                o.Tls.TrustedCertificates.Add(ca);
                o.Tls.ClientCertificate = certificate;
            }
            else
            {
                o.Tls.CertificateFile = pki.CaFile;
                o.Tls.ClientCertificateFile = client.CertificateFile;
                o.Tls.ClientKeyFile = client.KeyFile;
                o.Tls.ClientKeyPassword = Password;
            }
        }).Build(new SettingsSource(null, _ => null, TracelineDiagnostics.Default));

        provider.GetTracer("app").StartSpan("work").End();
        Assert.True(provider.ForceFlush(Wait));

        var request = Assert.Single(receiver.Requests);
        Assert.Equal(client.Thumbprint, request.ClientCertificateThumbprint);
        Assert.Equal("", log.AllText);
    }

    [Theory]
    [InlineData("http/protobuf")]
    [InlineData("http/json")]
    [InlineData("grpc")]
    public async Task UseOtlpExporter_ClientCertificateFilesRotated_NextExportUsesTheNewCertificate(string protocol)
    {
        using var pki = TestCertificates.Create();
        await using var receiver = await OtlpTestReceiver.StartAsync(protocol == "grpc" ? HttpProtocols.Http2 : HttpProtocols.Http1, tls: pki);
        var first = pki.IssueClient("first");
        var second = pki.IssueClient("second", rsa: true);
        var log = new CapturingLoggerFactory();
        using var provider = BuildFromEnvironment(log, receiver, protocol, pki.CaFile, first.CertificateFile, first.KeyFile);

        provider.GetTracer("app").StartSpan("before").End();
        Assert.True(provider.ForceFlush(Wait));
        Assert.Equal(first.Thumbprint, Assert.Single(receiver.Requests).ClientCertificateThumbprint);

        // Rotation as a deployment does it: new content in the same files. No export is pending meanwhile.
        File.WriteAllText(first.KeyFile, second.KeyPem);
        File.WriteAllText(first.CertificateFile, second.CertificatePem);

        Assert.True(await ExportUntilAsync(provider, () => receiver.Requests[^1].ClientCertificateThumbprint == second.Thumbprint));
        Assert.Equal("", log.AllText);
    }

    [Fact]
    public async Task UseOtlpExporter_RotatedToAMismatchedKey_ReportedOnceAndTheLastGoodCertificateStays()
    {
        using var pki = TestCertificates.Create();
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, tls: pki);
        var client = pki.IssueClient("app");
        var stranger = pki.IssueClient("stranger");
        var log = new CapturingLoggerFactory();
        using var provider = BuildFromEnvironment(log, receiver, "http/protobuf", pki.CaFile, client.CertificateFile, client.KeyFile);
        provider.GetTracer("app").StartSpan("before").End();
        Assert.True(provider.ForceFlush(Wait));

        File.WriteAllText(client.KeyFile, stranger.KeyPem); // a half-done rotation: the key of another certificate
        for (var i = 0; i < 3; i++)
        {
            provider.GetTracer("app").StartSpan("during").End();
            Assert.True(provider.ForceFlush(Wait));
        }

        Assert.Equal(4, receiver.Requests.Count);
        Assert.All(receiver.Requests, r => Assert.Equal(client.Thumbprint, r.ClientCertificateThumbprint));
        var report = SingleReport(log);
        Assert.Equal("InvalidConfiguration", report.EventName);
        Assert.Contains("OTEL_EXPORTER_OTLP_CLIENT_KEY", report.Message, StringComparison.Ordinal);
        Assert.Contains(client.KeyFile, report.Message, StringComparison.Ordinal);
        Assert.Contains("does not match", report.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretPart(stranger.KeyPem), report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseOtlpExporter_ClientKeyMissingAtStartupThenWritten_ReportedOnceThenExportStarts()
    {
        using var pki = TestCertificates.Create();
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, tls: pki);
        var client = pki.IssueClient("app");
        var keyFile = client.KeyFile + ".later";
        var log = new CapturingLoggerFactory();
        using var provider = BuildFromEnvironment(log, receiver, "http/protobuf", pki.CaFile, client.CertificateFile, keyFile);

        for (var i = 0; i < 3; i++)
        {
            provider.GetTracer("app").StartSpan("lost").End();
            provider.ForceFlush(Wait);
        }

        Assert.Empty(receiver.Requests);
        var report = SingleReport(log);
        Assert.Equal("InvalidConfiguration", report.EventName);
        Assert.Contains("OTEL_EXPORTER_OTLP_CLIENT_KEY", report.Message, StringComparison.Ordinal);
        Assert.Contains(keyFile, report.Message, StringComparison.Ordinal);

        File.WriteAllText(keyFile, client.KeyPem);

        Assert.True(await ExportUntilAsync(provider, () => receiver.Requests.Count > 0));
        Assert.Equal(client.Thumbprint, receiver.Requests[0].ClientCertificateThumbprint);
        _ = SingleReport(log);
    }

    [Theory]
    [InlineData("missing-ca", "OTEL_EXPORTER_OTLP_CERTIFICATE", "does not exist")]
    [InlineData("missing-certificate", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "does not exist")]
    [InlineData("missing-key", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "does not exist")]
    [InlineData("folder", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "folder")]
    [InlineData("not-pem", "OTEL_EXPORTER_OTLP_CERTIFICATE", "no PEM certificate")]
    [InlineData("only-certificate", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "client key")]
    [InlineData("expired-ca", "OTEL_EXPORTER_OTLP_CERTIFICATE", "outside its validity")]
    [InlineData("expired-client", "OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE", "valid only from")]
    [InlineData("mismatched-key", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "does not match")]
    [InlineData("rsa-key-for-ec-certificate", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "does not match")]
    [InlineData("encrypted-without-password", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "no password")]
    [InlineData("wrong-password", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "cannot be decrypted")]
    [InlineData("legacy-without-password", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "no password")]
    [InlineData("legacy-wrong-password", "OTEL_EXPORTER_OTLP_CLIENT_KEY", "cannot be decrypted")]
    public async Task AddTracing_UnusableTlsFileAtStartup_AppServesAndOneReportNamesSettingAndPath(string problem, string variable, string reason)
    {
        const string Password = "s3cret-Pässword";
        using var pki = TestCertificates.Create();
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, tls: pki);
        var client = pki.IssueClient("app", keyPassword: problem is "encrypted-without-password" or "wrong-password" ? Password : null);
        var caFile = pki.CaFile;
        var certificateFile = client.CertificateFile;
        var keyFile = client.KeyFile;
        var secrets = new List<string> { SecretPart(client.KeyPem), Password };
        switch (problem)
        {
            case "missing-ca":
                caFile = Path.Combine(pki.Folder, "absent-ca.pem");
                break;
            case "missing-certificate":
                certificateFile = Path.Combine(pki.Folder, "absent.crt.pem");
                break;
            case "missing-key":
                keyFile = Path.Combine(pki.Folder, "absent.key.pem");
                break;
            case "folder":
                keyFile = pki.Folder;
                break;
            case "not-pem":
                caFile = Path.Combine(pki.Folder, "garbage.pem");
                File.WriteAllText(caFile, "not a certificate at all");
                break;
            case "only-certificate":
                keyFile = null;
                break;
            case "expired-ca":
                using (var old = TestCertificates.Create("Old CA", caNotAfter: DateTimeOffset.UtcNow.AddDays(-1)))
                {
                    caFile = Path.Combine(pki.Folder, "old-ca.pem");
                    File.Copy(old.CaFile, caFile);
                }

                break;
            case "expired-client":
                var expired = pki.IssueClient("expired", notAfter: DateTimeOffset.UtcNow.AddDays(-1));
                (certificateFile, keyFile) = (expired.CertificateFile, expired.KeyFile);
                secrets.Add(SecretPart(expired.KeyPem));
                break;
            case "mismatched-key":
            case "rsa-key-for-ec-certificate":
                var stranger = pki.IssueClient("stranger", rsa: problem == "rsa-key-for-ec-certificate");
                keyFile = stranger.KeyFile;
                secrets.Add(SecretPart(stranger.KeyPem));
                break;
            case "legacy-without-password":
            case "legacy-wrong-password":
                TestCertificates.EncryptKeyTheLegacyWay(client, Password, "-aes256");
                secrets.Add(File.ReadAllLines(client.KeyFile).SkipWhile(line => line.Length > 0).Skip(1).First()[..24]); // the encrypted body
                break;
        }

        var environment = new Dictionary<string, string>
        {
            ["OTEL_TRACES_EXPORTER"] = "otlp",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_CERTIFICATE"] = caFile,
            ["OTEL_EXPORTER_OTLP_TRACES_CLIENT_CERTIFICATE"] = certificateFile,
        };
        if (keyFile is not null)
        {
            environment["OTEL_EXPORTER_OTLP_CLIENT_KEY"] = keyFile;
        }

        var log = new CapturingLoggerFactory();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        if (problem is "wrong-password" or "legacy-wrong-password")
        {
            builder.Configuration["Tracing:Otlp:ClientKeyPassword"] = "not-" + Password;
            secrets.Add("not-" + Password);
        }

        builder.Services.AddTracing(t => t.WithLoggerFactory(log), environment.GetValueOrDefault);
        builder.Services.Configure<TracingHostingOptions>(o => o.ShutdownTimeout = StalledShutdown);
        await using var app = builder.Build();
        app.UseTracing();
        app.MapGet("/", () => "ok");
        await app.StartAsync();
        using (var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) })
        {
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal("ok", await http.GetStringAsync("/"));
            }
        }

        await app.StopAsync(); // the shutdown flush: whatever could leave has left

        Assert.Empty(receiver.Requests);
        var report = SingleReport(log);
        Assert.Equal("InvalidConfiguration", report.EventName);
        Assert.Contains(variable, report.Message, StringComparison.Ordinal);
        Assert.Contains(environment[variable], report.Message, StringComparison.Ordinal);
        Assert.Contains(reason, report.Message, StringComparison.Ordinal);
        Assert.All(secrets, secret => Assert.DoesNotContain(secret, report.Message, StringComparison.Ordinal));
    }

    /// <summary>The one report logged; a wrong count prints every report (a flake under load once printed only the count).</summary>
    private static (string EventName, string Message) SingleReport(CapturingLoggerFactory log)
    {
        var entries = log.Entries;
        Assert.True(entries.Count == 1, "expected one report, got:\n" + log.AllText);
        return entries[0];
    }

    private static TracerProvider BuildFromEnvironment(CapturingLoggerFactory log, OtlpTestReceiver receiver, string protocol, string caFile, string certificateFile, string keyFile)
    {
        var environment = new Dictionary<string, string>
        {
            ["OTEL_TRACES_EXPORTER"] = "otlp",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address.ToString(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = protocol,
            ["OTEL_EXPORTER_OTLP_CERTIFICATE"] = caFile,
            ["OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE"] = certificateFile,
            ["OTEL_EXPORTER_OTLP_CLIENT_KEY"] = keyFile,
        };

        // A reload check before every export, so that the test needs no clock.
        return new TracingBuilder().TraceAllHttpClients(false).WithLoggerFactory(log).UseOtlpExporter(o => o.Tls.ReloadInterval = TimeSpan.Zero)
            .Build(new SettingsSource(null, environment.GetValueOrDefault, TracelineDiagnostics.Default));
    }

    /// <summary>Exports one span at a time until <paramref name="condition"/> holds, or the wait is over.</summary>
    private static async Task<bool> ExportUntilAsync(TracerProvider provider, Func<bool> condition)
    {
        var deadline = DateTimeOffset.UtcNow + Wait;
        while (DateTimeOffset.UtcNow < deadline)
        {
            provider.GetTracer("app").StartSpan("after").End();
            await Task.Run(() => provider.ForceFlush(Wait));
            if (condition())
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A piece of the key's base64 body: it must never appear in a report.</summary>
    private static string SecretPart(string pem) => pem.Split('\n')[1][..24];
}
