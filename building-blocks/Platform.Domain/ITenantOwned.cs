namespace Platform.Domain;

/// <summary>
/// A row that belongs to one trust. Persistence stamps <see cref="TenantId"/> from the authenticated tenant on insert
/// and filters every query by it; a type never sets it from request data.
/// </summary>
public interface ITenantOwned
{
    string TenantId { get; set; }
}
