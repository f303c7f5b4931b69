using Google.Protobuf.WellKnownTypes;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Gateway.GraphQL.Loading;
using Platform.Gateway.GraphQL.Protection;

namespace Platform.Gateway.GraphQL.Schema;

internal static class Times
{
    public static DateTime? Of(Timestamp? t) => t is null ? null : t.ToDateTime();
}

/// <summary>An enum of the contracts, under the contract's name, each value described.</summary>
public sealed class ContractEnumType<TEnum> : EnumerationGraphType<TEnum> where TEnum : struct, System.Enum
{
    private static readonly Dictionary<System.Type, string> s_descriptions = new()
    {
        [typeof(TechnologyCategory)] = "What kind of technology it is (procurement).",
        [typeof(StudyDesign)] = "The design of a study (evidence).",
        [typeof(SettingRelevance)] = "How close a study's setting is to mental health inpatient care (evidence).",
        [typeof(EvidenceQuality)] = "The appraised quality of evidence (evidence).",
        [typeof(BlanketSignalKind)] = "The kind of sign of a blanket approach (consent).",
        [typeof(AuditAction)] = "The FHIR AuditEvent action (audit).",
        [typeof(AuditOutcome)] = "The FHIR AuditEvent outcome (audit).",
        [typeof(Instrument)] = "The instrument outcomes are measured on (evidence).",
        [typeof(Platform.Contracts.Evidence.V1.EsfTier)] = "The NICE Evidence Standards Framework tier (evidence).",
        [typeof(AppraisalConclusion)] = "What an appraisal concluded of the evidence (evidence).",
        [typeof(CaseStatus)] = "Where a procurement case's approval stands (procurement).",
        [typeof(StatedPurpose)] = "Why the trust wants a technology in a setting (procurement; principle 5).",
        [typeof(ApprovalKind)] = "The kind of approval: full, or a trial (procurement; principle 7).",
        [typeof(GateState)] = "The state of a procurement gate (procurement).",
        [typeof(EvidenceConclusion)] = "What the evidence appraisal behind an approval concluded (procurement).",
        [typeof(WithdrawalCause)] = "Why an approval was withdrawn (procurement).",
        [typeof(UseStatus)] = "The state of a technology use (consent).",
        [typeof(UsePurpose)] = "What a technology use is for (consent).",
        [typeof(LawfulBasisKind)] = "The lawful basis a use rests on (consent; MCA 2005 ss. 1-4, s. 9, s. 16; MHA 1983 s. 63).",
        [typeof(LawfulBasisStatus)] = "Whether a use's lawful basis stands as it is now (consent).",
        [typeof(UseCheckDecision)] = "What a use check would answer now (consent).",
    };

    public ContractEnumType()
    {
        Name = typeof(TEnum).Name;
        Description = s_descriptions.GetValueOrDefault(typeof(TEnum), typeof(TEnum).Name);
        foreach (var value in Values) value.Description ??= value.Name.Replace('_', ' ').ToLowerInvariant();
    }
}

