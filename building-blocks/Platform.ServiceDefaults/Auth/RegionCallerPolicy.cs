using Microsoft.AspNetCore.Authorization;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// Who may call a service's region methods: a region client, whose token names no trust (identity issues region roles
/// only to such clients). Every other method keeps the fallback policy: exactly one known, active trust. One policy
/// for every service, so "region" means the same token everywhere.
/// </summary>
public static class RegionCallerPolicy
{
    public const string Name = "region-caller";

    /// <param name="methods">What the refusal names, as "the region's directory methods".</param>
    public static AuthorizationBuilder AddRegionCallerPolicy(this AuthorizationBuilder authorization, string methods) =>
        authorization.AddPolicy(Name, policy => policy.RequireAuthenticatedUser().AddRequirements(new RegionCallerRequirement(methods)));
}

/// <summary>The token names no trust: a trust's token never reads across the region or changes it, whatever roles it carries.</summary>
public sealed class RegionCallerRequirement(string methods) : AuthorizationHandler<RegionCallerRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RegionCallerRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return Task.CompletedTask;
        if (context.User.FindFirst(TenantContext.ClaimType) is { } tenant)
            AuthorizationRefusal.Fail(context, this, $"The token acts for trust {tenant.Value}: {methods} take a region client's token, which names no trust.");
        else
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
