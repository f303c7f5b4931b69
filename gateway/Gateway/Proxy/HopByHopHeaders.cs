using Yarp.ReverseProxy.Transforms;

namespace Platform.Gateway.Proxy;

/// <summary>
/// YARP drops the standard hop-by-hop headers (Connection, Keep-Alive, TE, Upgrade, Proxy-*, ...) itself; RFC 9110
/// section 7.6.1 also asks a proxy to drop every header the Connection header names, which YARP forwards. Only HTTP/1.x
/// requests can carry Connection, so an HTTP/2 (gRPC) request costs one lookup here.
/// </summary>
public static class HopByHopHeaders
{
    public static ValueTask RemoveNominated(RequestTransformContext context)
    {
        var connection = context.HttpContext.Request.Headers.Connection;
        if (connection.Count == 0) return ValueTask.CompletedTask;
        foreach (var value in connection)
        {
            foreach (var name in (value ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                // "Upgrade" stays: YARP needs it to forward WebSockets, and handles it itself.
                if (name.Equals("upgrade", StringComparison.OrdinalIgnoreCase) || name.Equals("close", StringComparison.OrdinalIgnoreCase)
                    || name.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)) continue;
                context.ProxyRequest.Headers.Remove(name);
                context.ProxyRequest.Content?.Headers.Remove(name);
            }
        }
        return ValueTask.CompletedTask;
    }
}
