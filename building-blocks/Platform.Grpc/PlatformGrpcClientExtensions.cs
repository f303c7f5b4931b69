using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.Grpc;

/// <summary>Generated gRPC clients the platform's way, on Grpc.Net.ClientFactory.</summary>
public static class PlatformGrpcClientExtensions
{
    /// <summary>
    /// Adds <typeparamref name="TClient"/> (a generated <c>XxxService.XxxServiceClient</c>) calling
    /// <paramref name="address"/>. Made while serving a gRPC call, a call carries that call's deadline and is cancelled
    /// with it; any other call gets <paramref name="deadline"/> unless it sets its own. Over h2c (<c>http://</c>, the
    /// cluster's inside) call credentials are still sent: add the caller's token with <c>AddCallCredentials</c>.
    /// </summary>
    public static IHttpClientBuilder AddPlatformGrpcClient<TClient>(this IServiceCollection services, Uri address, TimeSpan deadline)
        where TClient : class =>
        services.AddPlatformGrpcClient<TClient>(typeof(TClient).Name, address, deadline);

    /// <summary>As <see cref="AddPlatformGrpcClient{TClient}(IServiceCollection, Uri, TimeSpan)"/>, as a named client (one per identity, say).</summary>
    public static IHttpClientBuilder AddPlatformGrpcClient<TClient>(this IServiceCollection services, string name, Uri address, TimeSpan deadline)
        where TClient : class =>
        services.AddGrpcClient<TClient>(name, options => options.Address = address)
            .ConfigureChannel(channel =>
            {
                channel.MaxReceiveMessageSize = PlatformGrpcExtensions.MaxMessageSize;
                channel.MaxSendMessageSize = PlatformGrpcExtensions.MaxMessageSize;
                channel.UnsafeUseInsecureChannelCallCredentials = address.Scheme == Uri.UriSchemeHttp;
            })
            .EnableCallContextPropagation(options => options.SuppressContextNotFoundErrors = true)
            .AddInterceptor(() => new DefaultDeadlineInterceptor(deadline));
}

/// <summary>Gives a client call with no deadline of its own one <paramref name="deadline"/> from now: no call waits forever.</summary>
public sealed class DefaultDeadlineInterceptor(TimeSpan deadline) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDeadline(context));

    public override TResponse BlockingUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, BlockingUnaryCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDeadline(context));

    public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncServerStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(request, WithDeadline(context));

    public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncClientStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithDeadline(context));

    public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context, AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation) =>
        continuation(WithDeadline(context));

    private ClientInterceptorContext<TRequest, TResponse> WithDeadline<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context)
        where TRequest : class where TResponse : class =>
        context.Options.Deadline is null
            ? new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(DateTime.UtcNow + deadline))
            : context;
}
