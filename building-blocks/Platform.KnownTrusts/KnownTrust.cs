using Microsoft.EntityFrameworkCore;

namespace Platform.KnownTrusts;

/// <summary>
/// A trust as a service knows it from the identity service's events: region-level (not tenant-owned), one row per
/// trust, in the service's own database.
/// </summary>
public sealed class KnownTrust
{
    /// <summary>The trust's ODS code.</summary>
    public string OdsCode { get; set; } = "";

    /// <summary>The trust's name, as the directory last said.</summary>
    public string Name { get; set; } = "";

    /// <summary>False while the trust is suspended: its tokens are refused.</summary>
    public bool Active { get; set; }

    /// <summary>When the last event about it was applied.</summary>
    public DateTime ChangedAt { get; set; }
}

/// <summary>What a directory event says about a trust: onboarded (active), changed, suspended (not active).</summary>
/// <param name="OdsCode">The trust's ODS code; must equal the event's tenant.</param>
/// <param name="Name">The trust's name.</param>
/// <param name="Active">Whether its tokens are accepted.</param>
public sealed record KnownTrustChange(string OdsCode, string Name, bool Active);

/// <summary>Whether a service accepts a trust's tokens.</summary>
public enum KnownTrustState
{
    /// <summary>The directory never told this service of the trust.</summary>
    Unknown,
    /// <summary>Onboarded and not suspended.</summary>
    Active,
    /// <summary>Suspended by the region operator.</summary>
    Suspended,
}

/// <summary>The known-trusts table in a service's own model (so it lands in that service's migrations).</summary>
public static class KnownTrustsModelBuilderExtensions
{
    /// <summary>Adds <c>known_trusts</c>. Call from <c>OnModelCreating</c>.</summary>
    public static ModelBuilder AddKnownTrusts(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<KnownTrust>(e =>
        {
            e.ToTable("known_trusts");
            e.HasKey(t => t.OdsCode);
            e.Property(t => t.OdsCode).HasColumnName("ods_code").HasMaxLength(8);
            e.Property(t => t.Name).HasColumnName("name").HasMaxLength(200);
            e.Property(t => t.Active).HasColumnName("active");
            e.Property(t => t.ChangedAt).HasColumnName("changed_at");
        });
        return modelBuilder;
    }
}

/// <summary>Reads of a service's known trusts.</summary>
public static class KnownTrustQueries
{
    /// <summary>
    /// The ODS codes of the trusts the directory has onboarded and not suspended: the trusts a sweep works for and a
    /// region caller's answer reads (ADR 0034).
    /// </summary>
    public static Task<List<string>> ActiveTrustCodesAsync(this DbContext db, CancellationToken ct) =>
        db.Set<KnownTrust>().AsNoTracking().Where(t => t.Active).Select(t => t.OdsCode).ToListAsync(ct);
}
