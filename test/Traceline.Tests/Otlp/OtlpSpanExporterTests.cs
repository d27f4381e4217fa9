using System.Diagnostics;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Traceline.Export;
using Traceline.Tests.Otlp.Proto.Collector;
using Rpc = Traceline.Tests.Otlp.Proto.Rpc;

namespace Traceline.Tests.Otlp;

public sealed class OtlpSpanExporterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf, OtlpCompression.None)]
    [InlineData(OtlpExportProtocol.HttpProtobuf, OtlpCompression.Gzip)]
    [InlineData(OtlpExportProtocol.Grpc, OtlpCompression.None)]
    [InlineData(OtlpExportProtocol.Grpc, OtlpCompression.Gzip)]
    public async Task ExportAsync_RichSpans_EveryFieldSurvivesTheRoundTrip(OtlpExportProtocol protocol, OtlpCompression compression)
    {
        var grpc = protocol == OtlpExportProtocol.Grpc;
        await using var receiver = await OtlpTestReceiver.StartAsync(grpc ? HttpProtocols.Http2 : HttpProtocols.Http1);
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        using var exporter = CreateExporter(receiver, protocol, o => o.Compression = compression);

        var result = await exporter.ExportAsync(spans, CancellationToken.None);

        Assert.Equal(ExportResult.Success, result);
        var request = Assert.Single(receiver.Requests);
        Assert.Equal(grpc ? "/opentelemetry.proto.collector.trace.v1.TraceService/Export" : "/v1/traces", request.Path);
        Assert.Equal(grpc ? "HTTP/2" : "HTTP/1.1", request.Protocol);
        Assert.Equal(grpc ? "application/grpc" : "application/x-protobuf", request.ContentType);
        if (compression == OtlpCompression.Gzip && !grpc)
        {
            Assert.Equal("gzip", request.ContentEncoding);
        }

        if (grpc)
        {
            Assert.Equal(compression == OtlpCompression.Gzip ? 1 : 0, request.Body[0]);
        }

        RichSpans.AssertMatches(spans, request.DecodeProtobuf());
    }

    [Theory]
    [InlineData(OtlpCompression.None)]
    [InlineData(OtlpCompression.Gzip)]
    public async Task ExportAsync_HttpJson_DecodesWithSystemTextJsonAndMatches(OtlpCompression compression)
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1);
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.HttpJson, o => o.Compression = compression);

        Assert.Equal(ExportResult.Success, await exporter.ExportAsync(spans, CancellationToken.None));

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/v1/traces", request.Path);
        Assert.Equal("application/json", request.ContentType);
        using var document = JsonDocument.Parse(request.Payload);
        RichSpans.AssertJsonMatches(spans, document.RootElement);
    }

    [Fact]
    public async Task ExportAsync_SpansOfTwoScopes_GroupedByResourceThenScope()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1);
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.HttpProtobuf);

        await exporter.ExportAsync(spans, CancellationToken.None);

        var resourceSpans = Assert.Single(Assert.Single(receiver.Requests).DecodeProtobuf().ResourceSpans);
        Assert.Equal([RichSpans.ScopeName, RichSpans.OtherScopeName], resourceSpans.ScopeSpans.Select(s => s.Scope.Name));
        Assert.Equal(2, resourceSpans.ScopeSpans[0].Spans.Count);
        Assert.Equal(3, resourceSpans.ScopeSpans[1].Spans.Count);
        Assert.Equal("otlp-tests", resourceSpans.Resource.Attributes.Single(a => a.Key == "service.name").Value.StringValue);
    }

    [Fact]
    public async Task ExportAsync_Receiver503WithRetryAfterTwiceThen200_BatchArrivesExactlyOnce()
    {
        var accepted = 0;
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, async (context, attempt, stopping) =>
        {
            if (attempt <= 2)
            {
                context.Response.StatusCode = 503;
                context.Response.Headers.RetryAfter = "1";
                return;
            }

            Interlocked.Increment(ref accepted);
            await OtlpTestReceiver.Success(context, attempt, stopping);
        });
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var log = new CapturingLoggerFactory();
        // Two waits of a second each fit the default 10 s export timeout with room to spare, but not on a machine busy
        // with the rest of the suite: the test is about Retry-After, not about that timeout.
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.HttpProtobuf, o => o.Timeout = TimeSpan.FromSeconds(30), log);
        var clock = Stopwatch.StartNew();

        var result = await exporter.ExportAsync(spans, CancellationToken.None);

        Assert.Equal(ExportResult.Success, result);
        Assert.Equal(3, receiver.Attempts);
        Assert.Equal(1, accepted);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"Retry-After: 1 was not honoured ({clock.Elapsed}).");
        Assert.All(receiver.Requests, r => RichSpans.AssertMatches(spans, r.DecodeProtobuf()));
        Assert.Equal(2, log.Messages("ExportRetrying").Count());
        Assert.Empty(log.Messages("ExportFailed"));
    }

    [Fact]
    public async Task ExportAsync_Receiver400_SentOnceAndReportedWithTheReceiversMessage()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, async (context, attempt, stopping) =>
        {
            context.Response.StatusCode = 400;
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(new Rpc.Status { Code = 3, Message = "span name too long" }.ToByteArray(), stopping);
        });
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var log = new CapturingLoggerFactory();
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.HttpProtobuf, log: log);

        var result = await exporter.ExportAsync(spans, CancellationToken.None);

        Assert.Equal(ExportResult.Failure, result);
        Assert.Equal(1, receiver.Attempts);
        var failure = Assert.Single(log.Messages("ExportFailed"));
        Assert.Contains("400", failure, StringComparison.Ordinal);
        Assert.Contains("span name too long", failure, StringComparison.Ordinal);
        Assert.Contains("dropped", failure, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_ReceiverNeverAnswers_FailsWithinTheTimeout()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, (context, attempt, stopping) => Task.Delay(Timeout.Infinite, stopping));
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var log = new CapturingLoggerFactory();
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.HttpProtobuf, o => o.Timeout = TimeSpan.FromMilliseconds(500), log);
        var clock = Stopwatch.StartNew();

        var result = await exporter.ExportAsync(spans, CancellationToken.None);

        Assert.Equal(ExportResult.Failure, result);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"The export took {clock.Elapsed}.");
        Assert.Contains("timeout", Assert.Single(log.Messages("ExportFailed")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UseOtlpExporter_ReceiverNeverAnswers_EndingSpansNeverWaits()
    {
        var inFlight = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, async (context, attempt, stopping) =>
        {
            inFlight.TrySetResult();
            await Task.Delay(Timeout.Infinite, stopping);
        });
        using var provider = TestProviders.Create(b => b
            .UseOtlpExporter(o => (o.Endpoint, o.MaxConcurrentExports) = (receiver.Address, 1)) // one slot, held by the first export
            .WithBatchOptions(o => o.ScheduledDelay = TimeSpan.FromMilliseconds(10)));
        var tracer = provider.GetTracer("app");

        tracer.StartSpan("first").End();
        await inFlight.Task.WaitAsync(Wait);

        // The worker is stuck on the export: the app's thread ends spans without waiting for it.
        for (var i = 0; i < 1000; i++)
        {
            tracer.StartSpan("request").End();
        }

        Assert.Equal(1, receiver.Attempts);
        Assert.False(receiver.Requests.Count > 1);
    }

    [Fact]
    public async Task ExportAsync_GrpcUnavailableWithRetryInfo_RetriesAfterTheServersDelay()
    {
        var retryInfo = new Rpc.RetryInfo { RetryDelay = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)) };
        var status = new Rpc.Status { Code = 14, Message = "busy", Details = { Any.Pack(retryInfo) } };
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http2, (context, attempt, stopping) =>
            attempt == 1
                ? OtlpTestReceiver.WriteGrpcAsync(context, null, 14, "busy", status.ToByteArray())
                : OtlpTestReceiver.Success(context, attempt, stopping));
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var log = new CapturingLoggerFactory();
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.Grpc, log: log);

        var result = await exporter.ExportAsync(spans, CancellationToken.None);

        Assert.Equal(ExportResult.Success, result);
        Assert.Equal(2, receiver.Attempts);
        Assert.Contains("retrying in 200 ms", Assert.Single(log.Messages("ExportRetrying")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(3)] // INVALID_ARGUMENT
    [InlineData(8)] // RESOURCE_EXHAUSTED without RetryInfo
    [InlineData(16)] // UNAUTHENTICATED
    public async Task ExportAsync_GrpcPermanentStatus_SentOnceAndReported(int grpcStatus)
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http2, (context, attempt, stopping) =>
            OtlpTestReceiver.WriteGrpcAsync(context, null, grpcStatus, "no%20way"));
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var log = new CapturingLoggerFactory();
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.Grpc, log: log);

        Assert.Equal(ExportResult.Failure, await exporter.ExportAsync(spans, CancellationToken.None));
        Assert.Equal(1, receiver.Attempts);
        var failure = Assert.Single(log.Messages("ExportFailed"));
        Assert.Contains($"gRPC status {grpcStatus}: no way", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.HttpJson)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task ExportAsync_PartialSuccess_ReportedAndNotRetried(OtlpExportProtocol protocol)
    {
        var reply = new ExportTraceServiceResponse { PartialSuccess = new ExportTracePartialSuccess { RejectedSpans = 2, ErrorMessage = "2 spans too old" } };
        await using var receiver = await OtlpTestReceiver.StartAsync(protocol == OtlpExportProtocol.Grpc ? HttpProtocols.Http2 : HttpProtocols.Http1, async (context, attempt, stopping) =>
        {
            switch (protocol)
            {
                case OtlpExportProtocol.Grpc:
                    await OtlpTestReceiver.WriteGrpcAsync(context, reply, 0);
                    break;
                case OtlpExportProtocol.HttpJson:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("""{"partialSuccess":{"rejectedSpans":"2","errorMessage":"2 spans too old"}}""", stopping);
                    break;
                default:
                    context.Response.ContentType = "application/x-protobuf";
                    await context.Response.Body.WriteAsync(reply.ToByteArray(), stopping);
                    break;
            }
        });
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var log = new CapturingLoggerFactory();
        using var exporter = CreateExporter(receiver, protocol, log: log);

        Assert.Equal(ExportResult.Success, await exporter.ExportAsync(spans, CancellationToken.None));
        Assert.Equal(1, receiver.Attempts);
        var report = Assert.Single(log.Messages("ExportPartiallyRejected"));
        Assert.Contains("rejected 2 span(s): 2 spans too old", report, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_Headers_SentButTheirValuesNeverReported()
    {
        const string Secret = "s3cr3t-api-key-value";
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1, async (context, attempt, stopping) =>
        {
            context.Response.StatusCode = 401;
            context.Response.ContentType = "application/x-protobuf";
            await context.Response.Body.WriteAsync(new Rpc.Status { Code = 16, Message = "bad key " + Secret }.ToByteArray(), stopping);
        });
        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var log = new CapturingLoggerFactory();
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.HttpProtobuf, o => o.Headers["x-api-key"] = Secret, log);

        Assert.Equal(ExportResult.Failure, await exporter.ExportAsync(spans, CancellationToken.None));

        Assert.Equal(Secret, Assert.Single(receiver.Requests).Headers["x-api-key"]);
        Assert.Contains("401", log.AllText, StringComparison.Ordinal);
        Assert.Contains("bad key ***", log.AllText, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, log.AllText, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_HeaderValueWithNewline_ThrowsWithoutShowingTheValue()
    {
        var options = new OtlpExporterOptions();
        options.Headers["x-api-key"] = "secret\r\nx-evil: 1";

        var error = Assert.Throws<ArgumentException>(() => new OtlpSpanExporter(options));

        Assert.Contains("x-api-key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportAsync_UnreachableCollector_FailsAndReportsWithoutThrowing()
    {
        // A port that was just free: connection refused, retried with backoff until the timeout cuts it short.
        Uri address;
        await using (var closed = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1))
        {
            address = closed.Address;
        }

        var (provider, spans) = RichSpans.Create();
        using var _ = provider;
        var log = new CapturingLoggerFactory();
        using var exporter = new OtlpSpanExporter(new OtlpExporterOptions { Endpoint = address, Timeout = TimeSpan.FromSeconds(2) }, diagnostics: new TracelineDiagnostics(log));

        Assert.Equal(ExportResult.Failure, await exporter.ExportAsync(spans, CancellationToken.None));
        Assert.Single(log.Messages("ExportFailed"));
    }

    [Fact]
    public async Task UseOtlpExporter_ConfiguredByVariables_SpansArriveAtTheSignalPath()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1);
        var environment = new Dictionary<string, string>
        {
            ["OTEL_TRACES_EXPORTER"] = "otlp",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Address.ToString().TrimEnd('/') + "/base/",
            ["OTEL_EXPORTER_OTLP_HEADERS"] = "x-tenant=acme%20corp",
            ["OTEL_EXPORTER_OTLP_COMPRESSION"] = "gzip",
        };
        using var provider = new TracingBuilder().TraceAllHttpClients(false).Build(new SettingsSource(null, environment.GetValueOrDefault, TracelineDiagnostics.Default));

        provider.GetTracer("app").StartSpan("work").End();
        Assert.True(provider.ForceFlush(Wait));

        var request = Assert.Single(receiver.Requests);
        Assert.Equal("/base/v1/traces", request.Path);
        Assert.Equal("acme corp", request.Headers["x-tenant"]);
        Assert.Equal("gzip", request.ContentEncoding);
        Assert.Equal("work", request.DecodeProtobuf().ResourceSpans[0].ScopeSpans[0].Spans[0].Name);
    }

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.HttpJson)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task UseOtlpExporter_TwoConcurrentExports_OverlapAtTheReceiver_EachBatchArrivesOnce(OtlpExportProtocol protocol)
    {
        // The receiver holds the first request until the second one arrives: with one export in flight it never would.
        var second = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var receiver = await OtlpTestReceiver.StartAsync(protocol == OtlpExportProtocol.Grpc ? HttpProtocols.Http2 : HttpProtocols.Http1, async (context, attempt, stopping) =>
        {
            if (attempt == 1)
            {
                await second.Task.WaitAsync(stopping);
            }
            else
            {
                second.TrySetResult();
            }

            await OtlpTestReceiver.Success(context, attempt, stopping);
        });
        using var provider = TestProviders.Create(b => b
            .UseOtlpExporter(o => (o.Endpoint, o.Protocol, o.MaxConcurrentExports) = (receiver.Address, protocol, 2))
            .WithBatchOptions(o => (o.MaxExportBatchSize, o.ScheduledDelay) = (10, TimeSpan.FromHours(1))));
        var tracer = provider.GetTracer("app");
        var ended = new HashSet<string>();
        for (var i = 0; i < 20; i++)
        {
            var span = tracer.StartSpan("work");
            span.SetAttribute("i", i);
            span.End();
            ended.Add(span.Context.SpanId.ToString());
        }

        await second.Task.WaitAsync(Wait); // both requests in flight at once
        Assert.True(provider.ForceFlush(Wait));

        Assert.Equal(2, receiver.Requests.Count);
        var received = receiver.Requests.SelectMany(r => SpanIds(r, protocol)).ToList();
        Assert.Equal(20, received.Count);
        Assert.True(ended.SetEquals(received)); // every span once, in one of the two requests
    }

    [Theory]
    [InlineData(OtlpExportProtocol.HttpProtobuf)]
    [InlineData(OtlpExportProtocol.Grpc)]
    public async Task ExportAsync_ExportsTimingOutCancelledFailingAndSucceedingAtOnce_EveryBodyIsExactlyOneBatch(OtlpExportProtocol protocol)
    {
        // Buffers go back to the exporter (and, past its slots, to the shared ArrayPool) on every path: a set returned
        // while a send still read it would put one batch's bytes in another's body, and one returned twice would give
        // two owners the same array, which the canary below would see as bytes it did not write.
        await using var receiver = await OtlpTestReceiver.StartAsync(protocol == OtlpExportProtocol.Grpc ? HttpProtocols.Http2 : HttpProtocols.Http1, async (context, attempt, stopping) =>
        {
            switch (attempt % 3)
            {
                case 0:
                    await Task.Delay(Timeout.Infinite, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // past the export timeout
                    return;
                case 1:
                    context.Response.StatusCode = 400; // permanent: dropped, not retried
                    return;
                default:
                    await OtlpTestReceiver.Success(context, attempt, stopping);
                    return;
            }
        });
        using var provider = TestProviders.CreateInMemory().Provider;
        var tracer = provider.GetTracer("batches");
        var batches = new List<Span[]>();
        for (var b = 0; b < 24; b++)
        {
            var batch = new Span[40];
            for (var i = 0; i < batch.Length; i++)
            {
                var span = tracer.StartSpan("batch " + b);
                span.SetAttribute("padding", new string((char)('a' + (b % 26)), 1000 + (i * 37)));
                span.End();
                batch[i] = span;
            }

            batches.Add(batch);
        }

        using var exporter = CreateExporter(receiver, protocol, o => (o.Timeout, o.MaxConcurrentExports) = (TimeSpan.FromMilliseconds(300), 4));
        using var stopCanary = new CancellationTokenSource();
        var canary = Task.Run(() => WatchPooledArrays(stopCanary.Token));

        // Six at a time, past the four slots; the fourth of each group cancelled by its caller as soon as it is sent.
        foreach (var group in batches.Chunk(6))
        {
            var exports = new List<Task<ExportResult>>();
            var cancels = group.Select(_ => new CancellationTokenSource()).ToArray();
            foreach (var (batch, cancel) in group.Zip(cancels))
            {
                exports.Add(exporter.ExportAsync(batch, cancel.Token).AsTask());
                if (exports.Count % 4 == 0)
                {
                    await cancel.CancelAsync();
                }
            }

            await Task.WhenAll(exports).WaitAsync(Wait);
            Array.ForEach(cancels, c => c.Dispose());
        }

        await stopCanary.CancelAsync();
        Assert.Null(await canary.WaitAsync(Wait));
        Assert.NotEmpty(receiver.Requests);
        var expected = batches.Select(batch => string.Join(",", batch.Select(s => s.Context.SpanId.ToString()).Order())).ToHashSet();
        Assert.All(receiver.Requests, request => Assert.Contains(string.Join(",", SpanIds(request, protocol).Order()), expected));
    }

    /// <summary>Rents shared arrays, fills them, yields and checks them until stopped; says what went wrong, or null.</summary>
    private static async Task<string?> WatchPooledArrays(CancellationToken stop)
    {
        var round = 0;
        while (!stop.IsCancellationRequested)
        {
            var size = 1024 << (round % 7); // 1 KiB to 64 KiB: the sizes the exporter's buffers take
            var array = System.Buffers.ArrayPool<byte>.Shared.Rent(size);
            var pattern = (byte)(round * 31 + 7);
            array.AsSpan().Fill(pattern);
            await Task.Yield();
            var foreign = array.AsSpan().IndexOfAnyExcept(pattern);
            System.Buffers.ArrayPool<byte>.Shared.Return(array);
            if (foreign >= 0)
            {
                return $"a rented array of {array.Length} bytes changed at {foreign} while its renter held it";
            }

            round++;
        }

        return null;
    }

    [Fact]
    public async Task UseOtlpExporter_EndpointInCode_WinsOverConfigurationAndEnvironment()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http2);
        var configuration = new Dictionary<string, string> { ["Otlp:Endpoint"] = "http://127.0.0.1:9/", ["Otlp:Protocol"] = "http/json" };
        var environment = new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9/" };
        var builder = new TracingBuilder().TraceAllHttpClients(false).UseOtlpExporter(o =>
        {
            o.Endpoint = receiver.Address;
            o.Protocol = OtlpExportProtocol.Grpc;
        });
        using var provider = builder.Build(new SettingsSource(configuration.GetValueOrDefault, environment.GetValueOrDefault, TracelineDiagnostics.Default));

        provider.GetTracer("app").StartSpan("work").End();
        Assert.True(provider.ForceFlush(Wait));

        var request = Assert.Single(receiver.Requests);
        Assert.True(request.IsGrpc);
        Assert.Equal("work", request.DecodeProtobuf().ResourceSpans[0].ScopeSpans[0].Spans[0].Name);
    }

    [Fact]
    public async Task ExportAsync_NonRecordingSpansOnly_SendsNothing()
    {
        await using var receiver = await OtlpTestReceiver.StartAsync(HttpProtocols.Http1);
        using var provider = TestProviders.Create(b => b.WithSampler(Traceline.Sampling.Sampler.AlwaysOff).UseInMemoryExporter(new InMemorySpanExporter()));
        var span = provider.GetTracer("t").StartSpan("dropped");
        span.End();
        using var exporter = CreateExporter(receiver, OtlpExportProtocol.HttpProtobuf);

        Assert.Equal(ExportResult.Success, await exporter.ExportAsync(new[] { span }, CancellationToken.None));
        Assert.Equal(0, receiver.Attempts);
    }

    [Theory]
    [InlineData(1, 500, 1000)]
    [InlineData(2, 750, 1500)]
    [InlineData(10, 2500, 5000)]
    public void Backoff_Attempt_ExponentialWithJitterAndCapped(int attempt, double minMilliseconds, double maxMilliseconds)
    {
        for (var i = 0; i < 50; i++)
        {
            var delay = OtlpSpanExporter.Backoff(attempt).TotalMilliseconds;
            Assert.InRange(delay, minMilliseconds, maxMilliseconds);
        }
    }

    [Theory]
    [InlineData(1, false, true)] // CANCELLED
    [InlineData(4, false, true)] // DEADLINE_EXCEEDED
    [InlineData(8, false, false)] // RESOURCE_EXHAUSTED, no RetryInfo
    [InlineData(8, true, true)] // RESOURCE_EXHAUSTED with RetryInfo
    [InlineData(10, false, true)] // ABORTED
    [InlineData(11, false, true)] // OUT_OF_RANGE
    [InlineData(14, false, true)] // UNAVAILABLE
    [InlineData(15, false, true)] // DATA_LOSS
    [InlineData(3, false, false)] // INVALID_ARGUMENT
    [InlineData(7, false, false)] // PERMISSION_DENIED
    [InlineData(12, false, false)] // UNIMPLEMENTED
    [InlineData(16, false, false)] // UNAUTHENTICATED
    public void IsRetryableGrpc_StatusCode_ByTheOtlpTable(int status, bool hasRetryInfo, bool expected) =>
        Assert.Equal(expected, OtlpSpanExporter.IsRetryableGrpc(status, hasRetryInfo));

    private static IEnumerable<string> SpanIds(ReceivedRequest request, OtlpExportProtocol protocol)
    {
        if (protocol != OtlpExportProtocol.HttpJson)
        {
            return request.DecodeProtobuf().ResourceSpans.SelectMany(r => r.ScopeSpans).SelectMany(s => s.Spans).Select(s => Convert.ToHexStringLower(s.SpanId.ToByteArray()));
        }

        using var document = JsonDocument.Parse(request.Payload);
        var ids = new List<string>();
        foreach (var resource in document.RootElement.GetProperty("resourceSpans").EnumerateArray())
        {
            foreach (var scope in resource.GetProperty("scopeSpans").EnumerateArray())
            {
                foreach (var span in scope.GetProperty("spans").EnumerateArray())
                {
                    ids.Add(span.GetProperty("spanId").GetString()!);
                }
            }
        }

        return ids;
    }

    private static OtlpSpanExporter CreateExporter(OtlpTestReceiver receiver, OtlpExportProtocol protocol, Action<OtlpExporterOptions>? configure = null, CapturingLoggerFactory? log = null)
    {
        var options = new OtlpExporterOptions { Endpoint = receiver.Address, Protocol = protocol };
        configure?.Invoke(options);
        return new OtlpSpanExporter(options, diagnostics: new TracelineDiagnostics(log));
    }
}
