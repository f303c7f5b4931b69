using System.IO.Compression;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Grpc.Server;

/// <summary>Server settings, configured with <c>services.AddGrpcServer(options => ...)</c>.</summary>
public sealed class GrpcServerOptions
{
    /// <summary>Largest request message accepted (after decompression); larger ones end the call with RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent; a larger one ends the call with RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// "gzip" to compress response messages whenever the client accepts gzip; null (default) sends them uncompressed.
    /// A method can override this per call with <see cref="ServerCallContext.ResponseCompression"/>.
    /// </summary>
    public string? ResponseCompressionAlgorithm { get; set; }

    /// <summary>The gzip level used when compressing responses.</summary>
    public CompressionLevel ResponseCompressionLevel { get; set; } = CompressionLevel.Fastest;

    /// <summary>
    /// Put an unhandled exception's message in the UNKNOWN status detail. Off by default: no internals leave a service.
    /// </summary>
    public bool EnableDetailedErrors { get; set; }

    /// <summary>
    /// Which ASP.NET Core health checks decide readiness for grpc.health.v1.Health. Null (default) runs every registered check,
    /// as a readiness endpoint does; Unhealthy means NOT_SERVING, Healthy or Degraded means SERVING.
    /// </summary>
    public Func<HealthCheckRegistration, bool>? HealthCheckPredicate { get; set; }

    /// <summary>How often Health/Watch re-evaluates the checks to report changes. Default 5 s.</summary>
    public TimeSpan HealthWatchInterval { get; set; } = TimeSpan.FromSeconds(5);
}
