using Google.Protobuf.WellKnownTypes;
using Platform.Procurement.Domain;
using Msg = Platform.Contracts.Procurement.V1;

namespace Platform.Procurement.Api.Grpc;

/// <summary>A RecordGate request's evidence as the domain's <see cref="GateEvidence"/>; the domain checks it.</summary>
internal static class GateEvidenceMessages
{
    public static GateEvidence? ToDomain(Msg.RecordGateRequest request) => request.EvidenceCase switch
    {
        Msg.RecordGateRequest.EvidenceOneofCase.LegalCompliance => new LegalProcurementComplianceEvidence
        {
            ProcurementRoute = request.LegalCompliance.ProcurementRoute,
            Compliant = request.LegalCompliance.Compliant,
        },
        Msg.RecordGateRequest.EvidenceOneofCase.LocalPolicy => new LocalProcurementPolicyEvidence
        {
            LocalPolicyReference = request.LocalPolicy.LocalPolicyReference,
            FinancialInstructionsReference = request.LocalPolicy.FinancialInstructionsReference,
            Compliant = request.LocalPolicy.Compliant,
        },
        Msg.RecordGateRequest.EvidenceOneofCase.ClinicalSafety => new DtacClinicalSafetyEvidence
        {
            SupplierDtacReference = request.ClinicalSafety.Dtac?.SupplierDtacReference ?? "",
            DtacRenewalDue = Day(request.ClinicalSafety.Dtac?.DtacRenewalDue),
            SupplierDcb0129SafetyCaseReference = request.ClinicalSafety.SupplierDcb0129SafetyCaseReference,
            TrustDcb0160SafetyCaseReference = request.ClinicalSafety.TrustDcb0160SafetyCaseReference,
            HazardLogReference = request.ClinicalSafety.HazardLogReference,
            Passed = request.ClinicalSafety.Passed,
        },
        Msg.RecordGateRequest.EvidenceOneofCase.DataProtection => new DtacDataProtectionEvidence
        {
            SupplierDtacReference = request.DataProtection.Dtac?.SupplierDtacReference ?? "",
            DtacRenewalDue = Day(request.DataProtection.Dtac?.DtacRenewalDue),
            Passed = request.DataProtection.Passed,
            SupplierDsptStatus = (DsptStatus)request.DataProtection.SupplierDsptStatus,
            DsptValidUntil = Day(request.DataProtection.DsptValidUntil),
        },
        Msg.RecordGateRequest.EvidenceOneofCase.TechnicalSecurity => new DtacTechnicalSecurityEvidence
        {
            SupplierDtacReference = request.TechnicalSecurity.Dtac?.SupplierDtacReference ?? "",
            DtacRenewalDue = Day(request.TechnicalSecurity.Dtac?.DtacRenewalDue),
            Passed = request.TechnicalSecurity.Passed,
            PenetrationTestReference = request.TechnicalSecurity.PenetrationTestReference,
            PenetrationTestedOn = Day(request.TechnicalSecurity.PenetrationTestedOn),
            PenetrationTestValidUntil = Day(request.TechnicalSecurity.PenetrationTestValidUntil),
        },
        Msg.RecordGateRequest.EvidenceOneofCase.Interoperability => new DtacInteroperabilityEvidence
        {
            SupplierDtacReference = request.Interoperability.Dtac?.SupplierDtacReference ?? "",
            DtacRenewalDue = Day(request.Interoperability.Dtac?.DtacRenewalDue),
            Passed = request.Interoperability.Passed,
        },
        Msg.RecordGateRequest.EvidenceOneofCase.Usability => new DtacUsabilityEvidence
        {
            SupplierDtacReference = request.Usability.Dtac?.SupplierDtacReference ?? "",
            DtacRenewalDue = Day(request.Usability.Dtac?.DtacRenewalDue),
            ScorePercent = request.Usability.ScorePercent,
        },
        Msg.RecordGateRequest.EvidenceOneofCase.Ehia => new EhiaEvidence
        {
            CompletedOn = Day(request.Ehia.CompletedOn),
            Risks = request.Ehia.Risks.Select(r => new EhiaRisk((AffectedGroup)r.Group, r.Risk, r.Mitigation)).ToList(),
            NoRisksRationale = Text(request.Ehia.NoRisksRationale),
            ReviewBy = Day(request.Ehia.ReviewBy),
        },
        Msg.RecordGateRequest.EvidenceOneofCase.Dpia => new DpiaEvidence
        {
            CompletedOn = Day(request.Dpia.CompletedOn),
            ResidualRisk = (ResidualRisk)request.Dpia.ResidualRisk,
            IcoPriorConsultationReference = Text(request.Dpia.IcoPriorConsultationReference),
            ReviewBy = request.Dpia.ReviewBy?.ToDateTime(),
        },
        Msg.RecordGateRequest.EvidenceOneofCase.DataSharing => new DataSharingEvidence
        {
            Agreements = request.DataSharing.Agreements.Select(a => new DataSharingAgreement(a.Party, a.Reference, a.ValidUntil?.ToDateTime())).ToList(),
            NoneNeededRationale = Text(request.DataSharing.NoneNeededRationale),
        },
        Msg.RecordGateRequest.EvidenceOneofCase.PrivacyNotice => new PrivacyNoticeEvidence
        {
            PrivacyNoticeReference = request.PrivacyNotice.PrivacyNoticeReference,
            PatientInformationReference = request.PrivacyNotice.PatientInformationReference,
            UpdatedOn = Day(request.PrivacyNotice.UpdatedOn),
            CoversUseAndStorageOfData = request.PrivacyNotice.CoversUseAndStorageOfData,
            CoversPatientRights = request.PrivacyNotice.CoversPatientRights,
        },
        Msg.RecordGateRequest.EvidenceOneofCase.IgSignOff => new InformationGovernanceSignOffEvidence
        {
            TrustDsptReflectsImplementation = request.IgSignOff.TrustDsptReflectsImplementation,
            Conditions = Text(request.IgSignOff.Conditions),
        },
        Msg.RecordGateRequest.EvidenceOneofCase.CoProduction => new CoProductionEvidence
        {
            Activities = request.CoProduction.Activities
                .Select(a => new CoProductionActivity((CoProductionStage)a.Stage, Day(a.HeldOn), a.LivedExperienceParticipants, a.HowRepresentative, a.Reference)).ToList(),
            SupplierAssurance = request.CoProduction.SupplierAssuranceEvidenced || request.CoProduction.SupplierAssuranceReference.Length > 0
                ? new SupplierCoProductionAssurance(request.CoProduction.SupplierAssuranceEvidenced, request.CoProduction.SupplierAssuranceReference)
                : null,
        },
        Msg.RecordGateRequest.EvidenceOneofCase.PolicyAndProcedure => new PolicyAndProcedureEvidence
        {
            PolicyReference = request.PolicyAndProcedure.PolicyReference,
            ProcedureReference = request.PolicyAndProcedure.ProcedureReference,
            Covers = Flags<PolicyContent>(request.PolicyAndProcedure.Covers.Select(c => (int)c)),
            CoProduced = request.PolicyAndProcedure.CoProduced,
            ApprovedOn = Day(request.PolicyAndProcedure.ApprovedOn),
            ReviewEveryMonths = request.PolicyAndProcedure.ReviewEveryMonths,
        },
        Msg.RecordGateRequest.EvidenceOneofCase.StaffTraining => new StaffTrainingEvidence
        {
            PlanReference = request.StaffTraining.PlanReference,
            Covers = Flags<TrainingContent>(request.StaffTraining.Covers.Select(c => (int)c)),
            Includes = Flags<StaffGroups>(request.StaffTraining.Includes.Select(c => (int)c)),
            TrainedBeforeFirstUse = request.StaffTraining.TrainedBeforeFirstUse,
            RefresherEveryMonths = request.StaffTraining.RefresherEveryMonths,
        },
        _ => null,
    };

    private static DateTime Day(Timestamp? value) => value?.ToDateTime() ?? default;

    private static string? Text(string value) => value.Length == 0 ? null : value;

    // A repeated enum value n (1-based; 0 is "unspecified") is the flag 1 << (n - 1) of the domain's [Flags] enum.
    private static TFlags Flags<TFlags>(IEnumerable<int> values) where TFlags : struct, System.Enum =>
        (TFlags)System.Enum.ToObject(typeof(TFlags), values.Where(v => v is > 0 and < 31).Aggregate(0, (all, v) => all | (1 << (v - 1))));
}
