using GraphQL;
using GraphQL.Types;
using Platform.Contracts.Consent.V1;
using Platform.Gateway.GraphQL.Protection;

namespace Platform.Gateway.GraphQL.Schema;

// The consent service's ward lists (issue 19): uses with their lawful basis, overdue reviews, consent required after
// capacity was regained, and the blanket-use signals the sweep raised. Every node is one patient's use, so the fields
// that list them are marked as patient data (a region analyst's document selecting one is refused whole), and consent
// records each patient a page shows as read (WardQueries through AccessLog): the gateway records nothing itself (ADR 0037).

public sealed class TechnologyUseType : ObjectGraphType<TechnologyUse>
{
    public TechnologyUseType()
    {
        Name = "TechnologyUse";
        Description = "One patient's use of a technology on a ward (consent). The patient is named by the platform's internal key only, never by NHS number or name.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The use's id.").Resolve(c => c.Source.UseId);
        Field<NonNullGraphType<IdGraphType>>("patientId").Description("The patient's internal key (not an NHS number): a patient row.").Resolve(c => c.Source.PatientId);
        Field<NonNullGraphType<IdGraphType>>("technologyId").Description("The technology used.").Resolve(c => c.Source.TechnologyId);
        Field<NonNullGraphType<StringGraphType>>("wardCode").Description("The ward it runs on.").Resolve(c => c.Source.WardCode);
        Field<NonNullGraphType<StringGraphType>>("settingCode").Description("The ward's setting type, from the directory.").Resolve(c => c.Source.SettingCode);
        Field<ContractEnumType<UsePurpose>>("purpose").Description("What the use is for.").Resolve(c => c.Source.Purpose == UsePurpose.Unspecified ? null : c.Source.Purpose);
        Field<NonNullGraphType<ContractEnumType<UseStatus>>>("status").Description("Proposed, active, suspended or ended.").Resolve(c => c.Source.Status);
        Field<ContractEnumType<LawfulBasisKind>>("lawfulBasis").Description("The lawful basis it rests on: own consent, proxy consent, best interests (MCA 2005 s. 4), a court order, or MHA 1983 s. 63; null before one is settled.")
            .Resolve(c => c.Source.LawfulBasis == LawfulBasisKind.Unspecified ? null : c.Source.LawfulBasis);
        Field<DateTimeGraphType>("nextReviewDate").Description("When the care plan says it is next reviewed (UTC).").Resolve(c => Times.Of(c.Source.NextReviewDate));
        Field<DateTimeGraphType>("activatedAt").Description("When it became active (UTC); null while proposed.").Resolve(c => Times.Of(c.Source.ActivatedAt));
    }
}

public sealed class WardUseType : ObjectGraphType<UseSummary>
{
    public WardUseType()
    {
        Name = "WardUse";
        Description = "A use as the ward sees it: the use, its lawful basis as a check finds it now, and its review.";
        Field<NonNullGraphType<TechnologyUseType>>("use").Description("The use itself.").Resolve(c => c.Source.Use);
        Field<ContractEnumType<LawfulBasisStatus>>("lawfulBasisStatus").Description("Whether the basis stands as it is, or consent (or a best-interests decision) is now required; null for a proposed or ended use.")
            .Resolve(c => c.Source.LawfulBasisStatus == LawfulBasisStatus.Unspecified ? null : c.Source.LawfulBasisStatus);
        Field<ContractEnumType<UseCheckDecision>>("check").Description("What a use check would answer now; null for a proposed or ended use.").Resolve(c => c.Source.Check == UseCheckDecision.Unspecified ? null : c.Source.Check);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<StringGraphType>>>>("denyRules").Description("The rules a check denies on now, e.g. use-check.review-overdue.").Resolve(c => c.Source.DenyRules.ToList());
        Field<DateTimeGraphType>("reviewDue").Description("When its review is due (UTC).").Resolve(c => Times.Of(c.Source.ReviewDue));
        Field<NonNullGraphType<BooleanGraphType>>("reviewOverdue").Description("Whether the review date has passed on a live use.").Resolve(c => c.Source.ReviewOverdue);
    }
}

public sealed class ConsentRequiredUseType : ObjectGraphType<ConsentRequiredUse>
{
    public ConsentRequiredUseType()
    {
        Name = "ConsentRequiredUse";
        Description = "A live use on a proxy or best-interests basis whose patient has regained capacity: their own consent is now due (MCA 2005 s. 1(2) and s. 4; consent service).";
        Field<NonNullGraphType<TechnologyUseType>>("use").Description("The use.").Resolve(c => c.Source.Use);
        Field<DateTimeGraphType>("consentRequiredBy").Description("When the patient's own consent is due (UTC); already passed when pastDue.").Resolve(c => Times.Of(c.Source.ConsentRequiredBy));
        Field<NonNullGraphType<BooleanGraphType>>("pastDue").Description("Whether the deadline has passed, so a check denies the use now.").Resolve(c => c.Source.PastDue);
    }
}

public sealed class RaisedBlanketUseSignalType : ObjectGraphType<RaisedBlanketUseSignal>
{
    public RaisedBlanketUseSignalType()
    {
        Name = "RaisedBlanketUseSignal";
        Description = "A sign of a blanket approach (principle 2) that the consent service's scheduled sweep raised, with the uses it rests on.";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The signal's id.").Resolve(c => c.Source.SignalId);
        Field<NonNullGraphType<ContractEnumType<BlanketSignalKind>>>("kind").Description("What kind of sign it is.").Resolve(c => c.Source.Kind);
        Field<NonNullGraphType<StringGraphType>>("wardCode").Description("The ward it was seen on.").Resolve(c => c.Source.WardCode);
        Field<NonNullGraphType<IdGraphType>>("technologyId").Description("The technology concerned.").Resolve(c => c.Source.TechnologyId);
        Field<NonNullGraphType<IntGraphType>>("useCount").Description("How many uses make up the signal.").Resolve(c => c.Source.UseCount);
        Field<DateTimeGraphType>("raisedAt").Description("When the sweep raised it (UTC).").Resolve(c => Times.Of(c.Source.RaisedAt));
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<IdGraphType>>>>("useIds")
            .Description("The uses the finding rests on: the evidence a reviewer opens. Each is one patient's use, so these are patient rows.")
            .WithMetadata(PatientDataRule.PatientData, true)
            .Resolve(c => c.Source.UseIds.ToList());
    }
}
