using Google.Protobuf;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Platform.Messaging;
using Platform.ServiceDefaults.Auth;

namespace Platform.KnownTrusts;

/// <summary>Which directory events say what about a trust, for <see cref="KnownTrustsExtensions.AddKnownTrusts{TContext}"/>.</summary>
public sealed class KnownTrustEventsBuilder(IServiceCollection services)
{
    /// <summary>Keeps the known trusts from <typeparamref name="TEvent"/>, as <paramref name="map"/> reads it.</summary>
    public KnownTrustEventsBuilder From<TEvent>(Func<TEvent, KnownTrustChange> map) where TEvent : IMessage<TEvent>, new()
    {
        services.AddSingleton(new KnownTrustMapping<TEvent>(map));
        services.AddEventHandler<TEvent, KnownTrustEventHandler<TEvent>>();
        return this;
    }
}

public static class KnownTrustsExtensions
{
    /// <summary>
    /// Only known trusts, one at a time: every endpoint under the tenant policy (the fallback, so every gRPC method and
    /// REST route that does not opt out) also requires that the token's one trust is known here and not suspended,
    /// from the directory's events (<paramref name="events"/> maps them) kept in <typeparamref name="TContext"/>'s
    /// <c>known_trusts</c> table (the context calls <c>AddKnownTrusts()</c>). Call after <c>AddPlatformEvents</c>.
    /// </summary>
    public static IHostApplicationBuilder AddKnownTrusts<TContext>(this IHostApplicationBuilder builder, Action<KnownTrustEventsBuilder> events)
        where TContext : DbContext
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new KnownTrustDirectory(sp.GetRequiredService<IServiceScopeFactory>(), typeof(TContext), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddScoped(sp => new KnownTrustRecorder(sp.GetRequiredService<TContext>(), sp.GetRequiredService<KnownTrustDirectory>(), sp.GetRequiredService<TimeProvider>()));
        builder.Services.AddSingleton<IAuthorizationHandler, KnownTrustHandler>();
        builder.Services.PostConfigure<AuthorizationOptions>(options =>
        {
            var tenantUser = options.GetPolicy(AuthenticationExtensions.TenantUserPolicy)
                ?? throw new InvalidOperationException("AddKnownTrusts needs AddServiceDefaults (the tenant policy) first.");
            var withKnownTrust = new AuthorizationPolicyBuilder(tenantUser).AddRequirements(new KnownTrustRequirement()).Build();
            options.AddPolicy(AuthenticationExtensions.TenantUserPolicy, withKnownTrust);
            if (ReferenceEquals(options.FallbackPolicy, tenantUser) || options.FallbackPolicy is null) options.FallbackPolicy = withKnownTrust;
            else options.FallbackPolicy = new AuthorizationPolicyBuilder(options.FallbackPolicy).AddRequirements(new KnownTrustRequirement()).Build();
        });
        events(new KnownTrustEventsBuilder(builder.Services));
        return builder;
    }
}

/// <summary>The token's one trust is known to this service and not suspended.</summary>
public sealed class KnownTrustRequirement : IAuthorizationRequirement;

internal sealed class KnownTrustHandler(KnownTrustDirectory directory) : AuthorizationHandler<KnownTrustRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, KnownTrustRequirement requirement)
    {
        // ServiceDefaults' own requirement refuses no tenant or several; here only the single one is looked up.
        if (Platform.ServiceDefaults.Tenancy.TenantContext.SingleClaim(context.User) is not { } ods) return Task.CompletedTask;
        // Almost every call: the snapshot in memory answers, with no async frame; a reread when one is due.
        if (directory.TryGetState(ods, out var state))
        {
            Decide(context, requirement, ods, state);
            return Task.CompletedTask;
        }
        return RereadAndDecideAsync(context, requirement, ods);
    }

    private async Task RereadAndDecideAsync(AuthorizationHandlerContext context, KnownTrustRequirement requirement, string ods)
    {
        var ct = (context.Resource as Microsoft.AspNetCore.Http.HttpContext)?.RequestAborted ?? CancellationToken.None;
        Decide(context, requirement, ods, await directory.StateAsync(ods, ct));
    }

    private void Decide(AuthorizationHandlerContext context, KnownTrustRequirement requirement, string ods, KnownTrustState state)
    {
        switch (state)
        {
            case KnownTrustState.Active:
                context.Succeed(requirement);
                break;
            case KnownTrustState.Suspended:
                AuthorizationRefusal.Fail(context, this, $"Trust {ods} is suspended in this region: its tokens are refused until the region operator reinstates it.");
                break;
            default:
                AuthorizationRefusal.Fail(context, this, $"Trust {ods} is not a trust of this region: a token must name exactly one onboarded trust.");
                break;
        }
    }
}
