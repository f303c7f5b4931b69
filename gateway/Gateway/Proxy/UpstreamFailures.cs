using System.Net.Sockets;
using Microsoft.AspNetCore.Http.Timeouts;
using Yarp.ReverseProxy.Forwarder;

namespace Platform.Gateway.Proxy;

/// <summary>
/// What a caller sees when the service behind a route fails, decided after YARP has forwarded (or failed to):
/// <list type="bullet">
/// <item>connection refused, or no destination left → 503 (gRPC UNAVAILABLE): nothing reached the service, a retry is safe;</item>
/// <item>the route's timeout or the cluster's activity timeout passed → 504 (gRPC DEADLINE_EXCEEDED);</item>
/// <item>any other failure before the response started → 502 (gRPC UNAVAILABLE);</item>
/// <item>a failure after the response started (the service reset the stream mid-way) → the caller's request is aborted
/// (an HTTP/2 stream reset), so the caller fails at once instead of waiting or taking a truncated answer as whole.</item>
/// </list>
/// The caller cancelling is not a failure to report: YARP has already cancelled the upstream request.
/// </summary>
public sealed class UpstreamFailures(RequestDelegate next, GatewayMetrics metrics, ILogger<UpstreamFailures> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        GatewayProxyExtensions.KeepUpstreamBodies(context);
        await next(context);
        var failure = context.Features.Get<IForwarderErrorFeature>();
        if (failure is null || failure.Error == ForwarderError.None) return;

        var route = context.GetReverseProxyFeature().Route.Config.RouteId;
        var error = failure.Error;
        // The route's timeout cancels the request as the caller leaving would: YARP reports it as cancelled.
        if (context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true) error = ForwarderError.RequestTimedOut;
        switch (error)
        {
            case ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyClient:
                metrics.UpstreamFailure(route, "caller-gone");
                return;
            case ForwarderError.NoAvailableDestinations:
                metrics.UpstreamFailure(route, "no-destination");
                await CallerResponses.WriteAsync(context, CallerResponses.UpstreamUnavailable, $"The service behind route '{route}' has no available instance. Retry later.");
                return;
            case ForwarderError.RequestTimedOut:
                metrics.UpstreamFailure(route, "timeout");
                await CallerResponses.WriteAsync(context, CallerResponses.UpstreamTimedOut, $"The service behind route '{route}' did not answer in time.");
                return;
            case ForwarderError.Request when IsRefused(failure.Exception):
                metrics.UpstreamFailure(route, "refused");
                await CallerResponses.WriteAsync(context, CallerResponses.UpstreamUnavailable, $"The service behind route '{route}' is not accepting connections. Retry later.");
                return;
            default:
                metrics.UpstreamFailure(route, "failed");
                logger.LogWarning("Route {Route} failed upstream: {Error} {Reason}", route, failure.Error, failure.Exception?.GetType().Name);
                await CallerResponses.WriteAsync(context, CallerResponses.UpstreamFailed, $"The service behind route '{route}' failed to answer.");
                return;
        }
    }

    private static bool IsRefused(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionRefused }) return true;
        }
        return false;
    }
}
