using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Platform.Grpc.Server;

namespace Platform.Grpc.Tests;

/// <summary>How a method's exception becomes the call's status, and which of them are logged as faults.</summary>
public sealed class CallStatusTests
{
    private sealed class Recorder : ILogger
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, formatter(state, exception)));
    }

    private static ServerCallContext Context() => new(new DefaultHttpContext(), "/platform.testing.v1.Probe/Unary", new GrpcServerOptions());

    [Fact]
    public void A_stream_the_client_reset_while_its_request_was_read_ends_cancelled_and_is_not_logged_as_a_fault()
    {
        // What Kestrel fails the request body with when the client sends RST_STREAM, before RequestAborted shows it.
        var aborted = new IOException("The request stream was aborted.", new ConnectionAbortedException("The HTTP/2 stream was reset by the client."));
        var log = new Recorder();
        var status = Context().StatusFromException(aborted, log);
        Assert.Equal(StatusCode.Cancelled, status.StatusCode);
        Assert.DoesNotContain(log.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public void An_io_failure_of_the_method_itself_is_a_fault_logged_and_hidden_from_the_client()
    {
        var log = new Recorder();
        var status = Context().StatusFromException(new IOException("disk full at /var/lib/secret"), log);
        Assert.Equal(StatusCode.Unknown, status.StatusCode);
        Assert.DoesNotContain("secret", status.Detail);
        Assert.Contains(log.Entries, e => e.Level == LogLevel.Error && e.Message.Contains("/platform.testing.v1.Probe/Unary"));
    }
}
