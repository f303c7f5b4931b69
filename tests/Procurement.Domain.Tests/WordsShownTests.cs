using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

/// <summary>
/// Issue 21 (the mutation run of procurement-domain): the codes clients branch on and the words staff read, pinned
/// by value. The gate codes travel in `ErrorInfo.metadata["open_gates"]` and in events, the role codes in tokens;
/// renaming one breaks every client, so a test names each here rather than reading it back from the catalogue.
/// </summary>
public class WordsShownTests
{
    [Theory]
    [InlineData(GateKind.LegalProcurementCompliance, "legal-procurement-compliance", "Legal procurement compliance", ProcurementRole.ProcurementLead)]
    [InlineData(GateKind.LocalProcurementPolicy, "local-procurement-policy", "Local procurement policies and standard financial instructions", ProcurementRole.ProcurementLead)]
    [InlineData(GateKind.DtacClinicalSafety, "dtac-c1-clinical-safety", "DTAC C1 clinical safety", ProcurementRole.ClinicalSafetyOfficer)]
    [InlineData(GateKind.DtacDataProtection, "dtac-c2-data-protection", "DTAC C2 data protection", ProcurementRole.InformationGovernanceLead)]
    [InlineData(GateKind.DtacTechnicalSecurity, "dtac-c3-technical-security", "DTAC C3 technical security", ProcurementRole.InformationGovernanceLead)]
    [InlineData(GateKind.DtacInteroperability, "dtac-c4-interoperability", "DTAC C4 interoperability", ProcurementRole.ProcurementLead)]
    [InlineData(GateKind.DtacUsabilityAndAccessibility, "dtac-d1-usability-accessibility", "DTAC D1 usability and accessibility", ProcurementRole.ProcurementLead)]
    [InlineData(GateKind.EvidenceAppraisal, "evidence-appraisal", "Critical review of the evidence base (P7)", ProcurementRole.EvidenceReviewer)]
    [InlineData(GateKind.EqualityAndHealthInequalitiesImpactAssessment, "ehia", "Equality and health inequalities impact assessment (P3)", ProcurementRole.ProcurementLead)]
    [InlineData(GateKind.DataProtectionImpactAssessment, "dpia", "Data protection impact assessment", ProcurementRole.InformationGovernanceLead)]
    [InlineData(GateKind.DataSharingAgreements, "data-sharing-agreements", "Data sharing agreements", ProcurementRole.InformationGovernanceLead)]
    [InlineData(GateKind.PrivacyNotice, "privacy-notice", "Privacy notice and patient information", ProcurementRole.InformationGovernanceLead)]
    [InlineData(GateKind.InformationGovernanceSignOff, "ig-sign-off", "Information governance sign-off", ProcurementRole.InformationGovernanceLead)]
    [InlineData(GateKind.CoProduction, "co-production", "Co-production with people with lived experience (P4)", ProcurementRole.ProcurementLead)]
    [InlineData(GateKind.PolicyAndProcedure, "policy-and-sop", "Policy and standard operating procedure", ProcurementRole.ProcurementLead)]
    [InlineData(GateKind.StaffTraining, "staff-training", "Staff training plan", ProcurementRole.ProcurementLead)]
    public void Each_gate_has_its_code_its_name_and_the_role_that_completes_it(GateKind gate, string code, string name, ProcurementRole completedBy)
    {
        var definition = GateCatalogue.Of(gate);
        Assert.Equal((gate, code, name, completedBy), (definition.Kind, definition.Code, definition.Name, definition.CompletedBy));
        Assert.True(GateCatalogue.IsGate(gate));
    }

    [Fact]
    public void There_are_sixteen_gates_and_anything_else_is_not_one()
    {
        Assert.Equal(16, GateCatalogue.All.Count);
        Assert.False(GateCatalogue.IsGate(GateKind.Unspecified));
        Assert.Throws<ArgumentOutOfRangeException>(() => GateCatalogue.Of((GateKind)99));
    }

    [Theory]
    [InlineData(ProcurementRole.ProcurementLead, "procurement-lead", "procurement lead")]
    [InlineData(ProcurementRole.InformationGovernanceLead, "ig-lead", "information governance lead")]
    [InlineData(ProcurementRole.ClinicalSafetyOfficer, "clinical-safety-officer", "clinical safety officer")]
    [InlineData(ProcurementRole.EvidenceReviewer, "evidence-reviewer", "evidence reviewer")]
    [InlineData(ProcurementRole.Clinician, "clinician", "a clinician")]
    [InlineData(ProcurementRole.Device, "device", "a device")]
    public void Each_role_has_its_token_code_and_a_refusal_names_it_in_words(ProcurementRole role, string code, string words)
    {
        Assert.Equal(code, ProcurementRoles.Code(role));
        Assert.Equal(role, ProcurementRoles.Parse(code));

        var technology = Technology();
        var refusal = OpenCaseAs(technology, new ProcurementActor("someone-1", role));
        if (role == ProcurementRole.ProcurementLead)
        {
            Assert.Null(refusal);
            return;
        }
        Assert.Equal("procurement.role-required", refusal.ShownRule());
        Assert.Equal($"Only the procurement lead can open a procurement case; this was attempted as {words}.", refusal!.Message);
    }

