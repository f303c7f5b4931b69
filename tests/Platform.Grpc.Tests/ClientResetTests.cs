using Grpc.Core;
using Microsoft.AspNetCore.Http;
using Platform.Grpc.Interceptors;
using Xunit;

namespace Platform.Grpc.Tests;

/// <summary>
/// A client that resets a streaming call while it is sending: Kestrel fails the handler's read with an IOException.
/// BadInputTests sends real resets, but there the call's cancellation often wins the race and the handler never sees
/// the IOException, so only these calls, whose stream fails every time, tell a reset apart from a stream that ended.
/// </summary>
public sealed class ClientResetTests
{
    private const string ResetText = "The client ended the call while it was sending.";

    [Fact]
    public async Task A_client_streaming_read_the_client_reset_ends_the_call_as_cancelled_not_as_a_finished_stream()
    {
        var interceptor = new CallPolicyInterceptor();
        var reset = new IOException("The client reset the request stream.");

        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.ClientStreamingServerHandler<string, string>(
            new StreamThatFails(reset), new PlainCallContext(), ReadToTheEnd));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(ResetText, error.Status.Detail);
        Assert.Same(reset, error.Status.DebugException);
    }

    [Fact]
    public async Task A_duplex_read_the_client_reset_ends_the_call_as_cancelled_and_nothing_more_is_written()
    {
        var interceptor = new CallPolicyInterceptor();
        var written = new List<string>();

        var error = await Assert.ThrowsAsync<RpcException>(() => interceptor.DuplexStreamingServerHandler<string, string>(
            new StreamThatFails(new IOException("reset")), new Writer(written), new PlainCallContext(),
            async (requests, responses, context) =>
            {
                while (await requests.MoveNext(context.CancellationToken))
                {
                    await responses.WriteAsync(requests.Current);
                }

                await responses.WriteAsync("all requests read");
            }));

        Assert.Equal(StatusCode.Cancelled, error.StatusCode);
        Assert.Equal(ResetText, error.Status.Detail);
        Assert.Empty(written);
    }

    [Fact]
    public async Task Any_other_failure_of_the_read_passes_through_as_it_was()
    {
        var interceptor = new CallPolicyInterceptor();
        var other = new InvalidDataException("a frame larger than the limit");

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => interceptor.ClientStreamingServerHandler<string, string>(
            new StreamThatFails(other), new PlainCallContext(), ReadToTheEnd));

        Assert.Same(other, error);
    }

    private static async Task<string> ReadToTheEnd(IAsyncStreamReader<string> requests, ServerCallContext context)
    {
        var count = 0;
        while (await requests.MoveNext(context.CancellationToken))
        {
            count++;
        }

        return $"read {count} requests to the end";
    }

    private sealed class StreamThatFails(Exception failure) : IAsyncStreamReader<string>
    {
        public string Current => throw new InvalidOperationException("No message was read.");

        public Task<bool> MoveNext(CancellationToken cancellationToken) => Task.FromException<bool>(failure);
    }

    private sealed class Writer(List<string> written) : IServerStreamWriter<string>
    {
        public WriteOptions? WriteOptions { get; set; }

        public Task WriteAsync(string message)
        {
            written.Add(message);
            return Task.CompletedTask;
        }
    }

    /// <summary>A call on a method that names no role; Grpc.AspNetCore finds the HttpContext under <c>__HttpContext</c>.</summary>
    private sealed class PlainCallContext : ServerCallContext
    {
        private readonly Dictionary<object, object> _userState = new() { ["__HttpContext"] = new DefaultHttpContext() };

        protected override string MethodCore => "/grpc.testing.TestService/StreamingInputCall";
        protected override string HostCore => "localhost";
        protected override string PeerCore => "ipv4:127.0.0.1:1";
        protected override DateTime DeadlineCore => DateTime.MaxValue;
        protected override Metadata RequestHeadersCore { get; } = [];
        protected override CancellationToken CancellationTokenCore => CancellationToken.None;
        protected override Metadata ResponseTrailersCore { get; } = [];
        protected override Status StatusCore { get; set; }
        protected override WriteOptions? WriteOptionsCore { get; set; }
        protected override AuthContext AuthContextCore { get; } = new(null, []);
        protected override IDictionary<object, object> UserStateCore => _userState;

        protected override ContextPropagationToken CreatePropagationTokenCore(ContextPropagationOptions? options) => throw new NotSupportedException();

        protected override Task WriteResponseHeadersAsyncCore(Metadata responseHeaders) => Task.CompletedTask;
    }
}
