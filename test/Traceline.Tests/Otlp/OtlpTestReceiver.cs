using System.Collections.Concurrent;
using System.IO.Compression;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Traceline.Tests.Otlp.Proto.Collector;

namespace Traceline.Tests.Otlp;

/// <summary>A request the receiver got, with its body as sent (still compressed, still framed).</summary>
internal sealed record ReceivedRequest(string Path, string Protocol, string? ContentType, string? ContentEncoding, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public bool IsGrpc => ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;

    /// <summary>The message bytes: gRPC frame removed and gzip undone.</summary>
    public byte[] Payload
    {
        get
        {
            if (IsGrpc)
            {
                var compressed = Body[0] == 1;
                var length = (Body[1] << 24) | (Body[2] << 16) | (Body[3] << 8) | Body[4];
                Assert.Equal(Body.Length - 5, length);
                var message = Body[5..];
                if (compressed)
                {
                    Assert.Equal("gzip", Headers.GetValueOrDefault("grpc-encoding"));
                    return Gunzip(message);
                }

                return message;
            }

            return ContentEncoding == "gzip" ? Gunzip(Body) : Body;
        }
    }

    /// <summary>Gets the thumbprint of the client certificate the TLS connection presented, if any.</summary>
    public string? ClientCertificateThumbprint { get; init; }

    public ExportTraceServiceRequest DecodeProtobuf() => ExportTraceServiceRequest.Parser.ParseFrom(Payload);

    private static byte[] Gunzip(byte[] data)
    {
        using var input = new MemoryStream(data);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }
}

/// <summary>
/// A real OTLP receiver: Kestrel on 127.0.0.1 with a random port, HTTP/1.1 or HTTP/2 with prior knowledge (h2c). It
/// records every request and answers through a script (the attempt number starts at 1), by default with success.
/// With <see cref="TestCertificates"/> it speaks HTTPS only (ALPN picks HTTP/2 for gRPC) with the test CA's server
/// certificate and requires a client certificate that chains to that CA.
/// </summary>
internal sealed class OtlpTestReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _attempts;
    private int _untrustedClientCertificates;

    private OtlpTestReceiver(WebApplication app) => _app = app;

    public delegate Task Reply(HttpContext context, int attempt, CancellationToken stopping);

    public Uri Address { get; private set; } = null!;

    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>The request a <see cref="Reply"/> answers (requests that arrive at once are enqueued in any order).</summary>
    public static ReceivedRequest RequestOf(HttpContext context) => (ReceivedRequest)context.Items[typeof(ReceivedRequest)]!;

    /// <summary>Gets how many client certificates the receiver refused because they do not chain to its CA.</summary>
    public int UntrustedClientCertificates => Volatile.Read(ref _untrustedClientCertificates);

    public static async Task<OtlpTestReceiver> StartAsync(HttpProtocols protocols, Reply? reply = null, TestCertificates? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(tls is null ? "http://127.0.0.1:0" : "https://127.0.0.1:0");
        if (tls is not null)
        {
            builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out
        }

        OtlpTestReceiver? created = null;
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ConfigureEndpointDefaults(l => l.Protocols = protocols);
            if (tls is not null)
            {
                k.ConfigureHttpsDefaults(https =>
                {
                    https.ServerCertificate = tls.Server;
                    https.ClientCertificateMode = ClientCertificateMode.RequireCertificate;
                    https.ClientCertificateValidation = (certificate, _, _) =>
                    {
                        var trusted = tls.Issued(certificate);
                        if (!trusted && created is not null)
                        {
                            Interlocked.Increment(ref created._untrustedClientCertificates);
                        }

                        return trusted;
                    };
                });
            }
        });
        var app = builder.Build();
        var receiver = created = new OtlpTestReceiver(app);
        reply ??= Success;
        app.Run(async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in context.Request.Headers)
            {
                headers[header.Key] = header.Value.ToString();
            }

            var request = new ReceivedRequest(context.Request.Path, context.Request.Protocol, context.Request.ContentType, context.Request.Headers.ContentEncoding.ToString() is { Length: > 0 } e ? e : null, headers, body.ToArray())
            {
                ClientCertificateThumbprint = context.Connection.ClientCertificate?.Thumbprint,
            };
            context.Items[typeof(ReceivedRequest)] = request;
            receiver._requests.Enqueue(request);
            var attempt = Interlocked.Increment(ref receiver._attempts);
            await reply(context, attempt, receiver._stopping.Token);
        });
        await app.StartAsync();
        receiver.Address = new Uri(app.Urls.First());
        return receiver;
    }

    /// <summary>The default answer: an empty success, as gRPC or as HTTP.</summary>
    public static async Task Success(HttpContext context, int attempt, CancellationToken stopping)
    {
        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true)
        {
            await WriteGrpcAsync(context, new ExportTraceServiceResponse(), 0);
            return;
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = context.Request.ContentType;
        if (context.Request.ContentType == "application/json")
        {
            await context.Response.WriteAsync("{}", stopping);
        }
    }

    /// <summary>Answers gRPC: one framed message (when <paramref name="grpcStatus"/> is 0) and the status in trailers.</summary>
    public static async Task WriteGrpcAsync(HttpContext context, ExportTraceServiceResponse? message, int grpcStatus, string? grpcMessage = null, byte[]? details = null)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/grpc";
        if (grpcStatus == 0 && message is not null)
        {
            var bytes = Google.Protobuf.MessageExtensions.ToByteArray(message);
            var frame = new byte[5 + bytes.Length];
            frame[1] = (byte)(bytes.Length >> 24);
            frame[2] = (byte)(bytes.Length >> 16);
            frame[3] = (byte)(bytes.Length >> 8);
            frame[4] = (byte)bytes.Length;
            bytes.CopyTo(frame, 5);
            await context.Response.Body.WriteAsync(frame);
        }

        context.Response.AppendTrailer("grpc-status", grpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (grpcMessage is not null)
        {
            context.Response.AppendTrailer("grpc-message", grpcMessage);
        }

        if (details is not null)
        {
            context.Response.AppendTrailer("grpc-status-details-bin", Convert.ToBase64String(details).TrimEnd('='));
        }
    }

    /// <summary>Waits (without sleeping blindly) until the receiver has seen <paramref name="count"/> requests.</summary>
    public async Task<bool> WaitForAttemptsAsync(int count, TimeSpan timeout)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (Attempts < count)
        {
            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(10);
        }

        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }
}
