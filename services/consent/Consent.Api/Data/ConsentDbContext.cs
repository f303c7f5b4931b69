using Platform.KnownTrusts;
using System.Data.Common;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Platform.Consent.Domain;
using Platform.Messaging;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Data;

public class ConsentDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public const int EnumLength = 40;
    public const int CodeLength = 32;
    public const int OverrideReasonLength = 2000;

    public DbSet<Patient> Patients => Set<Patient>();
    public DbSet<CapacityAssessment> CapacityAssessments => Set<CapacityAssessment>();
    public DbSet<GillickAssessment> GillickAssessments => Set<GillickAssessment>();
    public DbSet<ProxyAuthority> ProxyAuthorities => Set<ProxyAuthority>();
    public DbSet<OwnConsent> OwnConsents => Set<OwnConsent>();
    public DbSet<ProxyConsent> ProxyConsents => Set<ProxyConsent>();
    public DbSet<BestInterestsDecision> BestInterestsDecisions => Set<BestInterestsDecision>();
    public DbSet<TechnologyApproval> TechnologyApprovals => Set<TechnologyApproval>();
    public DbSet<TechnologyUse> TechnologyUses => Set<TechnologyUse>();
    public DbSet<TrustPolicySettings> TrustPolicies => Set<TrustPolicySettings>();
    public DbSet<ConsentTrust> Trusts => Set<ConsentTrust>();
    public DbSet<RaisedBlanketSignal> RaisedBlanketSignals => Set<RaisedBlanketSignal>();
    public DbSet<RaisedConsentSignal> RaisedSignals => Set<RaisedConsentSignal>();
    public DbSet<AdvanceDecision> AdvanceDecisions => Set<AdvanceDecision>();
    public DbSet<MentalHealthActRecord> MentalHealthActRecords => Set<MentalHealthActRecord>();
    public DbSet<Section63Record> Section63Records => Set<Section63Record>();
    public DbSet<UseReview> UseReviews => Set<UseReview>();
    public DbSet<ConsentWard> Wards => Set<ConsentWard>();
    public DbSet<ConsentTechnology> Technologies => Set<ConsentTechnology>();
    public DbSet<PatientObjection> PatientObjections => Set<PatientObjection>();
    public DbSet<DeprivationOfLibertyScreen> DeprivationOfLibertyScreens => Set<DeprivationOfLibertyScreen>();
    public DbSet<CourtOrder> CourtOrders => Set<CourtOrder>();
    public DbSet<ZoneOfParentalControlFinding> ParentalControlFindings => Set<ZoneOfParentalControlFinding>();
    public DbSet<PublishedTrustUseCounts> PublishedUseCounts => Set<PublishedTrustUseCounts>();
    public DbSet<UseCountPublicationRecord> UseCountPublications => Set<UseCountPublicationRecord>();

    private List<Action>? _afterCommit;

    /// <summary>
    /// Runs <paramref name="action"/> once the work is durable: now when no transaction is open (SaveChanges has
    /// committed), else when the open transaction commits (an event delivery's), and never if it rolls back. Cache
    /// invalidation goes through here, so no reader can cache what a still-open transaction replaced.
    /// </summary>
    public void AfterCommit(Action action)
    {
        if (Database.CurrentTransaction is null) action();
        else (_afterCommit ??= []).Add(action);
    }

    internal void TransactionEnded(bool committed)
    {
        var actions = _afterCommit;
        _afterCommit = null;
        if (committed && actions is not null) foreach (var action in actions) action();
    }

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        optionsBuilder.AddInterceptors(AfterCommitInterceptor.Instance);
        base.OnConfiguring(optionsBuilder);
    }

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private static readonly ValueConverter<List<ConsultedPerson>, string> s_consultedJson = new(
        v => JsonSerializer.Serialize(v, s_json),
        v => JsonSerializer.Deserialize<List<ConsultedPerson>>(v, s_json) ?? new List<ConsultedPerson>());

    // The list is replaced, not edited in place, but compare by content so EF never misses a change.
    private static readonly ValueComparer<List<ConsultedPerson>> s_consultedComparer = new(
        (a, b) => JsonSerializer.Serialize(a, s_json) == JsonSerializer.Serialize(b, s_json),
        v => JsonSerializer.Serialize(v, s_json).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<List<ConsultedPerson>>(JsonSerializer.Serialize(v, s_json), s_json)!);

    private static readonly ValueConverter<List<string>, string> s_stringsJson = new(
        v => JsonSerializer.Serialize(v, s_json),
        v => JsonSerializer.Deserialize<List<string>>(v, s_json) ?? new List<string>());

    private static readonly ValueComparer<List<string>> s_stringsComparer = new(
        (a, b) => a!.SequenceEqual(b!),
        v => v.Aggregate(0, (h, x) => HashCode.Combine(h, x.GetHashCode(StringComparison.Ordinal))),
        v => v.ToList());

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Enums are stored by name so the tables read without the code; HumanRight is a flags set and stays numeric.
        foreach (var type in new[]
                 {
                     typeof(AgeBand), typeof(CapacityDetermination), typeof(FunctionalAbility), typeof(ProxyKind),
                     typeof(ParentalResponsibilityBasis), typeof(ConsentDecision), typeof(AccessibleFormat), typeof(UsePurpose),
                     typeof(UseStatus), typeof(UseEndReason), typeof(SuspensionReason), typeof(LawfulBasisKind),
                     typeof(ProxyAuthorityEndReason), typeof(MentalDisorderTreatmentRoute), typeof(AdvanceDecisionInvalidation),
                     typeof(AdvanceDecisionInapplicability), typeof(ReviewDecision), typeof(MentalHealthActStatus),
                     typeof(ObjectionExpression), typeof(RedecisionOutcome), typeof(CourtKind), typeof(CourtOrderEffect),
                     typeof(DeprivationOfLibertyAuthorisation),
                 })
            configurationBuilder.Properties(type).HaveConversion<string>().HaveMaxLength(EnumLength);
        base.ConfigureConventions(configurationBuilder);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        PublishedUseCountsModel.Configure(modelBuilder);
        modelBuilder.Entity<Patient>(e =>
        {
            e.ToTable("patients");
            e.HasKey(p => p.Id);
            e.Property(p => p.NhsNumber).HasMaxLength(10).IsRequired();
            e.Property(p => p.WardCode).HasMaxLength(32).IsRequired();
            e.Property(p => p.AgeBand).HasConversion<string>().HasMaxLength(24);
            e.HasIndex(p => new { p.TenantId, p.NhsNumber }).IsUnique();
            e.HasIndex(p => new { p.TenantId, p.WardCode });
            // The naming convention would join the digits to the words around them.
            e.Property(p => p.Turns16On).HasColumnName("turns_16_on");
            e.Property(p => p.Turns18On).HasColumnName("turns_18_on");
        });
        modelBuilder.Entity<CapacityAssessment>(e =>
        {
            e.ToTable("capacity_assessments");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<GillickAssessment>(e =>
        {
            e.ToTable("gillick_assessments");
            e.HasKey(x => x.Id);
            e.Property(x => x.Reasons).HasMaxLength(4000);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<ProxyAuthority>(e =>
        {
            e.ToTable("proxy_authorities");
            e.HasKey(x => x.Id);
            // As the contract spells it; the naming convention would join the digits to the word after them.
            e.Property(x => x.DonorWas18OrOverWhenMade).HasColumnName("donor_was_18_or_over_when_made");
            e.Property(x => x.EndOrSuspensionReference).HasMaxLength(200);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<OwnConsent>(e =>
        {
            e.ToTable("own_consents");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<ProxyConsent>(e =>
        {
            e.ToTable("proxy_consents");
            e.HasKey(x => x.Id);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<BestInterestsDecision>(e =>
        {
            e.ToTable("best_interests_decisions");
            e.HasKey(x => x.Id);
            e.Property(x => x.PeopleConsulted).HasConversion(s_consultedJson, s_consultedComparer).IsRequired();
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<TechnologyApproval>(e =>
        {
            e.ToTable("technology_approvals");
            e.HasKey(x => x.Id);
            e.Property(x => x.SettingCode).HasMaxLength(CodeLength);
            e.Property(x => x.OverrideApprovedBy).HasMaxLength(200);
            e.Property(x => x.OverrideApprovedRole).HasMaxLength(40);
            e.Property(x => x.OverrideApprovalReason).HasMaxLength(OverrideReasonLength);
            e.Property(x => x.OverrideWithdrawnBy).HasMaxLength(200);
            e.Property(x => x.OverrideWithdrawnRole).HasMaxLength(40);
            e.Property(x => x.OverrideWithdrawalReason).HasMaxLength(OverrideReasonLength);
            e.HasIndex(x => new { x.TenantId, x.TechnologyId, x.SettingCode });
        });
        modelBuilder.Entity<TechnologyUse>(e =>
        {
            e.ToTable("technology_uses");
            e.HasKey(x => x.Id);
            e.Property(x => x.WardCode).HasMaxLength(CodeLength);
            e.Property(x => x.SettingCode).HasMaxLength(CodeLength);
            // Owned parts are columns of the owner's table, named <part>_<property> (care_plan_reason, ...).
            e.OwnsOne(x => x.CarePlan, o => o.Property(c => c.Id).HasColumnName("care_plan_record_id"));
            e.Navigation(x => x.CarePlan).IsRequired();
            e.OwnsOne(x => x.HumanRights);
            e.OwnsOne(x => x.Safety);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
            e.HasIndex(x => new { x.TenantId, x.TechnologyId, x.SettingCode });
            e.HasIndex(x => new { x.TenantId, x.WardCode });
        });
        modelBuilder.Entity<TrustPolicySettings>(e =>
        {
            e.ToTable("trust_policies");
            e.HasKey(x => x.TenantId);
        });
        modelBuilder.Entity<ConsentTrust>(e =>
        {
            e.ToTable("consent_trusts");
            e.HasKey(x => x.TenantId);
            e.Property(x => x.TenantId).HasMaxLength(8);
        });
        modelBuilder.Entity<RaisedBlanketSignal>(e =>
        {
            e.ToTable("blanket_signals");
            e.HasKey(x => x.Id);
            e.Property(x => x.SignalKey).HasMaxLength(64);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(EnumLength);
            e.Property(x => x.WardCode).HasMaxLength(CodeLength);
            // The finding's evidence: the uses it rests on, so the ward sees what the signal is about.
            e.Property(x => x.UseIds).HasConversion(s_stringsJson, s_stringsComparer).IsRequired();
            e.HasIndex(x => new { x.TenantId, x.SignalKey }).IsUnique();
            e.HasIndex(x => new { x.TenantId, x.WardCode, x.RaisedAt });
        });
        modelBuilder.Entity<RaisedConsentSignal>(e =>
        {
            e.ToTable("raised_signals");
            e.HasKey(x => x.Id);
            e.Property(x => x.SignalKey).HasMaxLength(80);
            e.Property(x => x.Kind).HasConversion<string>().HasMaxLength(EnumLength);
            e.HasIndex(x => new { x.TenantId, x.SignalKey }).IsUnique();
            // The sweep's look-ups: what was raised about a subject, and warned deadlines not yet followed up.
            e.HasIndex(x => new { x.TenantId, x.Kind, x.SubjectId });
            e.HasIndex(x => new { x.TenantId, x.Kind, x.Deadline });
        });
        modelBuilder.Entity<AdvanceDecision>(e =>
        {
            e.ToTable("advance_decisions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Aged18OrOverWhenMade).HasColumnName("aged_18_or_over_when_made");
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<MentalHealthActRecord>(e =>
        {
            e.ToTable("mental_health_act_records");
            e.HasKey(x => x.Id);
            e.Property(x => x.RecordedBy).HasMaxLength(200);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });

        modelBuilder.Entity<Section63Record>(e =>
        {
            e.ToTable("section_63_records");
            e.HasKey(x => x.Id);
            e.Property(x => x.ResponsibleClinician).HasMaxLength(200);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });

        modelBuilder.Entity<UseReview>(e =>
        {
            e.ToTable("use_reviews");
            e.HasKey(x => x.Id);
            e.Property(x => x.OutcomeMeasureReferences).HasConversion(s_stringsJson, s_stringsComparer).IsRequired();
            e.HasIndex(x => new { x.TenantId, x.UseId });
        });
        modelBuilder.Entity<ConsentWard>(e =>
        {
            e.ToTable("wards");
            e.HasKey(x => new { x.TenantId, x.Code });
            e.Property(x => x.TenantId).HasMaxLength(8);
            e.Property(x => x.Code).HasMaxLength(CodeLength);
            e.Property(x => x.SettingCode).HasMaxLength(CodeLength);
        });
        modelBuilder.Entity<ConsentTechnology>(e =>
        {
            e.ToTable("technologies");
            // Per trust: a technology is known to the trust whose register holds it, and only to that one.
            e.HasKey(x => new { x.TenantId, x.Id });
            e.Property(x => x.TenantId).HasMaxLength(8);
            e.Property(x => x.Name).HasMaxLength(200).IsRequired();
        });
        modelBuilder.Entity<PatientObjection>(e =>
        {
            e.ToTable("patient_objections");
            e.HasKey(x => x.Id);
            e.Property(x => x.Description).HasMaxLength(FreeText.NarrativeLimit);
            e.Property(x => x.RecordedBy).HasMaxLength(FreeText.ShortLimit);
            // The re-decision is columns of the objection's row (redecision_*, redecision_human_rights_*), null while open.
            e.OwnsOne(x => x.Redecision, r =>
            {
                r.Property(d => d.DecidedBy).HasMaxLength(FreeText.ShortLimit);
                r.Property(d => d.Reasons).HasMaxLength(FreeText.NarrativeLimit);
                r.Property(d => d.HarmPrevented).HasMaxLength(FreeText.NarrativeLimit);
                r.Property(d => d.WhyProportionate).HasMaxLength(FreeText.NarrativeLimit);
                r.OwnsOne(d => d.HumanRights);
            });
            e.HasIndex(x => new { x.TenantId, x.PatientId });
            e.HasIndex(x => new { x.TenantId, x.UseId });
        });
        modelBuilder.Entity<DeprivationOfLibertyScreen>(e =>
        {
            e.ToTable("deprivation_of_liberty_screens");
            e.HasKey(x => x.Id);
            e.Property(x => x.ScreenedBy).HasMaxLength(FreeText.ShortLimit);
            e.Property(x => x.AuthorisationReference).HasMaxLength(FreeText.ShortLimit);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<CourtOrder>(e =>
        {
            e.ToTable("court_orders");
            e.HasKey(x => x.Id);
            e.Property(x => x.Reference).HasMaxLength(FreeText.ShortLimit);
            e.Property(x => x.VerifiedBy).HasMaxLength(FreeText.ShortLimit);
            e.Property(x => x.DischargeReference).HasMaxLength(FreeText.ShortLimit);
            e.Property(x => x.DischargeVerifiedBy).HasMaxLength(FreeText.ShortLimit);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.Entity<ZoneOfParentalControlFinding>(e =>
        {
            e.ToTable("zone_of_parental_control_findings");
            e.HasKey(x => x.Id);
            e.Property(x => x.Reasons).HasMaxLength(FreeText.NarrativeLimit);
            e.Property(x => x.AssessedBy).HasMaxLength(FreeText.ShortLimit);
            e.HasIndex(x => new { x.TenantId, x.PatientId });
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
        modelBuilder.AddKnownTrusts();
        base.OnModelCreating(modelBuilder);
    }
}

/// <summary>Tells the context when its explicit transaction ends, for <see cref="ConsentDbContext.AfterCommit"/>.</summary>
internal sealed class AfterCommitInterceptor : DbTransactionInterceptor
{
    public static readonly AfterCommitInterceptor Instance = new();

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Ended(eventData, true);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(eventData, true);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Ended(eventData, false);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Ended(eventData, false);
        return Task.CompletedTask;
    }

    private static void Ended(TransactionEndEventData eventData, bool committed) => (eventData.Context as ConsentDbContext)?.TransactionEnded(committed);
}

/// <summary>The SQLite flavour: owns the SQLite migrations.</summary>
public sealed class ConsentSqliteDbContext(DbContextOptions<ConsentSqliteDbContext> options, ITenantContext tenant) : ConsentDbContext(options, tenant);

/// <summary>The PostgreSQL flavour: owns the PostgreSQL migrations (with row-level security).</summary>
public sealed class ConsentPostgresDbContext(DbContextOptions<ConsentPostgresDbContext> options, ITenantContext tenant) : ConsentDbContext(options, tenant);
