using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using Platform.Identity.Api.Application;
using Platform.Identity.Domain;

namespace Platform.Identity.Api.Tokens;

/// <summary>
/// Makes the region operator's first client from configuration (Identity:Bootstrap), so that a new region can be
/// onboarded at all: every other client is registered through the directory by a region operator. The configured
/// secret is the one that works: a changed secret in the secret store replaces the stored hash at the next start.
/// </summary>
internal sealed class RegionOperatorBootstrap(IServiceScopeFactory scopes, IOptions<IdentityOptions> options, ILogger<RegionOperatorBootstrap> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var bootstrap = options.Value.Bootstrap;
        if (string.IsNullOrWhiteSpace(bootstrap.RegionOperatorClientId)) return;
        if (string.IsNullOrEmpty(bootstrap.RegionOperatorClientSecret) || bootstrap.RegionOperatorClientSecret.Length < 16)
            throw new InvalidOperationException("Identity:Bootstrap:RegionOperatorClientSecret must be set (16 characters or more) with Identity:Bootstrap:RegionOperatorClientId.");

        await using var scope = scopes.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await applications.FindByClientIdAsync(bootstrap.RegionOperatorClientId, cancellationToken);
        if (application is null)
        {
            var registered = await scope.ServiceProvider.GetRequiredService<TrustDirectory>().RegisterClientAsync(null,
                new NewClient(bootstrap.RegionOperatorClientId, ClientKind.Region, "Region operator", [Roles.RegionOperator], ["directory"], null, false), cancellationToken);
            if (registered.IsRefused) throw new InvalidOperationException($"The bootstrap client could not be made: {registered.Refusal!.Message}");
            application = await applications.FindByClientIdAsync(bootstrap.RegionOperatorClientId, cancellationToken);
            logger.LogInformation("Made the region operator's bootstrap client {ClientId}", bootstrap.RegionOperatorClientId);
        }
        if (!await applications.ValidateClientSecretAsync(application!, bootstrap.RegionOperatorClientSecret, cancellationToken))
            await applications.UpdateAsync(application!, bootstrap.RegionOperatorClientSecret, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
