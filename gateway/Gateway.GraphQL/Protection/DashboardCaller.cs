using Microsoft.AspNetCore.Authorization;
using Platform.ServiceDefaults.Auth;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Gateway.GraphQL.Protection;

/// <summary>
/// Who may send GraphQL requests: a token acting for exactly one trust (as every other endpoint asks), or a region
/// analyst's region token, which names no trust and reads only <c>Query.region</c>'s aggregates. A region token in any
/// other role, or a token naming two trusts, is refused before anything is parsed.
/// </summary>
public sealed class DashboardCallerRequirement : AuthorizationHandler<DashboardCallerRequirement>, IAuthorizationRequirement
{
    public const string Policy = "graphql-dashboard-caller";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, DashboardCallerRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return Task.CompletedTask;
        var tenants = context.User.FindAll(TenantContext.ClaimType).ToList();
        if (tenants.Count == 0 && context.User.HasClaim("roles", PatientDataRule.RegionAnalyst)) context.Succeed(requirement);
        else if (SingleTrustRequirement.Refusal(tenants) is { } reason)
            AuthorizationRefusal.Fail(context, this, tenants.Count == 0 ? "The token names no trust and is not a region analyst's: dashboards take a trust's token or a region analyst's." : reason);
        else context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
