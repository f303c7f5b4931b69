using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.DependencyInjection;

namespace Platform.ServiceDefaults.Auth;

/// <summary>
/// ASP.NET Core's policy evaluator with a short way for the platform's tenant-user policy (an authenticated caller
/// acting for exactly one trust, <see cref="AuthenticationExtensions.TenantUserPolicy"/>) when the caller's only
/// identity is a <see cref="RememberedIdentity"/>: a token already validated, whose claims cannot change, so whether
/// they name exactly one trust is judged once per token (<see cref="RememberedIdentity.ActsForOneTrust"/>) and not
/// again on every request through the authorization service, its handler context and its handlers. Only a success is
/// taken that way; every other policy, principal or outcome (a refusal and its reason) is the default evaluator's,
/// resolved per request as ASP.NET Core resolves it. Registered by the gateway, where every call passes this policy.
/// </summary>
public sealed class RememberedIdentityPolicyEvaluator : IPolicyEvaluator
{
    private static readonly Task<PolicyAuthorizationResult> s_success = Task.FromResult(PolicyAuthorizationResult.Success());

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context) =>
        // A policy without schemes takes the result the authentication middleware already has, as the default does.
        policy.AuthenticationSchemes.Count == 0 && context.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult is { } known
            ? Task.FromResult(known)
            : Default(context).AuthenticateAsync(policy, context);

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource) =>
        IsTenantUserPolicy(policy) && OnlyIdentity(context.User) is RememberedIdentity { IsAuthenticated: true, ActsForOneTrust: true }
            ? s_success
            : Default(context).AuthorizeAsync(policy, authenticationResult, context, resource);

    /// <summary>Exactly the tenant-user policy's rules: an authenticated user, and one trust; no schemes of its own.</summary>
    internal static bool IsTenantUserPolicy(AuthorizationPolicy policy) =>
        policy.AuthenticationSchemes.Count == 0 && policy.Requirements is [DenyAnonymousAuthorizationRequirement, SingleTrustRequirement];

    // The single-trust rule reads the tenant claims of every identity of the principal: a second identity would change it.
    private static System.Security.Claims.ClaimsIdentity? OnlyIdentity(System.Security.Claims.ClaimsPrincipal user) =>
        user.Identities.TryGetNonEnumeratedCount(out var count) && count == 1 ? user.Identity as System.Security.Claims.ClaimsIdentity : null;

    private static PolicyEvaluator Default(HttpContext context) => new(context.RequestServices.GetRequiredService<IAuthorizationService>());
}
