using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Traceline.AspNetCore.Tests.Activities.Grpc;
using Traceline.AspNetCore.Tests.Fakes;

namespace Traceline.AspNetCore.Tests.Activities;

/// <summary>
/// A Grpc.AspNetCore service on Kestrel (HTTP/2 without TLS) called through a Grpc.Net.Client client of the client
/// factory from a traced app: spans named and attributed by the OpenTelemetry RPC conventions, one trace across.
/// </summary>
[Collection(ActivityCollection.Name)]
public sealed class GrpcTests
{
    [Fact]
    public async Task Grpc_UnaryCall_OneTraceClientSpanParentOfServerSpanWithRpcAttributes()
    {
        await using var service = await StartServiceAsync();
        await using var caller = await StartCallerAsync(service);
        using var client = new HttpClient { BaseAddress = caller.Address };

        Assert.Equal("Hello Ada", await client.GetStringAsync("/greet/Ada"));

        var trace = caller.WaitForTrace(spans => spans.Any(s => s.Kind == SpanKind.Client));
        var request = trace.Single(s => s.Kind == SpanKind.Server);
        var call = trace.Single(s => s.Kind == SpanKind.Client);
        Assert.Equal(request.Context.SpanId, call.ParentSpanId);
        Assert.Equal("greet.Greeter/SayHello", call.Name);
        AssertRpc(call, status: 0);
        Assert.Equal(SpanStatusCode.Unset, call.Status);
        Assert.True(call.EndTime <= request.EndTime);

        Assert.True(service.Exporter.WaitFor(spans => spans.Count == 1, TestDefaults.Timeout));
        var served = Assert.Single(service.Exporter.Spans);
        Assert.Equal(SpanKind.Server, served.Kind);
        Assert.Equal(call.Context.TraceId, served.Context.TraceId);
        Assert.Equal(call.Context.SpanId, served.ParentSpanId);
        Assert.Equal("greet.Greeter/SayHello", served.Name);
        AssertRpc(served, status: 0);
        Assert.Equal("/greet.Greeter/SayHello", Attribute(served, "http.route").StringValue);
        Assert.Equal(SpanStatusCode.Unset, served.Status);
    }

    [Fact]
    public async Task Grpc_NotFound_ClientSpanErrorServerSpanNotAServerError()
    {
        await using var service = await StartServiceAsync();
        await using var caller = await StartCallerAsync(service);
        using var client = new HttpClient { BaseAddress = caller.Address };

        Assert.Equal("NotFound", await client.GetStringAsync("/greet/" + GreeterService.Unknown));

        var trace = caller.WaitForTrace(spans => spans.Any(s => s.Kind == SpanKind.Client));
        var call = trace.Single(s => s.Kind == SpanKind.Client);
        AssertRpc(call, status: (int)StatusCode.NotFound);
        Assert.Equal(SpanStatusCode.Error, call.Status);

        Assert.True(service.Exporter.WaitFor(spans => spans.Count == 1, TestDefaults.Timeout));
        var served = Assert.Single(service.Exporter.Spans);
        Assert.Equal(call.Context.SpanId, served.ParentSpanId);
        AssertRpc(served, status: (int)StatusCode.NotFound);
        Assert.Equal(SpanStatusCode.Unset, served.Status); // NOT_FOUND is the caller's problem, by the conventions
    }

    private static Task<InteropApp> StartServiceAsync() =>
        InteropApp.StartAsync(_ => { }, a => a.MapGrpcService<GreeterService>(), b => b.Services.AddGrpc(), HttpProtocols.Http2);

    private static Task<InteropApp> StartCallerAsync(InteropApp service) =>
        InteropApp.StartAsync(
            _ => { },
            a => a.MapGet("/greet/{name}", async (string name, Greeter.GreeterClient greeter) =>
            {
                try
                {
                    return (await greeter.SayHelloAsync(new HelloRequest { Name = name })).Message;
                }
                catch (RpcException ex)
                {
                    return ex.StatusCode.ToString();
                }
            }),
            b => b.Services.AddGrpcClient<Greeter.GreeterClient>(o => o.Address = service.Address).AddTracingHandler());

    private static void AssertRpc(Span span, int status)
    {
        Assert.Equal("grpc", Attribute(span, "rpc.system").StringValue);
        Assert.Equal("greet.Greeter", Attribute(span, "rpc.service").StringValue);
        Assert.Equal("SayHello", Attribute(span, "rpc.method").StringValue);
        Assert.Equal(status, Attribute(span, "rpc.grpc.status_code").LongValue);
    }

    private static AttributeValue Attribute(Span span, string key)
    {
        foreach (var attribute in span.Attributes)
        {
            if (attribute.Key == key)
            {
                return attribute.Value;
            }
        }

        Assert.Fail($"{span.Name} has no {key}: {string.Join(", ", span.Attributes.ToArray().Select(a => a.Key))}");
        return default;
    }
}
