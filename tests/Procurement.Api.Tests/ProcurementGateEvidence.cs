using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Procurement.V1;

namespace Platform.Procurement.Api.Tests;

/// <summary>
/// Valid evidence for every gate of a procurement case but the evidence appraisal (which comes from the evidence
/// service's event), each with the role responsible for it, in an order procurement's rules allow. Compiled into
/// Procurement.Api.Tests, Evidence.Api.Tests and LocalRunner.Tests.
/// </summary>
internal static class ProcurementGateEvidence
{
    public const string Lead = "procurement-lead";
    public const string Ig = "ig-lead";
    public const string Safety = "clinical-safety-officer";

    /// <summary>The gates as recorded on <paramref name="now"/>; the penetration test is valid until <paramref name="penetrationTestValidUntil"/>.</summary>
    public static IEnumerable<(string Role, RecordGateRequest Request)> EveryGateButTheAppraisal(string caseId, DateTime now, DateTime penetrationTestValidUntil)
    {
        static Timestamp T(DateTime d) => Timestamp.FromDateTime(DateTime.SpecifyKind(d, DateTimeKind.Utc));
        DtacAnswers Dtac() => new() { SupplierDtacReference = "DTAC v2 answers 2027-02", DtacRenewalDue = T(now.AddYears(2)) };
        RecordGateRequest R(string reference) => new() { CaseId = caseId, EvidenceReference = reference };

        var legal = R("PROC-2027-014"); legal.LegalCompliance = new LegalComplianceEvidence { ProcurementRoute = "Framework call-off, DPS lot 3", Compliant = true };
        yield return (Lead, legal);
        var local = R("SFI-2027"); local.LocalPolicy = new LocalPolicyEvidence { LocalPolicyReference = "Procurement policy v7", FinancialInstructionsReference = "SFI 2026 s4", Compliant = true };
        yield return (Lead, local);
        var safety = R("CSO-HL-88"); safety.ClinicalSafety = new ClinicalSafetyEvidence
        {
            Dtac = Dtac(), SupplierDcb0129SafetyCaseReference = "CSC-0129-v3", TrustDcb0160SafetyCaseReference = "TRUST-0160-12", HazardLogReference = "HL-12", Passed = true,
        };
        yield return (Safety, safety);
        var protection = R("IG-C2"); protection.DataProtection = new DataProtectionEvidence
        {
            Dtac = Dtac(), Passed = true, SupplierDsptStatus = DsptStatus.StandardsMet, DsptValidUntil = T(now.AddYears(1)),
        };
        yield return (Ig, protection);
        var security = R("IG-C3"); security.TechnicalSecurity = new TechnicalSecurityEvidence
        {
            Dtac = Dtac(), Passed = true, PenetrationTestReference = "PT-2027-01", PenetrationTestedOn = T(now.AddDays(-20)), PenetrationTestValidUntil = T(penetrationTestValidUntil),
        };
        yield return (Ig, security);
        var interop = R("C4"); interop.Interoperability = new InteroperabilityEvidence { Dtac = Dtac(), Passed = true };
        yield return (Lead, interop);
        var usability = R("D1"); usability.Usability = new UsabilityEvidence { Dtac = Dtac(), ScorePercent = 82 };
        yield return (Lead, usability);
        var ehia = R("EHIA-31"); ehia.Ehia = new EhiaEvidence
        {
            CompletedOn = T(now.AddDays(-10)), ReviewBy = T(now.AddDays(300)),
            Risks = { new EhiaRisk { Group = AffectedGroup.Disability, Risk = "Small text excludes some visually impaired patients", Mitigation = "Large-print mode and staff support" } },
        };
        yield return (Lead, ehia);
        var dpia = R("DPIA-31"); dpia.Dpia = new DpiaEvidence { CompletedOn = T(now.AddDays(-9)), ResidualRisk = ResidualRisk.Low };
        yield return (Ig, dpia);
        var sharing = R("DSA-none"); sharing.DataSharing = new DataSharingEvidence { NoneNeededRationale = "Data stay within the trust's own tenancy; no third party receives them." };
        yield return (Ig, sharing);
        var privacy = R("PN-2027"); privacy.PrivacyNotice = new PrivacyNoticeEvidence
        {
            PrivacyNoticeReference = "Privacy notice v9", PatientInformationReference = "Leaflet MH-44", UpdatedOn = T(now.AddDays(-5)),
            CoversUseAndStorageOfData = true, CoversPatientRights = true,
        };
        yield return (Ig, privacy);
        var signOff = R("IG-SO-31"); signOff.IgSignOff = new IgSignOffEvidence { TrustDsptReflectsImplementation = true };
        yield return (Ig, signOff);
        var coProduction = R("COP-31"); coProduction.CoProduction = new CoProductionEvidence { SupplierAssuranceEvidenced = true, SupplierAssuranceReference = "Supplier co-production report 2026" };
        foreach (var stage in new[] { CoProductionStage.Procurement, CoProductionStage.Testing })
            coProduction.CoProduction.Activities.Add(new CoProductionActivity
            {
                Stage = stage, HeldOn = T(now.AddDays(-15)), LivedExperienceParticipants = 4, HowRepresentative = "Former inpatients of varied ages and backgrounds", Reference = $"COP-{stage}",
            });
        yield return (Lead, coProduction);
        var policy = R("POL-31"); policy.PolicyAndProcedure = new PolicyAndProcedureEvidence
        {
            PolicyReference = "Digital monitoring policy v2", ProcedureReference = "SOP 14", CoProduced = true, ApprovedOn = T(now.AddDays(-3)), ReviewEveryMonths = 12,
        };
        policy.PolicyAndProcedure.Covers.AddRange(System.Enum.GetValues<PolicyContent>().Where(c => c != PolicyContent.Unspecified));
        yield return (Lead, policy);
        var training = R("TRN-31"); training.StaffTraining = new StaffTrainingEvidence { PlanReference = "Training plan 31", TrainedBeforeFirstUse = true, RefresherEveryMonths = 12 };
        training.StaffTraining.Covers.AddRange(System.Enum.GetValues<TrainingContent>().Where(c => c != TrainingContent.Unspecified));
        training.StaffTraining.Includes.AddRange(System.Enum.GetValues<StaffGroup>().Where(c => c != StaffGroup.Unspecified));
        yield return (Lead, training);
    }
}
