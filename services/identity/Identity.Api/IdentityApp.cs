using Platform.ServiceDefaults.Auth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OpenIddict.Server;
using Platform.Grpc;
using Platform.Identity.Api.Data;
using Platform.Identity.Api.Application;
using Platform.Identity.Api.Federation;
using Platform.Identity.Api.Grpc;
using Platform.Identity.Api.Tokens;
using Platform.Identity.Domain;
using Platform.Messaging;
using Platform.Messaging.Subscriptions;
using Platform.Persistence;
using Platform.ServiceDefaults;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Platform.Identity.Api;

/// <summary>The identity service's composition; Program and the local runner both build the app through it.</summary>
public static class IdentityApp
{
    public static WebApplication Build(WebApplicationBuilder builder)
    {
        builder.AddServiceDefaults();
        builder.AddPlatformGrpc();
        builder.AddIdentityServices();
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGrpcEndpoints();
        app.MapEventSubscriptions();
        app.MapDeadLetterOperations();
        app.MapTokenEndpoint();
        app.MapGrpcService<DirectoryGrpcService>();
        return app;
    }

    /// <summary>The token service (OpenIddict on the service's own database), its signing keys, the directory.</summary>
    public static IHostApplicationBuilder AddIdentityServices(this IHostApplicationBuilder builder)
    {
        var identity = builder.Configuration.GetSection(IdentityOptions.Section).Get<IdentityOptions>() ?? new IdentityOptions();
        if (!Uri.TryCreate(identity.Issuer, UriKind.Absolute, out var issuer))
            throw new InvalidOperationException("Identity:Issuer must be the token service's absolute issuer URL (the same as every service's Auth:Issuer).");
        builder.Services.AddSingleton(Options.Create(identity));

        builder.AddPlatformDatabase<IdentityDbContext, IdentitySqliteDbContext, IdentityPostgresDbContext>("identity");
        builder.AddPlatformEvents<IdentityDbContext>("identity");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddHttpClient();

        var protection = builder.Services.AddDataProtection().SetApplicationName("platform-identity");
        if (identity.SigningKeys.ProtectionKeysDirectory is { Length: > 0 } keysDirectory) protection.PersistKeysToFileSystem(new DirectoryInfo(keysDirectory));
        builder.Services.AddSingleton<SigningKeyRing>();
        builder.Services.AddSingleton<IOptionsChangeTokenSource<OpenIddictServerOptions>>(sp => sp.GetRequiredService<SigningKeyRing>());
        builder.Services.AddSingleton<IConfigureOptions<OpenIddictServerOptions>, PublishSigningKeys>();
        // After the database's migration (registered by AddPlatformDatabase): the keys live in the database.
        builder.Services.AddHostedService<SigningKeyMaintenance>();
        builder.Services.AddHostedService<RegionOperatorBootstrap>();
        builder.Services.AddHealthChecks().AddCheck("signing-keys", () => HealthCheckResult.Healthy(), tags: ["ready"]);

        builder.Services.AddOpenIddict()
            .AddCore(o => o.UseEntityFrameworkCore().UseDbContext<IdentityDbContext>())
            .AddServer(o =>
            {
                o.SetIssuer(issuer);
                o.SetTokenEndpointUris("connect/token");
                o.AllowClientCredentialsFlow();
                o.AllowTokenExchangeFlow();
                o.RegisterScopes([.. Domain.Scopes.All]);
                o.SetAccessTokenLifetime(identity.AccessTokenLifetime);
                // Services validate plain signed JWTs with JwtBearer (not OpenIddict's encrypted JWE default).
                o.DisableAccessTokenEncryption();
                // Access tokens are self-contained and short-lived; nothing introspects or revokes them one by one.
                o.DisableTokenStorage();
                o.DisableAuthorizationStorage();
                // OpenIddict insists on an encryption key, which no token issued here uses (access tokens are not encrypted).
                o.AddEphemeralEncryptionKey();
                o.AddEventHandler(SignWithActiveKey.Descriptor);
                o.AddEventHandler(RefuseScopesNotGranted.Descriptor);
                o.AddEventHandler(LeaveSubjectTokenToTheTrustsProvider.Descriptor);
                o.AddEventHandler(ClientAssertionFailuresAreInvalidClient.Descriptor);
                o.Configure(options =>
                {
                    // Users' tokens from a trust's own identity provider: a JWT (RFC 8693 section 3), an ID or access token.
                    options.SubjectTokenTypes.Clear();
                    options.SubjectTokenTypes.UnionWith([TokenTypeIdentifiers.GenericJsonWebToken, TokenTypeIdentifiers.IdentityToken, TokenTypeIdentifiers.AccessToken]);
                    options.ActorTokenTypes.Clear();
                });
                var aspNetCore = o.UseAspNetCore().EnableTokenEndpointPassthrough();
                if (identity.AllowHttp) aspNetCore.DisableTransportSecurityRequirement();
            });

        // A trust provider's rotated key must work on the first request that presents it: IdentityModel's
        // ConfigurationManager then fetches the keys before answering (its default refreshes in the background, and
        // the request would fail). Nothing else in the platform uses a ConfigurationManager.
        AppContext.SetSwitch("Switch.Microsoft.IdentityModel.UpdateConfigAsBlocking", true);
        builder.Services.AddSingleton<FederatedTokenValidator>();
        builder.Services.AddScoped<TrustDirectory>();
        builder.Services.AddAuthorizationBuilder().AddRegionCallerPolicy("the region's directory methods");
        return builder;
    }
}
