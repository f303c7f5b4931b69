using Microsoft.AspNetCore.Authorization;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Evidence.Api.Grpc;

/// <summary>
/// Who may call the region's evidence methods: a region client, whose token names no trust (identity issues region
/// roles only to such clients). Every other method keeps the fallback policy: exactly one known, active trust.
/// </summary>
public static class EvidencePolicies
{
    public const string RegionCaller = "region-caller";

    public static AuthorizationBuilder AddRegionCallerPolicy(this AuthorizationBuilder authorization) =>
        authorization.AddPolicy(RegionCaller, policy => policy.RequireAuthenticatedUser().AddRequirements(new RegionCallerRequirement()));
}

/// <summary>The token names no trust: a trust's token never reads across the region, whatever roles it carries.</summary>
public sealed class RegionCallerRequirement : AuthorizationHandler<RegionCallerRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RegionCallerRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return Task.CompletedTask;
        if (context.User.FindFirst(TenantContext.ClaimType) is { } tenant)
            AuthorizationRefusal.Fail(context, this,
                $"The token acts for trust {tenant.Value}: the regional outcome report takes a region client's token, which names no trust.");
        else
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
