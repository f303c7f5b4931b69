namespace Platform.Identity.Api;

/// <summary>Configuration section <c>Identity</c>: the token service.</summary>
public sealed class IdentityOptions
{
    public const string Section = "Identity";

    /// <summary>
    /// The issuer URL, exactly as tokens carry it in <c>iss</c> and as every service's <c>Auth:Issuer</c> names it
    /// (e.g. https://identity.region.example/). Required.
    /// </summary>
    public string? Issuer { get; set; }

    /// <summary>How long an access token lives. Short: a removed client or suspended trust stops within this.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Serve the token endpoint over plain HTTP (local runs and tests only; in production TLS ends at the ingress and
    /// forwarded headers carry the scheme).
    /// </summary>
    public bool AllowHttp { get; set; }

    public SigningKeyOptions SigningKeys { get; set; } = new();

    public FederationOptions Federation { get; set; } = new();

    /// <summary>The region operator's first client, made at start-up so the region can be onboarded at all.</summary>
    public BootstrapClientOptions Bootstrap { get; set; } = new();
}

public sealed class SigningKeyOptions
{
    /// <summary>A new signing key is made when the active one is this old.</summary>
    public TimeSpan RotateAfter { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// A new key is published this long before it signs anything, so services that cache the JWKS have it before they
    /// see a token signed with it (they also fetch at once on a key id they do not know).
    /// </summary>
    public TimeSpan PublishAhead { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often each replica rereads the keys (another replica may have rotated them).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where ASP.NET Core Data Protection keeps the key ring that protects the signing keys at rest (a mounted secret
    /// volume in Kubernetes, shared by the replicas). Unset: Data Protection's default location.
    /// </summary>
    public string? ProtectionKeysDirectory { get; set; }
}

public sealed class FederationOptions
{
    /// <summary>Accept a trust identity provider's JWKS over plain HTTP (local runs and tests only).</summary>
    public bool AllowHttpJwks { get; set; }

    /// <summary>Tolerated clock difference with a trust's identity provider.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromMinutes(1);
}

public sealed class BootstrapClientOptions
{
    /// <summary>Client id of the region operator's first client; unset: none is made.</summary>
    public string? RegionOperatorClientId { get; set; }

    /// <summary>Its secret (from a secret store, never from the chart's values). The configured secret is the one that works.</summary>
    public string? RegionOperatorClientSecret { get; set; }
}
