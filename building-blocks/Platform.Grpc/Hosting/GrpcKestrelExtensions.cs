using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Platform.Grpc.Hosting;

/// <summary>Kestrel endpoints for a service: HTTP/1.1 for REST, Dapr and health; a separate HTTP/2 endpoint for gRPC.</summary>
public static class GrpcKestrelExtensions
{
    /// <summary>
    /// Listens for gRPC over cleartext HTTP/2 (h2c, prior knowledge) on <paramref name="port"/>; HTTP/2 only, since
    /// without TLS there is no ALPN to choose between protocols.
    /// </summary>
    public static KestrelServerOptions ListenGrpcH2c(this KestrelServerOptions kestrel, int port, IPAddress? address = null)
    {
        kestrel.Listen(address ?? IPAddress.Any, port, listen => listen.Protocols = HttpProtocols.Http2);
        return kestrel;
    }

    /// <summary>Listens for gRPC over TLS (ALPN h2) on <paramref name="port"/> with the given server certificate.</summary>
    public static KestrelServerOptions ListenGrpcTls(this KestrelServerOptions kestrel, int port, X509Certificate2 certificate, IPAddress? address = null)
    {
        kestrel.Listen(address ?? IPAddress.Any, port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(certificate);
        });
        return kestrel;
    }

    /// <summary>Listens for HTTP/1.1 (REST, Dapr endpoints, health probes) on <paramref name="port"/>.</summary>
    public static KestrelServerOptions ListenHttp1(this KestrelServerOptions kestrel, int port, IPAddress? address = null)
    {
        kestrel.Listen(address ?? IPAddress.Any, port, listen => listen.Protocols = HttpProtocols.Http1);
        return kestrel;
    }

    /// <summary>
    /// The usual service layout: HTTP/1.1 on <paramref name="httpPort"/> and h2c gRPC on <paramref name="grpcPort"/>
    /// (the architecture's default ports, e.g. consent 5001 / 5002).
    /// </summary>
    public static IWebHostBuilder UseHttpAndGrpcPorts(this IWebHostBuilder webHost, int httpPort, int grpcPort, IPAddress? address = null) =>
        webHost.ConfigureKestrel(kestrel => kestrel.ListenHttp1(httpPort, address).ListenGrpcH2c(grpcPort, address));
}
