using Grpc.Health.V1;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Grpc.Server;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Platform.Grpc.Health;

/// <summary>
/// grpc.health.v1.Health. The overall status ("") and every mapped service's status follow the app's readiness: the
/// ASP.NET Core health checks selected by <see cref="GrpcServerOptions.HealthCheckPredicate"/>, and NOT_SERVING once the
/// app is stopping. An unknown service is NOT_FOUND for Check and SERVICE_UNKNOWN for Watch.
/// </summary>
[GrpcService(typeof(HealthReflection))]
[AllowAnonymous]
internal sealed class HealthService(
    HealthCheckService healthChecks,
    GrpcServiceRegistry registry,
    IOptions<GrpcServerOptions> options,
    IHostApplicationLifetime? lifetime = null)
{
    public async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (!IsKnown(request.Service))
        {
            throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        }

        return new HealthCheckResponse { Status = await ReadinessAsync(context.CancellationToken) };
    }

    public async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responses, ServerCallContext context)
    {
        // A Watch also ends when the app starts stopping (after telling the watcher NOT_SERVING), so open watches do
        // not hold up a graceful shutdown.
        var stopping = lifetime?.ApplicationStopping ?? CancellationToken.None;
        using var wakeUp = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, stopping);
        ServingStatus? last = null;
        try
        {
            while (true)
            {
                var status = IsKnown(request.Service) ? await ReadinessAsync(context.CancellationToken) : ServingStatus.ServiceUnknown;
                if (status != last)
                {
                    await responses.WriteAsync(new HealthCheckResponse { Status = status });
                    last = status;
                }

                if (stopping.IsCancellationRequested)
                {
                    return;
                }

                try
                {
                    await Task.Delay(options.Value.HealthWatchInterval, wakeUp.Token);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
                {
                    // Loop once more to report NOT_SERVING, then end.
                }
            }
        }
        catch (OperationCanceledException) when (context.CancellationToken.IsCancellationRequested)
        {
            // The watcher went away (or its deadline passed): a normal end of a Watch.
        }
    }

    private bool IsKnown(string service) => service.Length == 0 || registry.IsKnownService(service);

    private async Task<ServingStatus> ReadinessAsync(CancellationToken cancellationToken)
    {
        if (lifetime?.ApplicationStopping.IsCancellationRequested == true)
        {
            return ServingStatus.NotServing;
        }

        var report = await healthChecks.CheckHealthAsync(options.Value.HealthCheckPredicate, cancellationToken);
        return report.Status == HealthStatus.Unhealthy ? ServingStatus.NotServing : ServingStatus.Serving;
    }
}
