using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using Platform.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.ServiceDefaults.Auth;

public static class AuthenticationExtensions
{
    /// <summary>Policy: an authenticated caller acting for exactly one trust (one <c>tenant</c> claim, an ODS code).</summary>
    public const string TenantUserPolicy = "tenant-user";

    /// <summary>
    /// JWT bearer authentication from the configured issuer and JWKS, and a fallback policy that refuses any endpoint
    /// to a caller without a valid token and a tenant. Endpoints opt out explicitly (health, event routes).
    /// </summary>
    public static IHostApplicationBuilder AddPlatformAuthentication(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(PlatformAuthOptions.Section).Get<PlatformAuthOptions>() ?? new PlatformAuthOptions();
        if (string.IsNullOrWhiteSpace(options.Issuer) || (string.IsNullOrWhiteSpace(options.Jwks) && string.IsNullOrWhiteSpace(options.JwksUri)))
        {
            throw new InvalidOperationException(
                "Authentication is not configured: set Auth:Issuer and either Auth:JwksUri or Auth:Jwks. " +
                "The local runner (tools/LocalRunner) sets these for you.");
        }

        builder.Services.AddHttpClient();
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<JwksKeySource>();
        // The request a scope serves, for the tenant and the actor (no IHttpContextAccessor: see CurrentRequest).
        builder.Services.AddScoped<CurrentRequest>();
        builder.Services.AddTransient<IStartupFilter, CurrentRequest.StartupFilter>();
        builder.Services.AddScoped<TenantContext>();
        builder.Services.AddScoped<ITenantContext>(sp => sp.GetRequiredService<TenantContext>());
        builder.Services.AddScoped<CurrentActor>();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        // The same scheme and options, with a short way for tokens already validated (PlatformBearerHandler).
        builder.Services.Configure<AuthenticationOptions>(o =>
            o.Schemes.Single(s => s.Name == JwtBearerDefaults.AuthenticationScheme).HandlerType = typeof(PlatformBearerHandler));
        // Registered, as AddJwtBearer registers its own handler type, so each request's handler comes from the container's
        // compiled factory rather than ActivatorUtilities' constructor search (what an unregistered handler type gets).
        builder.Services.TryAddTransient<PlatformBearerHandler>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<JwksKeySource, ILoggerFactory>((jwt, keys, loggers) =>
            {
                jwt.MapInboundClaims = false;
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(new CachingTokenHandler(TimeProvider.System) { MapInboundClaims = false });
                jwt.RequireHttpsMetadata = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = options.Issuer,
                    ValidAudience = options.Audience,
                    ValidateIssuer = true,
                    ValidateAudience = true,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    RequireSignedTokens = true,
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256],
                    ClockSkew = options.ClockSkew,
                    NameClaimType = "sub",
                    RoleClaimType = "roles",
                    IssuerSigningKeyResolver = (_, _, kid, _) => keys.Resolve(kid),
                };
                var log = loggers.CreateLogger("Platform.Auth");
                jwt.Events = new JwtBearerEvents
                {
                    // The reason is logged for operators; the caller sees only 401 (no hints for an attacker).
                    OnAuthenticationFailed = ctx =>
                    {
                        log.LogInformation("Bearer token refused: {Reason}", ctx.Exception.GetType().Name);
                        return Task.CompletedTask;
                    },
                };
            });

        var tenantUser = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().AddRequirements(new SingleTrustRequirement()).Build();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(TenantUserPolicy, tenantUser)
            .SetFallbackPolicy(tenantUser);
        builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, GrpcAwareAuthorizationResultHandler>();
        return builder;
    }
}
