using Microsoft.AspNetCore.Authorization;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Identity.Api.Grpc;

/// <summary>Who may call the region's directory methods: a region client, whose token names no trust.</summary>
public static class IdentityPolicies
{
    public const string RegionCaller = "region-caller";

    public static AuthorizationBuilder AddRegionCallerPolicy(this AuthorizationBuilder authorization) =>
        authorization.AddPolicy(RegionCaller, policy => policy.RequireAuthenticatedUser().AddRequirements(new RegionCallerRequirement()));
}

/// <summary>The token names no trust: the region's methods never act for one trust, and a trust's token never acts for the region.</summary>
public sealed class RegionCallerRequirement : AuthorizationHandler<RegionCallerRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RegionCallerRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return Task.CompletedTask;
        if (context.User.FindFirst(TenantContext.ClaimType) is { } tenant)
            AuthorizationRefusal.Fail(context, this, $"The token acts for trust {tenant.Value}: the region's directory methods take a region client's token, which names no trust.");
        else
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
