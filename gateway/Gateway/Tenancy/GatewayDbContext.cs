using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Gateway.Tenancy;

public enum WardSetting
{
    Unspecified = 0,
    AcuteAdult = 1,
    Picu = 2,
    Camhs = 3,
    LdAutism = 4,
    OlderAdults = 5,
    MotherAndBaby = 6,
    Secure = 7,
}

/// <summary>A trust of the region: a tenant, keyed by its ODS code. The directory is region-level, not tenant-owned.</summary>
public sealed class Trust
{
    public string OdsCode { get; init; } = "";
    public string Name { get; set; } = "";
    public DateTime RegisteredAt { get; init; }
}

/// <summary>A ward of a trust, with the setting type that approvals are granted for.</summary>
public sealed class Ward : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public string Code { get; init; } = "";
    public string Name { get; set; } = "";
    public WardSetting Setting { get; set; }
    public int Beds { get; set; }
}

public class GatewayDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public DbSet<Trust> Trusts => Set<Trust>();
    public DbSet<Ward> Wards => Set<Ward>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Trust>(e =>
        {
            e.ToTable("trusts");
            e.HasKey(t => t.OdsCode);
            e.Property(t => t.OdsCode).HasMaxLength(8);
            e.Property(t => t.Name).HasMaxLength(200).IsRequired();
        });
        modelBuilder.Entity<Ward>(e =>
        {
            e.ToTable("wards");
            e.HasKey(w => w.Id);
            e.Property(w => w.Code).HasMaxLength(32).IsRequired();
            e.Property(w => w.Name).HasMaxLength(200).IsRequired();
            e.Property(w => w.Setting).HasConversion<string>().HasMaxLength(24);
            e.HasIndex(w => new { w.TenantId, w.Code }).IsUnique();
        });
        base.OnModelCreating(modelBuilder);
    }
}

public sealed class GatewaySqliteDbContext(DbContextOptions<GatewaySqliteDbContext> options, ITenantContext tenant) : GatewayDbContext(options, tenant);

public sealed class GatewayPostgresDbContext(DbContextOptions<GatewayPostgresDbContext> options, ITenantContext tenant) : GatewayDbContext(options, tenant);
