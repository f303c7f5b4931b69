namespace Platform.Gateway.Tenancy;

/// <summary>The roles the tenancy directory's methods ask of a caller's token.</summary>
public static class TenancyRoles
{
    /// <summary>Onboards trusts into the region.</summary>
    public const string RegionOperator = "region-operator";
}
