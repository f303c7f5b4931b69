using Platform.KnownTrusts;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;
using Platform.Domain;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Evidence.Api.Data;

public enum StudyDesign
{
    Unspecified = 0,
    SystematicReview = 1,
    Rct = 2,
    Cohort = 3,
    CaseControl = 4,
    CrossSectional = 5,
    Qualitative = 6,
    ServiceEvaluation = 7,
    CaseSeries = 8,
}

public enum SettingRelevance
{
    Unspecified = 0,
    Direct = 1,
    Partial = 2,
    NotRelevant = 3,
}

public enum EvidenceQuality
{
    Unspecified = 0,
    High = 1,
    Moderate = 2,
    Low = 3,
    VeryLow = 4,
}

/// <summary>One piece of evidence about a technology, as the critical evidence review records it (P7).</summary>
public sealed class EvidenceItem : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid TechnologyId { get; init; }
    public string Title { get; set; } = "";
    public StudyDesign StudyDesign { get; set; }
    public int SampleSize { get; set; }
    public bool IndependentOfSupplier { get; set; }
    public SettingRelevance SettingRelevance { get; set; }
    public EvidenceQuality Quality { get; set; }
    public DateTime RecordedAt { get; init; }
}

/// <summary>
/// A technology in the trust's register, as procurement's technology_registered event told evidence of it. Evidence is
/// recorded only for these, so no trust can attach evidence to another trust's technology (or a made-up one).
/// </summary>
public sealed class RegisteredTechnology : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public string Name { get; set; } = "";
    public DateTime LearnedAt { get; init; }
}

public class EvidenceDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public DbSet<EvidenceItem> EvidenceItems => Set<EvidenceItem>();
    public DbSet<RegisteredTechnology> Technologies => Set<RegisteredTechnology>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<EvidenceItem>(e =>
        {
            e.ToTable("evidence_items");
            e.HasKey(i => i.Id);
            e.Property(i => i.Title).HasMaxLength(300).IsRequired();
            e.Property(i => i.StudyDesign).HasConversion<string>().HasMaxLength(24);
            e.Property(i => i.SettingRelevance).HasConversion<string>().HasMaxLength(24);
            e.Property(i => i.Quality).HasConversion<string>().HasMaxLength(24);
            e.HasIndex(i => new { i.TenantId, i.TechnologyId });
        });
        modelBuilder.Entity<RegisteredTechnology>(e =>
        {
            e.ToTable("technologies");
            // Per trust: a technology is known to the trust whose register holds it, and only to that one.
            e.HasKey(t => new { t.TenantId, t.Id });
            e.Property(t => t.TenantId).HasMaxLength(8);
            e.Property(t => t.Name).HasMaxLength(200).IsRequired();
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
        modelBuilder.AddKnownTrusts();
        base.OnModelCreating(modelBuilder);
    }
}

public sealed class EvidenceSqliteDbContext(DbContextOptions<EvidenceSqliteDbContext> options, ITenantContext tenant) : EvidenceDbContext(options, tenant);

public sealed class EvidencePostgresDbContext(DbContextOptions<EvidencePostgresDbContext> options, ITenantContext tenant) : EvidenceDbContext(options, tenant);
