using Platform.KnownTrusts;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;
using Platform.Domain;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Audit.Api.Data;

/// <summary>FHIR AuditEvent.action.</summary>
public enum AuditAction
{
    Unspecified = 0,
    Create = 1,
    Read = 2,
    Update = 3,
    Delete = 4,
    Execute = 5,
}

/// <summary>FHIR AuditEvent.outcome; the values are FHIR's codes.</summary>
public enum AuditOutcome
{
    Success = 0,
    MinorFailure = 4,
    SeriousFailure = 8,
    MajorFailure = 12,
}

/// <summary>
/// One entry of a trust's append-only log, in the FHIR AuditEvent shape. Never updated or deleted; its
/// <see cref="LeafHash"/> is the RFC 6962 leaf hash of <see cref="AuditEntryCanonical"/> bytes.
/// </summary>
public sealed class AuditEntry : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public long Sequence { get; init; }
    public string Type { get; init; } = "";
    public AuditAction Action { get; init; }
    public AuditOutcome Outcome { get; init; }
    public string AgentWho { get; init; } = "";
    public string AgentRole { get; init; } = "";
    public string AgentPurposeOfUse { get; init; } = "";
    public string EntityWhat { get; init; } = "";
    public string EntityType { get; init; } = "";
    public DateTime Recorded { get; init; }
    public string? SourceEventId { get; init; }
    public string LeafHash { get; set; } = "";
}

public class AuditDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public DbSet<AuditEntry> Entries => Set<AuditEntry>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_entries");
            e.HasKey(x => x.Id);
            e.Property(x => x.Type).HasMaxLength(64).IsRequired();
            e.Property(x => x.Action).HasConversion<string>().HasMaxLength(12);
            e.Property(x => x.Outcome).HasConversion<int>();
            e.Property(x => x.AgentWho).HasMaxLength(128).IsRequired();
            e.Property(x => x.AgentRole).HasMaxLength(64).IsRequired();
            e.Property(x => x.AgentPurposeOfUse).HasMaxLength(32).IsRequired();
            e.Property(x => x.EntityWhat).HasMaxLength(256).IsRequired();
            e.Property(x => x.EntityType).HasMaxLength(64).IsRequired();
            e.Property(x => x.SourceEventId).HasMaxLength(128);
            e.Property(x => x.LeafHash).HasMaxLength(64).IsRequired();
            e.HasIndex(x => new { x.TenantId, x.Sequence }).IsUnique();
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
        modelBuilder.AddKnownTrusts();
        base.OnModelCreating(modelBuilder);
    }
}

public sealed class AuditSqliteDbContext(DbContextOptions<AuditSqliteDbContext> options, ITenantContext tenant) : AuditDbContext(options, tenant);

public sealed class AuditPostgresDbContext(DbContextOptions<AuditPostgresDbContext> options, ITenantContext tenant) : AuditDbContext(options, tenant);
