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
        // Every call passes here: the usual answer (one valid tenant claim) is found without building the refusal's list.
        if (OdsCode.IsValid(TenantContext.SingleClaim(context.User))) context.Succeed(requirement);
        else AuthorizationRefusal.Fail(context, this, Refusal(context.User.FindAll(TenantContext.ClaimType))!);
        return Task.CompletedTask;
    }

    /// <summary>Why claims with these <c>tenant</c> claims do not act for exactly one trust, or null when they do.</summary>
    public static string? Refusal(IEnumerable<System.Security.Claims.Claim> tenantClaims)
    {
        var tenants = tenantClaims.Select(c => c.Value).ToList();
        if (tenants.Count == 1 && OdsCode.IsValid(tenants[0])) return null;
        return tenants.Count switch
        {
            0 => "The token names no trust: this service acts for one trust at a time, named by the token's tenant claim.",
            1 => $"The token's tenant '{tenants[0]}' is not an ODS code.",
            _ => $"The token names {tenants.Count} trusts ({string.Join(", ", tenants)}): a token must name exactly one.",
        };
    }
}
