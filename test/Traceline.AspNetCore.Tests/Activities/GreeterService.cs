using Grpc.Core;
using Traceline.AspNetCore.Tests.Activities.Grpc;

namespace Traceline.AspNetCore.Tests.Activities;

/// <summary>The gRPC service the tests call: greets any name but <see cref="Unknown"/>, which is NOT_FOUND.</summary>
public sealed class GreeterService : Greeter.GreeterBase
{
    public const string Unknown = "nobody";

    public override Task<HelloReply> SayHello(HelloRequest request, ServerCallContext context) =>
        request.Name == Unknown
            ? throw new RpcException(new Status(StatusCode.NotFound, "no such person"))
            : Task.FromResult(new HelloReply { Message = "Hello " + request.Name });
}