public sealed class TechnologyType : ObjectGraphType<Technology>
{
    public TechnologyType(GraphQLOptions options)
    {
        Name = "Technology";
        Description = "A digital technology in the trust's register (procurement).";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The technology's id.").Resolve(c => c.Source.TechnologyId);
        Field<NonNullGraphType<StringGraphType>>("name").Description("The technology's name.").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<StringGraphType>>("supplier").Description("Who supplies it.").Resolve(c => c.Source.Supplier);
        Field<NonNullGraphType<StringGraphType>>("intendedUse").Description("What it is for, in the trust's words (principle 3: a defined intended use).").Resolve(c => c.Source.IntendedUse);
        Field<NonNullGraphType<ContractEnumType<TechnologyCategory>>>("category").Description("The kind of technology.").Resolve(c => c.Source.Category);
        Field<NonNullGraphType<BooleanGraphType>>("surveillance").Description("Whether it is video or vision-based monitoring, which needs extra scrutiny at every gate.").Resolve(c => c.Source.Surveillance);
        Field<DateTimeGraphType>("registeredAt").Description("When it was entered in the register (UTC).").Resolve(c => Times.Of(c.Source.RegisteredAt));
        Field<OutcomeReportType>("outcomeReport")
            .Description("Its outcomes in an ended quarter by protected characteristic, small cells suppressed (evidence service; clinicians, ward managers, evidence reviewers, procurement leads).")
            .Argument<NonNullGraphType<ContractEnumType<Instrument>>>("instrument", "The instrument the outcomes are measured on.")
            .Argument<NonNullGraphType<StringGraphType>>("period", "A calendar quarter that has ended, e.g. 2026-Q3.")
            .Resolve(c => c.RequestServices!.GetRequiredService<DashboardLoaders>().OutcomeReports
                .Load(new OutcomeReportKey(c.Source.TechnologyId, c.GetArgument<Instrument>("instrument"), c.GetArgument<string>("period"))));
        Connection<AppraisalType>("appraisals")
            .Description("Its appraisals with their ESF tiers, newest first (evidence service; evidence reviewers, procurement leads, clinical safety officers, IG leads).")
            .PageSize(options.DefaultPageSize)
            .Resolve(c => c.RequestServices!.GetRequiredService<DashboardLoaders>().AppraisalsByTechnology.Load(c.Source.TechnologyId)
                .Then(items => Cursors.Page(items, c.First ?? options.DefaultPageSize, c.After)));
        Connection<SettingApprovalType>("settings")
            .Description("Its approval status per ward setting type with the gates still open, oldest case first (procurement service; procurement leads, IG leads, clinical safety officers, evidence reviewers).")
            .PageSize(options.DefaultPageSize)
            .Resolve(c => c.RequestServices!.GetRequiredService<DashboardLoaders>().CasesByTechnology.Load(c.Source.TechnologyId)
                .Then(items => Cursors.Page(items, c.First ?? options.DefaultPageSize, c.After)));
        Connection<EvidenceItemType>("evidence")
            .Description("The evidence items recorded for this technology (evidence service), oldest first.")
            .PageSize(options.DefaultPageSize)
            .Resolve(c => c.RequestServices!.GetRequiredService<DashboardLoaders>().EvidenceByTechnology.Load(c.Source.TechnologyId)
                .Then(items => Cursors.Page(items, c.First ?? options.DefaultPageSize, c.After)));
    }
}

public sealed class EvidenceItemType : ObjectGraphType<EvidenceItem>
{
    public EvidenceItemType()
    {
        Name = "EvidenceItem";
        Description = "A study or evaluation recorded as evidence for a technology.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The evidence item's id.").Resolve(c => c.Source.EvidenceItemId);
        Field<NonNullGraphType<IdGraphType>>("technologyId").Description("The technology it is evidence for.").Resolve(c => c.Source.TechnologyId);
        Field<NonNullGraphType<StringGraphType>>("title").Description("The study's title.").Resolve(c => c.Source.Title);
        Field<ContractEnumType<StudyDesign>>("studyDesign").Description("The study's design.").Resolve(c => c.Source.StudyDesign == StudyDesign.Unspecified ? null : c.Source.StudyDesign);
        Field<NonNullGraphType<IntGraphType>>("sampleSize").Description("How many participants the study had.").Resolve(c => c.Source.SampleSize);
        Field<NonNullGraphType<BooleanGraphType>>("independentOfSupplier").Description("Whether the study was independent of the supplier (no funding, authorship or data control).").Resolve(c => c.Source.IndependentOfSupplier);
        Field<ContractEnumType<SettingRelevance>>("settingRelevance").Description("How close the study's setting is to mental health inpatient care.").Resolve(c => c.Source.SettingRelevance == SettingRelevance.Unspecified ? null : c.Source.SettingRelevance);
        Field<ContractEnumType<EvidenceQuality>>("quality").Description("The appraised quality of the evidence.").Resolve(c => c.Source.Quality == EvidenceQuality.Unspecified ? null : c.Source.Quality);
        Field<DateTimeGraphType>("recordedAt").Description("When it was recorded (UTC).").Resolve(c => Times.Of(c.Source.RecordedAt));
    }
}

