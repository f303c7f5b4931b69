namespace Platform.ServiceDefaults.Auth;

/// <summary>Configuration section <c>Auth</c>: which issuer's tokens a service accepts.</summary>
public sealed class PlatformAuthOptions
{
    public const string Section = "Auth";

    /// <summary>The token issuer (the gateway's token service, or the local runner's dev issuer).</summary>
    public string? Issuer { get; set; }

    /// <summary>The audience tokens must be minted for.</summary>
    public string Audience { get; set; } = "platform";

    /// <summary>Where to fetch the issuer's signing keys (JWKS). Refetched on an unknown key id.</summary>
    public string? JwksUri { get; set; }

    /// <summary>The signing keys inline, as a JWKS JSON document (local runner, tests).</summary>
    public string? Jwks { get; set; }

    /// <summary>Tolerated clock difference between issuer and service.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);
}
