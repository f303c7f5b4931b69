using Platform.ServiceDefaults.Tenancy;

namespace Platform.Testing;

/// <summary>A tenant context fixed to one trust, for contexts built by hand in tests.</summary>
public sealed class FixedTenant(string? tenant) : ITenantContext
{
    public string? TenantId => tenant;
}
