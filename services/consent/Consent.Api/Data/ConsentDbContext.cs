using Microsoft.EntityFrameworkCore;
using Platform.Consent.Domain;
using Platform.ServiceDefaults.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Data;

public class ConsentDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public DbSet<Patient> Patients => Set<Patient>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Patient>(e =>
        {
            e.ToTable("patients");
            e.HasKey(p => p.Id);
            e.Property(p => p.NhsNumber).HasMaxLength(10).IsRequired();
            e.Property(p => p.WardCode).HasMaxLength(32).IsRequired();
            e.Property(p => p.AgeBand).HasConversion<string>().HasMaxLength(24);
            e.HasIndex(p => new { p.TenantId, p.NhsNumber }).IsUnique();
            e.HasIndex(p => new { p.TenantId, p.WardCode });
        });
        base.OnModelCreating(modelBuilder);
    }
}

/// <summary>The SQLite flavour: owns the SQLite migrations.</summary>
public sealed class ConsentSqliteDbContext(DbContextOptions<ConsentSqliteDbContext> options, ITenantContext tenant) : ConsentDbContext(options, tenant);

/// <summary>The PostgreSQL flavour: owns the PostgreSQL migrations (with row-level security).</summary>
public sealed class ConsentPostgresDbContext(DbContextOptions<ConsentPostgresDbContext> options, ITenantContext tenant) : ConsentDbContext(options, tenant);
