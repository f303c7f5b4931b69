using Platform.KnownTrusts;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;
using Platform.Domain;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Procurement.Api.Data;

public enum TechnologyCategory
{
    Unspecified = 0,
    DirectCare = 1,
    PatientSafety = 2,
    Monitoring = 3,
    Communication = 4,
}

/// <summary>A digital technology the trust is considering or uses, with its defined intended use (P3).</summary>
public sealed class Technology : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Supplier { get; set; } = "";
    public string IntendedUse { get; set; } = "";
    public TechnologyCategory Category { get; set; }
    /// <summary>Video or vision-based monitoring: extra scrutiny at every gate.</summary>
    public bool Surveillance { get; set; }
    public DateTime RegisteredAt { get; init; }
}

public class ProcurementDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public DbSet<Technology> Technologies => Set<Technology>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Technology>(e =>
        {
            e.ToTable("technologies");
            e.HasKey(t => t.Id);
            e.Property(t => t.Name).HasMaxLength(200).IsRequired();
            e.Property(t => t.Supplier).HasMaxLength(200).IsRequired();
            e.Property(t => t.IntendedUse).HasMaxLength(2000).IsRequired();
            e.Property(t => t.Category).HasConversion<string>().HasMaxLength(24);
            e.HasIndex(t => new { t.TenantId, t.Name, t.Supplier }).IsUnique();
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
        modelBuilder.AddKnownTrusts();
        base.OnModelCreating(modelBuilder);
    }
}

public sealed class ProcurementSqliteDbContext(DbContextOptions<ProcurementSqliteDbContext> options, ITenantContext tenant) : ProcurementDbContext(options, tenant);

public sealed class ProcurementPostgresDbContext(DbContextOptions<ProcurementPostgresDbContext> options, ITenantContext tenant) : ProcurementDbContext(options, tenant);
