using Grpc.Core;

namespace Platform.Grpc.Interceptors;

/// <summary>
/// The request stream as a handler reads it, with a client that reset the call (or dropped the connection) reported as
/// CANCELLED. Kestrel fails the read with an IOException at once but signals the call's cancellation token from the
/// thread pool a moment later, so a handler reading the stream often saw the IOException first and Grpc.AspNetCore
/// logged the caller's cancel as an error ("Error when executing service method"): 46 of 300 resets on the loaded
/// two-core machine. An RpcException is logged as the status it is, below warning.
/// </summary>
internal sealed class ClientResetReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
{
    public T Current => inner.Current;

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        try
        {
            return await inner.MoveNext(cancellationToken);
        }
        catch (IOException reset)
        {
            throw new RpcException(new Status(StatusCode.Cancelled, "The client ended the call while it was sending.", reset));
        }
    }
}
