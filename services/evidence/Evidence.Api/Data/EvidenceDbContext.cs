using Platform.KnownTrusts;
using Microsoft.EntityFrameworkCore;
using Platform.Messaging;
using Platform.Domain;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;
using Platform.Evidence.Domain;
using Domain = Platform.Evidence.Domain;

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
    /// <summary>Where to find it: a DOI, a journal reference or a report's reference.</summary>
    public string Citation { get; set; } = "";
    public RiskOfBias RiskOfBias { get; set; }
    public DateTime RecordedAt { get; init; }
    public string RecordedBy { get; init; } = "";

    /// <summary>The item as the appraisal rules read it.</summary>
    public Domain.EvidenceItem ToDomain() => new()
    {
        Id = Id, TenantId = TenantId, TechnologyId = TechnologyId, Title = Title, Citation = Citation, Design = (Domain.StudyDesign)StudyDesign,
        Participants = SampleSize, IndependentOfSupplier = IndependentOfSupplier, RiskOfBias = RiskOfBias,
        SettingRelevance = (Domain.SettingRelevance)SettingRelevance, RecordedAt = RecordedAt, RecordedBy = RecordedBy,
    };
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
    public DbSet<AppraisalRow> Appraisals => Set<AppraisalRow>();
    public DbSet<AppraisalItemRow> AppraisalItems => Set<AppraisalItemRow>();
    public DbSet<AppraisalStandardRow> AppraisalStandards => Set<AppraisalStandardRow>();
    public DbSet<AppraisalPolicyRow> AppraisalPolicies => Set<AppraisalPolicyRow>();
    public DbSet<TechnologyUseRow> TechnologyUses => Set<TechnologyUseRow>();
    public DbSet<MeasurementRow> Measurements => Set<MeasurementRow>();
    public DbSet<EqualityProfile> EqualityProfiles => Set<EqualityProfile>();
    public DbSet<OutcomePolicyRow> OutcomePolicies => Set<OutcomePolicyRow>();
    public DbSet<OutcomeFlagRow> OutcomeFlags => Set<OutcomeFlagRow>();

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
            e.Property(i => i.Citation).HasMaxLength(500).IsRequired();
            e.Property(i => i.RiskOfBias).HasConversion<string>().HasMaxLength(16);
            e.Property(i => i.RecordedBy).HasMaxLength(200).IsRequired();
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
        modelBuilder.Entity<AppraisalRow>(e =>
        {
            e.ToTable("appraisals");
            e.HasKey(a => a.Id);
            e.Property(a => a.SettingCode).HasMaxLength(64).IsRequired();
            e.Property(a => a.Tier).HasConversion<string>().HasMaxLength(8);
            e.Property(a => a.Conclusion).HasConversion<string>().HasMaxLength(16);
            e.Property(a => a.HowEvidenceInformedDecision).HasMaxLength(4000).IsRequired();
            e.Property(a => a.ReviewedBy).HasMaxLength(200).IsRequired();
            e.HasIndex(a => new { a.TenantId, a.TechnologyId, a.SettingCode, a.CompletedAt });
        });
        modelBuilder.Entity<AppraisalItemRow>(e =>
        {
            e.ToTable("appraisal_items");
            e.HasKey(i => new { i.AppraisalId, i.EvidenceItemId });
            e.Property(i => i.Snapshot).IsRequired();
        });
        modelBuilder.Entity<AppraisalStandardRow>(e =>
        {
            e.ToTable("appraisal_standards");
            e.HasKey(s => new { s.AppraisalId, s.Position });
            e.Property(s => s.Standard).HasMaxLength(100).IsRequired();
            e.Property(s => s.Note).HasMaxLength(2000);
        });
        modelBuilder.Entity<AppraisalPolicyRow>(e =>
        {
            e.ToTable("appraisal_policies");
            e.HasKey(p => p.TenantId);
            e.Property(p => p.TenantId).HasMaxLength(8);
            e.Property(p => p.HighQualityDesigns).HasMaxLength(400).IsRequired();
        });
        modelBuilder.Entity<TechnologyUseRow>(e =>
        {
            e.ToTable("technology_uses");
            e.HasKey(u => u.UseId);
            e.Property(u => u.PatientKey).HasMaxLength(PatientKey.MaxLength).IsRequired();
            e.Property(u => u.SettingCode).HasMaxLength(64).IsRequired();
        });
        modelBuilder.Entity<MeasurementRow>(e =>
        {
            e.ToTable("outcome_measurements");
            e.HasKey(m => m.Id);
            e.Property(m => m.PatientKey).HasMaxLength(PatientKey.MaxLength).IsRequired();
            e.Property(m => m.SettingCode).HasMaxLength(64).IsRequired();
            e.Property(m => m.Instrument).HasConversion<string>().HasMaxLength(24);
            e.Property(m => m.Responses).IsRequired();
            e.Property(m => m.Score).IsRequired();
            e.Property(m => m.RecordedBy).HasMaxLength(200).IsRequired();
            e.HasIndex(m => new { m.TenantId, m.UseId, m.MeasuredAt });
            // Each patient's first and latest score per setting come from one scan of this index (the outcome report).
            e.HasIndex(m => new { m.TenantId, m.TechnologyId, m.Instrument, m.SettingCode, m.PatientKey, m.MeasuredAt });
        });
        modelBuilder.Entity<EqualityProfile>(e =>
        {
            e.ToTable("equality_profiles");
            e.HasKey(p => new { p.TenantId, p.PatientKey });
            e.Property(p => p.TenantId).HasMaxLength(8);
            e.Property(p => p.PatientKey).HasMaxLength(PatientKey.MaxLength);
            e.Property(p => p.Age).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.Disability).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.GenderReassignment).HasConversion<string>().HasMaxLength(40);
            e.Property(p => p.MarriageOrCivilPartnership).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.PregnancyOrMaternity).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.EthnicGroup).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.ReligionOrBelief).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.Sex).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.SexualOrientation).HasConversion<string>().HasMaxLength(32);
            e.Property(p => p.TraumaHistory).HasConversion<string>().HasMaxLength(16);
            e.Property(p => p.Paranoia).HasConversion<string>().HasMaxLength(16);
        });
        modelBuilder.Entity<OutcomePolicyRow>(e =>
        {
            e.ToTable("outcome_policies");
            e.HasKey(p => p.TenantId);
            e.Property(p => p.TenantId).HasMaxLength(8);
        });
        modelBuilder.Entity<OutcomeFlagRow>(e =>
        {
            e.ToTable("outcome_flags");
            e.HasKey(f => f.FlagId);
            e.Property(f => f.Key).HasMaxLength(300).IsRequired();
            e.Property(f => f.Kind).HasConversion<string>().HasMaxLength(24);
            e.Property(f => f.SettingCode).HasMaxLength(64);
            e.Property(f => f.Instrument).HasConversion<string>().HasMaxLength(24);
            e.Property(f => f.Characteristic).HasConversion<string>().HasMaxLength(32);
            e.Property(f => f.LowerGroupCategory).HasMaxLength(64);
            e.Property(f => f.LowerGroupLabel).HasMaxLength(200);
            e.Property(f => f.HigherGroupCategory).HasMaxLength(64);
            e.Property(f => f.HigherGroupLabel).HasMaxLength(200);
            e.Property(f => f.Period).HasMaxLength(7).IsRequired();
            // A finding is raised once per quarter: a second sweep, or a second replica sweeping at the same time, cannot add it again.
            e.HasIndex(f => new { f.TenantId, f.Period, f.Key }).IsUnique();
            e.HasIndex(f => new { f.TenantId, f.TechnologyId, f.RaisedAt });
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
        modelBuilder.AddKnownTrusts();
        base.OnModelCreating(modelBuilder);
    }
}

public sealed class EvidenceSqliteDbContext(DbContextOptions<EvidenceSqliteDbContext> options, ITenantContext tenant) : EvidenceDbContext(options, tenant);

public sealed class EvidencePostgresDbContext(DbContextOptions<EvidencePostgresDbContext> options, ITenantContext tenant) : EvidenceDbContext(options, tenant);
