using System.Net;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Gateway.Tests.Echo;
using Platform.Testing;

namespace Platform.Gateway.Tests.Proxy;

/// <summary>
/// A real service behind the gateway on loopback: gRPC over h2c on one port, REST over HTTP/1.1 on another, each
/// reporting what reached it and when it was cancelled, so a test sees the gateway from both sides.
/// </summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _writes;
    private int _restWrites;

    private EchoUpstream(WebApplication app, int grpcPort, int httpPort)
    {
        _app = app;
        GrpcAddress = $"http://127.0.0.1:{grpcPort}";
        HttpAddress = $"http://127.0.0.1:{httpPort}";
    }

    public string GrpcAddress { get; }

    public string HttpAddress { get; }

    /// <summary>How many write calls (gRPC RecordThing, REST POST /records) acted.</summary>
    public int Writes => Volatile.Read(ref _writes);

    public int RestWrites => Volatile.Read(ref _restWrites);

    /// <summary>Completed when a call the service was serving is cancelled (Hang, Chat, GET /slow).</summary>
    public TaskCompletionSource Cancelled { get; private set; } = NewSignal();

    /// <summary>Completed when POST /upload has read its first chunk, before the caller has sent the rest.</summary>
    public TaskCompletionSource FirstChunkRead { get; private set; } = NewSignal();

    /// <summary>GET /stream writes its second part only once this completes.</summary>
    public TaskCompletionSource ReleaseStream { get; private set; } = NewSignal();

    /// <summary>Completed when a call reached the service (so a test can cancel it there).</summary>
    public TaskCompletionSource Reached { get; private set; } = NewSignal();

    public void ResetSignals()
    {
        Cancelled = NewSignal();
        FirstChunkRead = NewSignal();
        ReleaseStream = NewSignal();
        Reached = NewSignal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<EchoUpstream> StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var grpcPort = FreePort.Next();
            var httpPort = FreePort.Next();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k =>
            {
                k.Listen(IPAddress.Loopback, grpcPort, l => l.Protocols = HttpProtocols.Http2);
                k.Listen(IPAddress.Loopback, httpPort, l => l.Protocols = HttpProtocols.Http1);
            });
            builder.Services.AddGrpc();
            EchoUpstream? upstream = null;
            builder.Services.AddSingleton(_ => upstream!);
            var app = builder.Build();
            upstream = new EchoUpstream(app, grpcPort, httpPort);
            app.MapGrpcService<EchoService>();
            upstream.MapRest(app);
            try
            {
                await app.StartAsync();
                return upstream;
            }
            catch (IOException) when (attempt < 5)
            {
                await app.DisposeAsync();
            }
        }
    }

    private void MapRest(WebApplication app)
    {
        app.MapGet("/headers", (HttpRequest request) => Results.Json(request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
        app.MapPost("/records", async (HttpRequest request) =>
        {
            var body = await new StreamReader(request.Body).ReadToEndAsync();
            var n = Interlocked.Increment(ref _restWrites);
            return Results.Json(new { record = n, body }, statusCode: StatusCodes.Status201Created);
        });
        app.MapPost("/slow-records", async (HttpContext http) =>
        {
            Reached.TrySetResult();
            await ReleaseStream.Task.WaitAsync(http.RequestAborted);
            var n = Interlocked.Increment(ref _restWrites);
            return Results.Json(new { record = n }, statusCode: StatusCodes.Status201Created);
        });
        app.MapPost("/refuse", () => Results.Problem("no", statusCode: StatusCodes.Status503ServiceUnavailable));
        app.MapGet("/stream", async (HttpContext http) =>
        {
            http.Response.ContentType = "text/plain";
            await http.Response.WriteAsync("first\n");
            await http.Response.Body.FlushAsync();
            await ReleaseStream.Task.WaitAsync(http.RequestAborted);
            await http.Response.WriteAsync("second\n");
        });
        app.MapPost("/upload", async (HttpContext http) =>
        {
            var buffer = new byte[64 * 1024];
            long total = 0;
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer, http.RequestAborted)) > 0)
            {
                if (total == 0) FirstChunkRead.TrySetResult();
                total += read;
            }
            return Results.Json(new { total });
        });
        app.MapGet("/slow", async (HttpContext http) =>
        {
            Reached.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                Cancelled.TrySetResult();
            }
        });
        app.MapGet("/events/x", () => "internal");
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseStream.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class EchoService(EchoUpstream upstream) : Platform.Gateway.Tests.Echo.Echo.EchoBase
    {
        public override Task<EchoReply> Say(EchoRequest request, ServerCallContext context)
        {
            if (request.Mode == "fail")
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, "The thing is not ready: approve it first."),
                    new Metadata { { "platform-rule", "thing.not_ready" } });
            }
            context.ResponseTrailers.Add("echo-trailer", "kept");
            return Task.FromResult(Reply(request.Text, context));
        }

        public override Task<EchoReply> RecordThing(EchoRequest request, ServerCallContext context)
        {
            var calls = Interlocked.Increment(ref upstream._writes);
            if (request.Mode == "fail")
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "Try again."));
            }
            var reply = Reply("recorded " + request.Text, context);
            reply.Calls = calls;
            return Task.FromResult(reply);
        }

        public override Task<EchoReply> GetThing(EchoRequest request, ServerCallContext context) =>
            Task.FromResult(new EchoReply { Text = "got " + request.Text, Calls = Interlocked.Increment(ref upstream._writes) });

        public override async Task Repeat(EchoRequest request, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            for (var i = 0; i < request.Count; i++)
            {
                await responseStream.WriteAsync(new EchoReply { Text = $"{request.Text} {i}" });
                if (request.Mode == "reset")
                {
                    // The service dies mid-stream, once the caller has its first reply: the stream is reset.
                    await upstream.ReleaseStream.Task.WaitAsync(context.CancellationToken);
                    context.GetHttpContext().Abort();
                    return;
                }
            }
        }

        public override async Task<EchoReply> Gather(IAsyncStreamReader<EchoRequest> requestStream, ServerCallContext context)
        {
            var texts = new List<string>();
            await foreach (var item in requestStream.ReadAllAsync(context.CancellationToken)) texts.Add(item.Text);
            return new EchoReply { Text = string.Join(",", texts), Calls = texts.Count };
        }

        public override async Task Chat(IAsyncStreamReader<EchoRequest> requestStream, IServerStreamWriter<EchoReply> responseStream, ServerCallContext context)
        {
            try
            {
                await foreach (var item in requestStream.ReadAllAsync(context.CancellationToken))
                {
                    await responseStream.WriteAsync(new EchoReply { Text = "re: " + item.Text }, context.CancellationToken);
                }
            }
            catch (Exception e) when (e is OperationCanceledException or IOException || context.CancellationToken.IsCancellationRequested)
            {
                upstream.Cancelled.TrySetResult();
                throw;
            }
        }

        public override async Task<EchoReply> Hang(EchoRequest request, ServerCallContext context)
        {
            upstream.Reached.TrySetResult();
            try
            {
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            catch (OperationCanceledException)
            {
                upstream.Cancelled.TrySetResult();
            }
            return new EchoReply();
        }

        private static EchoReply Reply(string text, ServerCallContext context)
        {
            var reply = new EchoReply { Text = text };
            foreach (var h in context.RequestHeaders) reply.Headers[h.Key] = h.IsBinary ? "(binary)" : h.Value;
            return reply;
        }
    }
}
