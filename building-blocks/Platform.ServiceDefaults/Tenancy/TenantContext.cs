using Platform.Domain;

namespace Platform.ServiceDefaults.Tenancy;

/// <summary>The trust (tenant) the current unit of work acts for.</summary>
public interface ITenantContext
{
    /// <summary>The tenant's ODS code, or null when there is none (anonymous, or a region-level caller).</summary>
    string? TenantId { get; }
}

/// <summary>
/// Scoped tenant context. In a request, the tenant comes only from the authenticated token's one <c>tenant</c> claim.
/// Outside a request (an event handler, a seeder) the code that owns the scope sets it explicitly with
/// <see cref="Use"/>, taking it from a trusted source (the event, written by a service that took it from a token).
/// </summary>
public sealed class TenantContext(CurrentRequest request) : ITenantContext
{
    public const string ClaimType = "tenant";
    private string? _explicit;

    public string? TenantId
    {
        get
        {
            if (_explicit is not null) return _explicit;
            var user = request.HttpContext?.User;
            if (user?.Identity?.IsAuthenticated != true) return null;
            // Exactly one trust or none: a token naming two acts for neither (the tenant policy refuses it anyway).
            var claim = SingleClaim(user);
            return OdsCode.IsValid(claim) ? claim : null;
        }
    }

    /// <summary>
    /// The value of <paramref name="user"/>'s one <c>tenant</c> claim, whatever it holds; null when it has none or
    /// several. Read on every call (the tenant, the single-trust and known-trust checks), so it builds no list.
    /// </summary>
    public static string? SingleClaim(System.Security.Claims.ClaimsPrincipal user)
    {
        string? claim = null;
        foreach (var c in user.FindAll(ClaimType))
        {
            if (claim is not null) return null;
            claim = c.Value;
        }
        return claim;
    }

    /// <summary>Sets the tenant for this scope. Only for code that is not serving a user's request.</summary>
    public void Use(string tenantId)
    {
        if (!OdsCode.IsValid(tenantId)) throw new ArgumentException($"'{tenantId}' is not an ODS code.", nameof(tenantId));
        if (request.HttpContext is not null && _explicit is null && TenantFromRequest() is { } fromToken && fromToken != tenantId)
            throw new InvalidOperationException("A request scope cannot switch to another tenant than its token's.");
        _explicit = tenantId;
    }

    private string? TenantFromRequest() => request.HttpContext?.User.FindFirst(ClaimType)?.Value;
}
