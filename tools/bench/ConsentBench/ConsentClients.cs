using Grpc.Net.ClientFactory;
using Microsoft.Extensions.DependencyInjection;
using Platform.Grpc;
using C = Platform.Contracts.Consent.V1;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// Generated ConsentService clients made by Grpc.Net.ClientFactory, as the platform makes its clients, each sending
/// <c>token</c>. Each named client has its own handler, so <c>connections</c> clients hold that many HTTP/2 connections.
/// </summary>
public sealed class ConsentClients : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly C.ConsentService.ConsentServiceClient[] _clients;

    private ConsentClients(ServiceProvider services, C.ConsentService.ConsentServiceClient[] clients)
    {
        _services = services;
        _clients = clients;
    }

    public static ConsentClients Create(Uri address, string token, int connections = 1)
    {
        var services = new ServiceCollection();
        var names = Enumerable.Range(0, connections).Select(i => $"consent-{i}").ToArray();
        foreach (var name in names)
        {
            services.AddPlatformGrpcClient<C.ConsentService.ConsentServiceClient>(name, address, TimeSpan.FromSeconds(30))
                .AddCallCredentials((_, metadata) =>
                {
                    metadata.Add("Authorization", $"Bearer {token}");
                    return Task.CompletedTask;
                });
        }

        var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<GrpcClientFactory>();
        return new ConsentClients(provider, [.. names.Select(factory.CreateClient<C.ConsentService.ConsentServiceClient>)]);
    }

    public C.ConsentService.ConsentServiceClient First => _clients[0];

    public IReadOnlyList<C.ConsentService.ConsentServiceClient> All => _clients;

    public void Dispose() => _services.Dispose();
}
