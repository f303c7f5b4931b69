using System.Diagnostics;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using DaprBulkPublishRequest = Dapr.Client.Autogen.Grpc.v1.BulkPublishRequest;

namespace MessagingBench.DaprPath;

/// <summary>
/// Two loopback stand-ins for the Dapr sidecar's publish side, run in a child process (<c>--fake-sidecars</c>) so their
/// CPU stays out of the relay's: Dapr's gRPC API (what Dapr.Client calls) on h2c, and Dapr's HTTP API (what the old
/// transport called) on HTTP/1.1. Both take every event at once and keep nothing.
/// </summary>
public static class FakeSidecars
{
    public static async Task RunAsync(int grpcPort, int httpPort)
    {
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.ListenLocalhost(grpcPort, l => l.Protocols = HttpProtocols.Http2);
            k.ListenLocalhost(httpPort, l => l.Protocols = HttpProtocols.Http1);
        });
        builder.Services.AddGrpc();
        var app = builder.Build();
        app.MapGrpcService<GrpcSidecar>();
        app.MapPost("/v1.0/publish/{pubsub}/{topic}", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.NoContent();
        });
        app.MapPost("/v1.0-alpha1/publish/bulk/{pubsub}/{topic}", async (HttpRequest request) =>
        {
            await request.Body.CopyToAsync(Stream.Null);
            return Results.NoContent();
        });
        await app.StartAsync();
        Console.WriteLine("ready");
        await Console.In.ReadLineAsync(); // the parent closes stdin to stop us
        await app.StopAsync();
    }

    /// <summary>Starts this binary as the child process and waits until it listens.</summary>
    public static async Task<Process> StartChildAsync(int grpcPort, int httpPort)
    {
        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(FakeSidecars).Assembly.Location);
        foreach (var a in new[] { "--fake-sidecars", grpcPort.ToString(), httpPort.ToString() }) info.ArgumentList.Add(a);
        var child = Process.Start(info)!;
        if (await child.StandardOutput.ReadLineAsync() != "ready") throw new InvalidOperationException("the fake sidecars did not start");
        return child;
    }

    /// <summary>CPU time of another process so far, from /proc.</summary>
    public static double CpuMs(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11]) + long.Parse(fields[12])) * 1000.0 / 100; // clock ticks of 10 ms (USER_HZ 100)
    }

    [BindServiceMethod(typeof(GrpcSidecarBase), nameof(BindService))]
    public abstract class GrpcSidecarBase
    {
        private static Method<TRequest, TResponse> Unary<TRequest, TResponse>(string name)
            where TRequest : class, IMessage<TRequest>, new() where TResponse : class, IMessage<TResponse>, new() =>
            new(MethodType.Unary, "dapr.proto.runtime.v1.Dapr", name,
                Marshallers.Create(m => m.ToByteArray(), b => new MessageParser<TRequest>(() => new TRequest()).ParseFrom(b)),
                Marshallers.Create(m => m.ToByteArray(), b => new MessageParser<TResponse>(() => new TResponse()).ParseFrom(b)));

        public static void BindService(ServiceBinderBase binder, GrpcSidecarBase? api)
        {
            binder.AddMethod(Unary<PublishEventRequest, Empty>(nameof(PublishEvent)), api is null ? null : api.PublishEvent);
            binder.AddMethod(Unary<DaprBulkPublishRequest, BulkPublishResponse>(nameof(BulkPublishEvent)), api is null ? null : api.BulkPublishEvent);
        }

        public virtual Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context) => throw new RpcException(new Status(StatusCode.Unimplemented, ""));
        public virtual Task<BulkPublishResponse> BulkPublishEvent(DaprBulkPublishRequest request, ServerCallContext context) => throw new RpcException(new Status(StatusCode.Unimplemented, ""));
    }

    public sealed class GrpcSidecar : GrpcSidecarBase
    {
        private static readonly Task<Empty> s_empty = Task.FromResult(new Empty());
        public override Task<Empty> PublishEvent(PublishEventRequest request, ServerCallContext context) => s_empty;
        public override Task<BulkPublishResponse> BulkPublishEvent(DaprBulkPublishRequest request, ServerCallContext context) => Task.FromResult(new BulkPublishResponse());
    }
}