public sealed class BlanketUseSignalType : ObjectGraphType<BlanketUseSignal>
{
    public BlanketUseSignalType()
    {
        Name = "BlanketUseSignal";
        Description = "A sign of a blanket approach on a ward (principle 2), for a person to review; it blocks nothing by itself.";
        Field<NonNullGraphType<ContractEnumType<BlanketSignalKind>>>("kind").Description("What kind of sign it is.").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<StringGraphType>>("wardCode").Description("The ward it was seen on.").Resolve(c => c.Source.WardCode);
        Field<NonNullGraphType<IdGraphType>>("technologyId").Description("The technology concerned.").Resolve(c => c.Source.TechnologyId);
        Field<NonNullGraphType<IntGraphType>>("useCount").Description("How many uses make up the signal.").Resolve(c => c.Source.UseCount);
        Field<NonNullGraphType<IntGraphType>>("patientsOnWard").Description("How many patients were on the ward.").Resolve(c => c.Source.PatientsOnWard);
        Field<NonNullGraphType<FloatGraphType>>("share").Description("The share of the ward's patients the uses cover (0 to 1).").Resolve(c => c.Source.Share);
        Field<DateTimeGraphType>("windowStart").Description("The start of the window the uses began in (UTC).").Resolve(c => Times.Of(c.Source.WindowStart));
        Field<DateTimeGraphType>("windowEnd").Description("The end of that window (UTC).").Resolve(c => Times.Of(c.Source.WindowEnd));
        Field<FloatGraphType>("minimumSimilarity").Description("For near-identical rationales: the least similarity between two of them (0 to 1).").Resolve(c => c.Source.HasMinimumSimilarity ? c.Source.MinimumSimilarity : null);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("useIds")
            .Description("The technology uses behind the signal: the evidence a reviewer opens. Each is one patient's use, so these are patient rows.")
            .WithMetadata(PatientDataRule.PatientData, true)
            .Resolve(c => c.Source.UseIds.ToList());
        Field<NonNullGraphType<StringGraphType>>("summary").Description("The signal in words, for the reviewer.").Resolve(c => c.Source.Summary);
    }
}

public sealed class AuditEntryType : ObjectGraphType<AuditEntry>
{
    public AuditEntryType()
    {
        Name = "AuditEntry";
        Description = "An entry of the trust's tamper-evident audit log (FHIR AuditEvent shape).";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The entry's id.").Resolve(c => c.Source.EntryId);
        Field<NonNullGraphType<LongGraphType>>("sequence").Description("Its position in the trust's log: 1, 2, 3, ...").Resolve(c => c.Source.Sequence);
        Field<NonNullGraphType<StringGraphType>>("type").Description("What happened, e.g. consent-decision or audit-log-read.").Resolve(c => c.Source.Type);
        Field<ContractEnumType<AuditAction>>("action").Description("The FHIR AuditEvent action.").Resolve(c => c.Source.Action == AuditAction.Unspecified ? null : c.Source.Action);
        Field<ContractEnumType<AuditOutcome>>("outcome").Description("The FHIR AuditEvent outcome.").Resolve(c => c.Source.Outcome == AuditOutcome.Unspecified ? null : c.Source.Outcome);
        Field<StringGraphType>("agentRole").Description("The role the agent acted in.").Resolve(c => c.Source.Agent?.Role);
        Field<StringGraphType>("entityType").Description("The kind of thing acted on.").Resolve(c => c.Source.Entity?.Type);
        Field<DateTimeGraphType>("recorded").Description("When it was recorded (UTC).").Resolve(c => Times.Of(c.Source.Recorded));
        Field<NonNullGraphType<StringGraphType>>("leafHash").Description("Its RFC 6962 leaf hash (hex), by which a verifier checks it.").Resolve(c => c.Source.LeafHash);
    }
}