    [Fact]
    public void An_unknown_role_code_parses_to_no_role_and_no_role_is_named_as_none()
    {
        Assert.Equal(ProcurementRole.Unspecified, ProcurementRoles.Parse("trust-admin"));
        Assert.Equal(ProcurementRole.Unspecified, ProcurementRoles.Parse(null));
        Assert.Equal("unspecified", ProcurementRoles.Code(ProcurementRole.Unspecified));
        var refusal = OpenCaseAs(Technology(), new ProcurementActor("someone-1", ProcurementRole.Unspecified));
        Assert.Equal("Only the procurement lead can open a procurement case; this was attempted as no recognised role.", refusal!.Message);
        Assert.Equal("actor.required", OpenCaseAs(Technology(), new ProcurementActor(" ", ProcurementRole.ProcurementLead)).ShownRule());
        Assert.Equal("actor.required", OpenCaseAs(Technology(), null).ShownRule());
    }

    private static Platform.Domain.Refusal? OpenCaseAs(Technology technology, ProcurementActor? actor) =>
        ProcurementCase.Open(new OpenCaseRequest(technology.Id, Setting, "Adult acute admission wards", StatedPurpose.DirectCareOrTreatment),
            technology, [], actor!, Guid.NewGuid(), Now).Refusal;

    [Theory]
    [InlineData(AffectedGroup.Age, "age")]
    [InlineData(AffectedGroup.Disability, "disability")]
    [InlineData(AffectedGroup.GenderReassignment, "gender reassignment")]
    [InlineData(AffectedGroup.MarriageAndCivilPartnership, "marriage and civil partnership")]
    [InlineData(AffectedGroup.PregnancyAndMaternity, "pregnancy and maternity")]
    [InlineData(AffectedGroup.Race, "race")]
    [InlineData(AffectedGroup.ReligionOrBelief, "religion or belief")]
    [InlineData(AffectedGroup.Sex, "sex")]
    [InlineData(AffectedGroup.SexualOrientation, "sexual orientation")]
    [InlineData(AffectedGroup.TraumaHistory, "a history of trauma")]
    [InlineData(AffectedGroup.Paranoia, "paranoia")]
    [InlineData(AffectedGroup.OtherHealthInequality, "other health inequalities")]
    public void An_ehia_risk_without_mitigation_names_the_group_it_falls_on(AffectedGroup group, string words)
    {
        var technology = Technology();
        var refusal = OpenCase(technology).RecordGate(new GateSubmission(Ehia() with { Risks = [new(group, "A risk to this group", " ")] }, "DOC-1"),
            technology, ActorFor(GateKind.EqualityAndHealthInequalitiesImpactAssessment), Policy, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("ehia.mitigation-missing", refusal.ShownRule());
        Assert.Equal($"Every EHIA risk needs a clear mitigation (P3); the risk for {words} has none.", refusal!.Message);
    }

    [Fact]
    public void A_surveillance_ehia_names_each_group_it_has_not_assessed()
    {
        var camera = Technology(surveillance: true);
        var refusal = OpenCase(camera).RecordGate(new GateSubmission(Ehia() with { Risks = [Ehia().Risks[0]] }, "DOC-1"),
            camera, ActorFor(GateKind.EqualityAndHealthInequalitiesImpactAssessment), Policy, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("ehia.surveillance-groups-missing", refusal.ShownRule());
        Assert.Equal("This is a surveillance technology: the EHIA must assess the risk to patients with a history of trauma and to patients with paranoia.", refusal!.Message);
    }

    [Theory]
    [InlineData(GateKind.DtacClinicalSafety, SupplierEvidenceKind.PenetrationTest, "DTAC C1 clinical safety holds no penetration test to share.")]
    [InlineData(GateKind.DtacClinicalSafety, SupplierEvidenceKind.DsptStatus, "DTAC C1 clinical safety holds no DSPT status to share.")]
    [InlineData(GateKind.DtacClinicalSafety, SupplierEvidenceKind.EsfAppraisal, "DTAC C1 clinical safety holds no ESF appraisal to share.")]
    [InlineData(GateKind.EvidenceAppraisal, SupplierEvidenceKind.DtacAnswers, "Critical review of the evidence base (P7) holds no supplier DTAC answers to share.")]
    [InlineData(GateKind.EvidenceAppraisal, SupplierEvidenceKind.Unspecified, "Critical review of the evidence base (P7) holds no supplier evidence to share.")]
    public void Sharing_evidence_a_gate_does_not_hold_names_the_gate_and_the_kind(GateKind gate, SupplierEvidenceKind kind, string message)
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        var refusal = SharedSupplierEvidence.Share(@case, technology, gate, kind, Lead, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("sharing.kind-not-in-gate", refusal.ShownRule());
        Assert.Equal(message, refusal!.Message);
    }

    [Fact]
    public void Sharing_a_trusts_own_work_or_a_gate_not_passed_names_the_gate()
    {
        var technology = Technology();
        var @case = ReadyCase(technology);
        var own = SharedSupplierEvidence.Share(@case, technology, GateKind.DataProtectionImpactAssessment, SupplierEvidenceKind.DtacAnswers, Lead, Guid.NewGuid(), Now).Refusal;
        Assert.StartsWith("Data protection impact assessment holds the trust's own work, which is never shared with the region", own!.Message);
        var notPassed = SharedSupplierEvidence.Share(OpenCase(technology), technology, GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest, Lead, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("sharing.gate-not-passed", notPassed.ShownRule());
        Assert.Equal("Only evidence behind a passed, unexpired gate can be shared; DTAC C3 technical security is not.", notPassed!.Message);
    }
}
