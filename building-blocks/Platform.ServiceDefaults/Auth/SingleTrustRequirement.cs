using Microsoft.AspNetCore.Authorization;
using Platform.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// The token acts for exactly one trust: one <c>tenant</c> claim, an ODS code. A token naming two trusts is refused
/// outright, never read as its first; a token naming none (a region client's) is refused by every endpoint that acts for
/// a trust.
/// </summary>
public sealed class SingleTrustRequirement : AuthorizationHandler<SingleTrustRequirement>, IAuthorizationRequirement
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SingleTrustRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated != true) return Task.CompletedTask;
        var tenants = context.User.FindAll(TenantContext.ClaimType).Select(c => c.Value).ToList();
        if (tenants.Count == 1 && OdsCode.IsValid(tenants[0]))
        {
            context.Succeed(requirement);
            return Task.CompletedTask;
        }
        AuthorizationRefusal.Fail(context, this, tenants.Count switch
        {
            0 => "The token names no trust: this service acts for one trust at a time, named by the token's tenant claim.",
            1 => $"The token's tenant '{tenants[0]}' is not an ODS code.",
            _ => $"The token names {tenants.Count} trusts ({string.Join(", ", tenants)}): a token must name exactly one.",
        });
        return Task.CompletedTask;
    }
}
