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
    /// <summary>Used to help manage safety risks (P6): each use records why it is proportionate.</summary>
    public bool ManagesSafetyRisk { get; set; }
    public DateTime RegisteredAt { get; init; }
}

public class ProcurementDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public DbSet<Technology> Technologies => Set<Technology>();
    public DbSet<CaseRow> Cases => Set<CaseRow>();
    public DbSet<GateRecordRow> GateRecords => Set<GateRecordRow>();
    public DbSet<ApprovalRow> Approvals => Set<ApprovalRow>();
    public DbSet<AppraisalReceived> AppraisalsReceived => Set<AppraisalReceived>();
    public DbSet<OutcomeFlagReceived> OutcomeFlagsReceived => Set<OutcomeFlagReceived>();
    public DbSet<ProcurementPolicyRow> Policies => Set<ProcurementPolicyRow>();
    public DbSet<ProcurementTrust> Trusts => Set<ProcurementTrust>();
    public DbSet<SharedSupplierEvidenceRow> SharedEvidence => Set<SharedSupplierEvidenceRow>();
    public DbSet<ProcurementWard> Wards => Set<ProcurementWard>();

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
            e.Property(t => t.ManagesSafetyRisk).HasDefaultValue(false);
        });
        modelBuilder.Entity<CaseRow>(e =>
        {
            e.ToTable("procurement_cases");
            e.HasKey(c => c.Id);
            e.Property(c => c.SettingCode).HasMaxLength(64).IsRequired();
            e.Property(c => c.SettingDescription).HasMaxLength(2000).IsRequired();
            e.Property(c => c.Purpose).HasConversion<string>().HasMaxLength(40);
            e.Property(c => c.OpenedBy).HasMaxLength(200).IsRequired();
            e.HasIndex(c => new { c.TenantId, c.TechnologyId, c.SettingCode }).IsUnique();
        });
        modelBuilder.Entity<GateRecordRow>(e =>
        {
            e.ToTable("gate_records");
            e.HasKey(r => r.Id);
            e.Property(r => r.Gate).HasConversion<string>().HasMaxLength(64);
            e.Property(r => r.Evidence).IsRequired();
            e.Property(r => r.EvidenceReference).HasMaxLength(300).IsRequired();
            e.Property(r => r.RecordedBy).HasMaxLength(200).IsRequired();
            e.Property(r => r.RecordedAs).HasConversion<string>().HasMaxLength(40);
            e.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.FailureReason).HasMaxLength(2000);
            e.Property(r => r.ReuseOriginTenant).HasMaxLength(8);
            e.Property(r => r.ReuseKind).HasConversion<string>().HasMaxLength(24);
            e.Property(r => r.ReuseReviewNote).HasMaxLength(2000);
            e.Property(r => r.InvalidationReason).HasMaxLength(2000);
            e.HasIndex(r => new { r.TenantId, r.CaseId, r.Gate, r.RecordedAt });
            e.HasIndex(r => new { r.TenantId, r.ExpiresAt });
        });
        modelBuilder.Entity<ApprovalRow>(e =>
        {
            e.ToTable("approvals");
            e.HasKey(a => a.Id);
            e.Property(a => a.TechnologyName).HasMaxLength(200).IsRequired();
            e.Property(a => a.SettingCode).HasMaxLength(64).IsRequired();
            e.Property(a => a.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(a => a.Rationale).HasMaxLength(4000).IsRequired();
            e.Property(a => a.EvidenceConclusion).HasConversion<string>().HasMaxLength(16);
            e.Property(a => a.ApprovedBy).HasMaxLength(200).IsRequired();
            e.Property(a => a.WithdrawalCause).HasConversion<string>().HasMaxLength(24);
            e.Property(a => a.WithdrawalReason).HasMaxLength(4000);
            e.Property(a => a.WithdrawalExpiredGates).HasMaxLength(1000);
            e.Property(a => a.WithdrawnBy).HasMaxLength(200);
            e.HasIndex(a => new { a.TenantId, a.CaseId, a.ApprovedAt });
        });
        modelBuilder.Entity<AppraisalReceived>(e =>
        {
            e.ToTable("appraisals_received");
            e.HasKey(a => a.AppraisalId);
            e.Property(a => a.SettingCode).HasMaxLength(64).IsRequired();
            e.Property(a => a.Tier).HasConversion<string>().HasMaxLength(8);
            e.Property(a => a.Conclusion).HasConversion<string>().HasMaxLength(16);
            e.Property(a => a.ReviewerSubject).HasMaxLength(200).IsRequired();
            e.HasIndex(a => new { a.TenantId, a.TechnologyId, a.SettingCode, a.CompletedAt });
        });
        modelBuilder.Entity<OutcomeFlagReceived>(e =>
        {
            e.ToTable("outcome_flags_received");
            e.HasKey(f => f.FlagId);
            e.Property(f => f.Kind).HasMaxLength(24).IsRequired();
            e.Property(f => f.SettingCode).HasMaxLength(64);
            e.Property(f => f.Instrument).HasMaxLength(32).IsRequired();
            e.HasIndex(f => new { f.TenantId, f.TechnologyId });
        });
        modelBuilder.Entity<ProcurementPolicyRow>(e =>
        {
            e.ToTable("procurement_policies");
            e.HasKey(p => p.TenantId);
        });
        modelBuilder.Entity<ProcurementTrust>(e =>
        {
            e.ToTable("procurement_trusts");
            e.HasKey(t => t.TenantId);
            e.Property(t => t.TenantId).HasMaxLength(8);
        });
        modelBuilder.Entity<SharedSupplierEvidenceRow>(e =>
        {
            e.ToTable("shared_supplier_evidence");
            e.HasKey(s => s.Id);
            e.Property(s => s.OriginTenantId).HasMaxLength(8).IsRequired();
            e.Property(s => s.Supplier).HasMaxLength(200).IsRequired();
            e.Property(s => s.ProductName).HasMaxLength(200).IsRequired();
            e.Property(s => s.Kind).HasConversion<string>().HasMaxLength(24);
            e.Property(s => s.Content).IsRequired();
            e.Property(s => s.SharedBy).HasMaxLength(200).IsRequired();
            e.HasIndex(s => new { s.Supplier, s.SharedAt });
            e.HasIndex(s => s.OriginTenantId);
        });
        modelBuilder.Entity<ProcurementWard>(e =>
        {
            e.ToTable("procurement_wards");
            e.HasKey(w => new { w.TenantId, w.WardCode });
            e.Property(w => w.WardCode).HasMaxLength(32);
            e.Property(w => w.SettingCode).HasMaxLength(64).IsRequired();
            e.HasIndex(w => new { w.TenantId, w.SettingCode });
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
        modelBuilder.AddKnownTrusts();
        base.OnModelCreating(modelBuilder);
    }
}

public sealed class ProcurementSqliteDbContext(DbContextOptions<ProcurementSqliteDbContext> options, ITenantContext tenant) : ProcurementDbContext(options, tenant);

public sealed class ProcurementPostgresDbContext(DbContextOptions<ProcurementPostgresDbContext> options, ITenantContext tenant) : ProcurementDbContext(options, tenant);
