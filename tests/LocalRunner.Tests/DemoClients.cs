using Microsoft.Extensions.DependencyInjection;
using Platform.Grpc;
using Xunit;

namespace Platform.Tools.LocalRunner.Tests;

/// <summary>
/// Both test classes start a whole local platform (seven apps, a seeded region); they run one after the other, never
/// side by side, so neither waits on the other's start-up on a two-core machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LocalPlatformCollection
{
    public const string Name = "local platform";
}

/// <summary>Generated gRPC clients of a running local platform, as one of its demo clients with a token from the identity service.</summary>
internal sealed class DemoClientFactory(int offset) : IAsyncDisposable
{
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>A token for the demo client <paramref name="clientId"/>, from identity's token endpoint or the one given (e.g. the gateway's).</summary>
    public static async Task<string> TokenAsync(LocalPlatform platform, string clientId, Uri? tokenEndpoint = null)
    {
        var demo = platform.DemoClients.Single(c => c.ClientId == clientId);
        using var http = new HttpClient();
        return await DemoRegion.TokenAsync(http, tokenEndpoint ?? platform.TokenEndpoint, demo.ClientId, demo.Secret, default);
    }

    public async Task<TClient> ClientAsync<TClient>(LocalPlatform platform, int defaultPort, string clientId) where TClient : class
    {
        var token = await TokenAsync(platform, clientId);
        var services = new ServiceCollection();
        services.AddPlatformGrpcClient<TClient>(new Uri($"http://127.0.0.1:{defaultPort + offset}"), TimeSpan.FromSeconds(30))
            .AddCallCredentials((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {token}");
                return Task.CompletedTask;
            });
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        return provider.GetRequiredService<TClient>();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in _providers) await provider.DisposeAsync();
    }
}
