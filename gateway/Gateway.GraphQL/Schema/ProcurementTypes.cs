using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Procurement.V1;
using Platform.Gateway.GraphQL.Loading;

namespace Platform.Gateway.GraphQL.Schema;

// Procurement's approval status per setting with the gates still open (issue 19): a technology's cases, one per ward
// setting type, through ListCases (one call per batch of technologies) and ListOpenGatesForCases (one call per batch of
// up to 200 cases and kinds; ADR 0043).

public sealed class SettingApprovalType : ObjectGraphType<ProcurementCase>
{
    /// <summary>The gates a case can have open: the catalogue's sixteen, said to the complexity analyser.</summary>
    public const double GateCount = 16;

    public SettingApprovalType()
    {
        Name = "SettingApproval";
        Description = "A technology's procurement case for one ward setting type: where its approval stands and what stands between it and one (procurement).";
        Field<NonNullGraphType<IdGraphType>>("caseId").Description("The procurement case's id.").Resolve(c => c.Source.CaseId);
        Field<NonNullGraphType<StringGraphType>>("settingCode").Description("The ward setting type the case is for, e.g. acute-adult or picu.").Resolve(c => c.Source.SettingCode);
        Field<StringGraphType>("settingDescription").Description("The setting in the trust's words; null when none was given.").Resolve(c => c.Source.SettingDescription.Length == 0 ? null : c.Source.SettingDescription);
        Field<ContractEnumType<StatedPurpose>>("purpose").Description("Why the trust wants the technology in this setting (principle 5).").Resolve(c => c.Source.Purpose == StatedPurpose.Unspecified ? null : c.Source.Purpose);
        Field<NonNullGraphType<ContractEnumType<CaseStatus>>>("status").Description("The approval status: open (not yet approved), approved, or withdrawn.").Resolve(c => c.Source.Status);
        Field<DateTimeGraphType>("openedAt").Description("When the case was opened (UTC).").Resolve(c => Times.Of(c.Source.OpenedAt));
        Field<ApprovalType>("currentApproval").Description("The latest approval decision (in force, superseded or withdrawn); null before the first.").Resolve(c => c.Source.Approvals.LastOrDefault());
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<OpenGateType>>>>("openGates")
            .Description("Every gate not passed for an approval of this kind, by name: what stands between the case and that approval. A short fixed set (at most the sixteen gates), so a list, not a connection.")
            .Argument<ContractEnumType<ApprovalKind>>("kind", "The kind of approval; full when not given.")
            .WithComplexityImpact(1, GateCount)
            .Resolve(c =>
            {
                var kind = c.GetArgument("kind", ApprovalKind.Full);
                return c.RequestServices!.GetRequiredService<DashboardLoaders>().OpenGates
                    .Load(new OpenGatesKey(c.Source.CaseId, kind == ApprovalKind.Unspecified ? ApprovalKind.Full : kind))
                    .Then(gates => gates ?? throw new ExecutionError("No procurement case with this id in this trust.") { Code = "NOT_FOUND" });
            });
    }
}

public sealed class ApprovalType : ObjectGraphType<Approval>
{
    public ApprovalType()
    {
        Name = "Approval";
        Description = "A procurement lead's approval decision for a technology in a setting (procurement).";
        Field<NonNullGraphType<IdGraphType>>("id").Description("The approval's id.").Resolve(c => c.Source.ApprovalId);
        Field<ContractEnumType<ApprovalKind>>("kind").Description("Full, or a trial with independent evaluation and an end date (principle 7).").Resolve(c => c.Source.Kind == ApprovalKind.Unspecified ? null : c.Source.Kind);
        Field<NonNullGraphType<BooleanGraphType>>("inForce").Description("Whether the approval is in force now.").Resolve(c => c.Source.InForce);
        Field<ContractEnumType<EvidenceConclusion>>("evidenceConclusion").Description("What the evidence appraisal it rests on concluded.").Resolve(c => c.Source.EvidenceConclusion == EvidenceConclusion.Unspecified ? null : c.Source.EvidenceConclusion);
        Field<DateTimeGraphType>("approvedAt").Description("When it was approved (UTC).").Resolve(c => Times.Of(c.Source.ApprovedAt));
        Field<DateTimeGraphType>("trialEndsOn").Description("For a trial: when it ends (UTC); null otherwise.").Resolve(c => Times.Of(c.Source.TrialEndsOn));
        Field<DateTimeGraphType>("withdrawnAt").Description("When it was withdrawn (UTC); null while it stands.").Resolve(c => Times.Of(c.Source.WithdrawnAt));
        Field<ContractEnumType<WithdrawalCause>>("withdrawalCause").Description("Why it was withdrawn; null while it stands.").Resolve(c => c.Source.WithdrawalCause == WithdrawalCause.Unspecified ? null : c.Source.WithdrawalCause);
    }
}

public sealed class OpenGateType : ObjectGraphType<OpenGate>
{
    public OpenGateType()
    {
        Name = "OpenGate";
        Description = "A gate a case has not passed (procurement's gate catalogue: legal, local policy, DTAC sections, evidence, EHIA, DPIA, data sharing, privacy notice, IG sign-off, co-production, policy, training).";
        Field<NonNullGraphType<StringGraphType>>("code").Description("The gate's stable code, e.g. dpia.").Resolve(c => c.Source.Code);
        Field<NonNullGraphType<StringGraphType>>("name").Description("The gate's name.").Resolve(c => c.Source.Name);
        Field<NonNullGraphType<ContractEnumType<GateState>>>("state").Description("Why it is open: not recorded, failed, expired or invalidated.").Resolve(c => c.Source.State);
        Field<StringGraphType>("detail").Description("What is missing, in words; null when nothing more is said.").Resolve(c => c.Source.Detail.Length == 0 ? null : c.Source.Detail);
    }
}
