using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Platform.Identity.Api.Tokens;

/// <summary>
/// A scope the client was not registered for is <c>invalid_scope</c> (RFC 6749 section 5.2: "exceeds the scope
/// granted"); OpenIddict's own permission check would answer <c>invalid_request</c>. Runs just before it.
/// </summary>
internal sealed class RefuseScopesNotGranted(IOpenIddictApplicationManager applications) : IOpenIddictServerHandler<OpenIddictServerEvents.ValidateTokenRequestContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ValidateTokenRequestContext>()
        .AddFilter<OpenIddictServerHandlerFilters.RequireClientIdParameter>()
        .UseScopedHandler<RefuseScopesNotGranted>()
        .SetOrder(OpenIddictServerHandlers.Exchange.ValidateScopePermissions.Descriptor.Order - 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public async ValueTask HandleAsync(OpenIddictServerEvents.ValidateTokenRequestContext context)
    {
        if (await applications.FindByClientIdAsync(context.ClientId!) is not { } application) return;
        foreach (var scope in context.Request.GetScopes())
        {
            if (await applications.HasPermissionAsync(application, Permissions.Prefixes.Scope + scope)) continue;
            context.Reject(Errors.InvalidScope, $"The client is not registered for the scope '{scope}'.");
            return;
        }
    }
}

/// <summary>
/// In a token exchange the subject token is a trust identity provider's, not one OpenIddict issued: OpenIddict leaves
/// it alone and the token endpoint validates it against the trust's registered providers (FederatedTokenValidator).
/// </summary>
internal sealed class LeaveSubjectTokenToTheTrustsProvider : IOpenIddictServerHandler<OpenIddictServerEvents.ProcessAuthenticationContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ProcessAuthenticationContext>()
        .UseSingletonHandler<LeaveSubjectTokenToTheTrustsProvider>()
        .SetOrder(OpenIddictServerHandlers.EvaluateValidatedTokens.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(OpenIddictServerEvents.ProcessAuthenticationContext context)
    {
        if (context.EndpointType == OpenIddictServerEndpointType.Token && context.Request.IsTokenExchangeGrantType())
        {
            (context.ExtractSubjectToken, context.RequireSubjectToken, context.ValidateSubjectToken, context.RejectSubjectToken) = (false, false, false, false);
        }
        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// A client assertion that fails validation (another audience, expired, not its key) failed client authentication:
/// <c>invalid_client</c> (RFC 7523 section 3.2, RFC 6749 section 5.2). OpenIddict answers some of these
/// <c>invalid_token</c>; no other token of a request here is validated by OpenIddict, so the assertion is the one.
/// </summary>
internal sealed class ClientAssertionFailuresAreInvalidClient : IOpenIddictServerHandler<OpenIddictServerEvents.ApplyTokenResponseContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.ApplyTokenResponseContext>()
        .UseSingletonHandler<ClientAssertionFailuresAreInvalidClient>()
        .SetOrder(OpenIddictServerHandlers.Exchange.NormalizeErrorResponse.Descriptor.Order - 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(OpenIddictServerEvents.ApplyTokenResponseContext context)
    {
        if (context.Error == Errors.InvalidToken && !string.IsNullOrEmpty(context.Request?.ClientAssertion))
        {
            context.Response.Error = Errors.InvalidClient;
            context.Response.ErrorDescription = "The client assertion is not valid: " + context.Response.ErrorDescription;
        }
        return ValueTask.CompletedTask;
    }
}
