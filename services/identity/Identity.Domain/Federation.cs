using Platform.Domain;

namespace Platform.Identity.Domain;

/// <summary>A claim value in a trust's own tokens that grants a platform role: roles = "Nurse" grants clinician.</summary>
public sealed record RoleMapping(string ClaimType, string ClaimValue, string Role);

/// <summary>
/// A trust's own identity provider (NHS CIS2, Entra ID, any OIDC issuer), trusted for token exchange for that trust
/// only. It is known by its issuer and the audience its tokens carry for this trust, and no two trusts may register the
/// same pair: an issuer can never speak for another trust.
/// </summary>
public sealed record IdentityProviderRegistration(string OdsCode, string DisplayName, string Issuer, string Audience, Uri JwksUri, IReadOnlyList<RoleMapping> RoleMappings)
{
    /// <param name="allowHttpJwks">Only for local runs and tests: a JWKS over plain HTTP.</param>
    public static Outcome<IdentityProviderRegistration> Create(string odsCode, string? displayName, string? issuer, string? audience, string? jwksUri,
        IEnumerable<RoleMapping> mappings, bool allowHttpJwks)
    {
        if (string.IsNullOrWhiteSpace(issuer) || !Uri.TryCreate(issuer.Trim(), UriKind.Absolute, out _))
            return Refusal.Invalid("issuer.format", "Issuer must be the provider's absolute issuer URL, exactly as its tokens' \"iss\".");
        if (Validation.RequiredText("audience", audience, 300) is { } badAudience) return badAudience;
        if (string.IsNullOrWhiteSpace(jwksUri) || !Uri.TryCreate(jwksUri.Trim(), UriKind.Absolute, out var jwks)
            || !(jwks.Scheme == Uri.UriSchemeHttps || (allowHttpJwks && jwks.Scheme == Uri.UriSchemeHttp)))
            return Refusal.Invalid("jwks-uri.format", "JWKS URI must be an absolute https URL of the provider's signing keys.");
        var list = mappings.Select(m => m with { ClaimType = m.ClaimType.Trim(), ClaimValue = m.ClaimValue.Trim(), Role = m.Role.Trim() }).ToList();
        if (list.Count == 0) return Refusal.Invalid("role-mappings.required", "Map at least one claim value to a platform role, or no user of this provider could do anything.");
        if (list.FirstOrDefault(m => m.ClaimType.Length == 0 || m.ClaimValue.Length == 0) is not null)
            return Refusal.Invalid("role-mappings.claim", "Each role mapping needs a claim type and a claim value.");
        // Staff act for their trust; a device or region role never comes from a person's token.
        if (list.FirstOrDefault(m => !Roles.TrustRoles.Contains(m.Role) || m.Role == Roles.Device) is { } bad)
            return Refusal.Invalid("role-mappings.role", $"'{bad.Role}' cannot be granted through a trust's identity provider.");
        var name = string.IsNullOrWhiteSpace(displayName) ? issuer.Trim() : displayName.Trim();
        return new IdentityProviderRegistration(odsCode, name, issuer.Trim(), audience!.Trim(), jwks, list);
    }

    /// <summary>
    /// The platform roles a user's validated claims grant: every mapping whose claim type carries its value. A claim may
    /// hold several values (a JSON array is several claims of one type); values compare exactly.
    /// </summary>
    public static IReadOnlyList<string> RolesFor(IEnumerable<(string Type, string Value)> claims, IEnumerable<RoleMapping> mappings)
    {
        var held = claims.ToHashSet();
        return mappings.Where(m => held.Contains((m.ClaimType, m.ClaimValue))).Select(m => m.Role).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }
}
