using Platform.Domain;

namespace Platform.Identity.Domain;

public enum ClientKind
{
    Unspecified = 0,
    /// <summary>An electronic patient record system.</summary>
    Epr = 1,
    /// <summary>A device or app on a ward: it may only ask whether it may run (the device role).</summary>
    Device = 2,
    /// <summary>Any other system of the trust.</summary>
    Integration = 3,
    /// <summary>A region-level client: no trust, region roles only.</summary>
    Region = 4,
}

/// <summary>
/// A client as the region operator registers it: bound to one trust (or, for a region client, to none) with the roles
/// and scopes it may have, authenticating with a secret or, when it holds keys, with private_key_jwt (RFC 7523).
/// </summary>
public sealed record ClientRegistration(
    string ClientId, string? OdsCode, ClientKind Kind, string DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes,
    string? JwksJson, bool AllowTokenExchange)
{
    public const int MaxClientId = 64;

    public bool UsesPrivateKeyJwt => JwksJson is not null;

    /// <param name="clientId">Empty: one is made from the trust and kind.</param>
    /// <param name="odsCode">The trust, already normalised and known to exist; null for a region client.</param>
    /// <param name="suffix">Random letters for a made-up client id.</param>
    public static Outcome<ClientRegistration> Create(string? clientId, string? odsCode, ClientKind kind, string? displayName,
        IEnumerable<string> roles, IEnumerable<string> scopes, string? jwksJson, bool allowTokenExchange, string suffix)
    {
        if (Validation.Defined("kind", kind) is { } badKind) return badKind;
        if (kind == ClientKind.Region && odsCode is not null)
            return Refusal.Invalid("kind.region-without-trust", "A region client belongs to no trust: leave the ODS code empty.");
        if (kind != ClientKind.Region && odsCode is null)
            return Refusal.Invalid("ods-code.required", "A trust's client needs the trust's ODS code.");

        var id = string.IsNullOrWhiteSpace(clientId) ? $"{(odsCode ?? "region").ToLowerInvariant()}-{kind.ToString().ToLowerInvariant()}-{suffix}" : clientId.Trim();
        if (id.Length > MaxClientId || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            return Refusal.Invalid("client-id.format", $"Client id must be 1 to {MaxClientId} letters, digits, '-' or '_'.");

        var name = string.IsNullOrWhiteSpace(displayName) ? id : displayName.Trim();
        if (name.Length > 200) return Refusal.Invalid("display-name.too-long", "Display name must be at most 200 characters.");

        var roleList = roles.Select(r => r.Trim()).Where(r => r.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (roleList.Count == 0) return Refusal.Invalid("roles.required", "Name at least one role the client acts in.");
        var allowed = kind switch
        {
            ClientKind.Region => Domain.Roles.RegionRoles,
            ClientKind.Device => new HashSet<string>(StringComparer.Ordinal) { Domain.Roles.Device },
            _ => Domain.Roles.TrustRoles,
        };
        if (roleList.FirstOrDefault(r => !allowed.Contains(r)) is { } badRole)
            return Refusal.Invalid("roles.not-allowed", $"A {kind.ToString().ToLowerInvariant()} client cannot have the role '{badRole}'; allowed: {string.Join(", ", allowed.Order(StringComparer.Ordinal))}.");

        var scopeList = scopes.Select(s => s.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (scopeList.Count == 0) scopeList = [.. Domain.Scopes.All];
        if (scopeList.FirstOrDefault(s => !Domain.Scopes.All.Contains(s)) is { } badScope)
            return Refusal.Invalid("scopes.unknown", $"Unknown scope '{badScope}'; scopes: {string.Join(", ", Domain.Scopes.All)}.");

        if (allowTokenExchange && kind is ClientKind.Device or ClientKind.Region)
            return Refusal.Invalid("allow-token-exchange.kind", "Only a trust's EPR or integration client may exchange its users' tokens.");
        var jwks = string.IsNullOrWhiteSpace(jwksJson) ? null : jwksJson.Trim();
        return new ClientRegistration(id, odsCode, kind, name, roleList, scopeList, jwks, allowTokenExchange);
    }
}
