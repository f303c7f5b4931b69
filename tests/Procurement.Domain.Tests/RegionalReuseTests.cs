using System.Collections;
using System.Reflection;
using Platform.Domain;
using Platform.Procurement.Domain;
using Xunit;
using static Platform.Procurement.Domain.Tests.TestData;

namespace Platform.Procurement.Domain.Tests;

public class RegionalReuseTests
{
    private readonly Technology _originTechnology = Technology(Trust);
    private readonly ProcurementCase _originCase;
    private readonly Technology _receivingTechnology = Technology(OtherTrust);
    private readonly ProcurementCase _receivingCase;

    public RegionalReuseTests()
    {
        _originCase = ReadyCase(_originTechnology);
        _originCase.TenantId = Trust;
        _receivingCase = OpenCase(_receivingTechnology);
        _receivingCase.TenantId = OtherTrust;
    }

    private SharedSupplierEvidence Share(GateKind gate, SupplierEvidenceKind kind, DateTime? at = null) =>
        SharedSupplierEvidence.Share(_originCase, _originTechnology, gate, kind, Lead, Guid.NewGuid(), at ?? Now).Value;

    private Outcome<GateRecord> Reuse(GateEvidence evidence, SharedSupplierEvidence shared, string? note = "Checked the report's scope and findings against our deployment", DateTime? at = null) =>
        _receivingCase.RecordGate(new GateSubmission(evidence, $"RTQ-REVIEW-{evidence.Gate}", shared, note), _receivingTechnology, ActorFor(evidence.Gate), Policy, Guid.NewGuid(), at ?? Now);

    [Fact]
    public void Supplier_evidence_is_shared_only_by_the_procurement_lead_of_the_trust_that_assessed_it()
    {
        var outcome = SharedSupplierEvidence.Share(_originCase, _originTechnology, GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest, IgLead, Guid.NewGuid(), Now);
        Assert.Equal(RefusalKind.PermissionDenied, outcome.Refusal?.Kind);

        var shared = Share(GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest);
        Assert.Equal((Trust, "Calm Digital Ltd", "lead-7", SupplierEvidenceKind.PenetrationTest), (shared.OriginTenantId, shared.Supplier, shared.SharedBy, shared.Kind));
        var content = Assert.IsType<PenetrationTestContent>(shared.Content);
        Assert.Equal(("CREST-PT-2026-118", Days(200)), (content.Reference, content.ValidUntil));
    }

    // Named here rather than read from the catalogue, so that making one of them shareable there fails this test.
    public static TheoryData<GateKind> TrustOwnGates() => new(
        GateKind.LegalProcurementCompliance, GateKind.LocalProcurementPolicy, GateKind.EqualityAndHealthInequalitiesImpactAssessment,
        GateKind.DataProtectionImpactAssessment, GateKind.DataSharingAgreements, GateKind.PrivacyNotice, GateKind.InformationGovernanceSignOff,
        GateKind.CoProduction, GateKind.PolicyAndProcedure, GateKind.StaffTraining);

    [Theory]
    [MemberData(nameof(TrustOwnGates))]
    public void A_trusts_own_work_is_never_shared(GateKind gate)
    {
        foreach (var kind in Enum.GetValues<SupplierEvidenceKind>().Where(k => k != SupplierEvidenceKind.Unspecified))
            Assert.Equal("sharing.trust-own-document",
                SharedSupplierEvidence.Share(_originCase, _originTechnology, gate, kind, Lead, Guid.NewGuid(), Now).Refusal.ShownRule());
    }

    [Fact]
    public void Only_supplier_evidence_a_gate_holds_is_shared()
    {
        string? Rule(GateKind gate, SupplierEvidenceKind kind) =>
            SharedSupplierEvidence.Share(_originCase, _originTechnology, gate, kind, Lead, Guid.NewGuid(), Now).Refusal.ShownRule();
        Assert.Equal("sharing.kind-not-in-gate", Rule(GateKind.DtacClinicalSafety, SupplierEvidenceKind.PenetrationTest));
        Assert.Equal("sharing.kind-not-in-gate", Rule(GateKind.EvidenceAppraisal, SupplierEvidenceKind.DtacAnswers));
        Assert.Equal("sharing.gate-required", Rule(GateKind.Unspecified, SupplierEvidenceKind.DtacAnswers));
        Assert.Equal("sharing.other-technology",
            SharedSupplierEvidence.Share(_originCase, Technology(Trust), GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest, Lead, Guid.NewGuid(), Now).Refusal.ShownRule());
    }

    [Fact]
    public void Only_a_passed_unexpired_gate_is_shared()
    {
        Assert.Equal("sharing.gate-not-passed",
            SharedSupplierEvidence.Share(_originCase, _originTechnology, GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest, Lead, Guid.NewGuid(), Days(201)).Refusal.ShownRule());
        var fresh = OpenCase(_originTechnology);
        Assert.Equal("sharing.gate-not-passed",
            SharedSupplierEvidence.Share(fresh, _originTechnology, GateKind.DtacDataProtection, SupplierEvidenceKind.DsptStatus, Lead, Guid.NewGuid(), Now).Refusal.ShownRule());
    }

    [Fact]
    public void Another_trust_takes_in_shared_evidence_as_a_reviewed_input_that_records_its_origin()
    {
        var shared = Share(GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest);
        var ownReview = TechnicalSecurity() with { PenetrationTestReference = "", PenetrationTestedOn = default, PenetrationTestValidUntil = default };

        var record = Reuse(ownReview, shared).Value;

        Assert.Equal((shared.Id, Trust, SupplierEvidenceKind.PenetrationTest, "Checked the report's scope and findings against our deployment"),
            (record.Reuse!.SharedEvidenceId, record.Reuse.OriginTenantId, record.Reuse.Kind, record.Reuse.ReviewNote));
        Assert.Equal(Now, record.Reuse.OriginAssessedAt);
        Assert.Equal(("ig-3", "RTQ-REVIEW-DtacTechnicalSecurity"), (record.RecordedBy, record.EvidenceReference));
        var evidence = Assert.IsType<DtacTechnicalSecurityEvidence>(record.Evidence);
        Assert.Equal("CREST-PT-2026-118", evidence.PenetrationTestReference);
        Assert.Equal(Days(200), record.ExpiresAt);
    }

    [Fact]
    public void Shared_dtac_answers_bring_the_suppliers_dcb0129_case_but_never_the_sharing_trusts_dcb0160_case_or_hazard_log()
    {
        var shared = Share(GateKind.DtacClinicalSafety, SupplierEvidenceKind.DtacAnswers);
        var withoutOwnCase = ClinicalSafety() with { SupplierDcb0129SafetyCaseReference = "", TrustDcb0160SafetyCaseReference = "", HazardLogReference = "" };
        Assert.Equal("dtac-c1-clinical-safety.dcb0160-reference-missing", Reuse(withoutOwnCase, shared).Refusal.ShownRule());

        var own = withoutOwnCase with { TrustDcb0160SafetyCaseReference = "RTQ-DCB0160-0011", HazardLogReference = "RTQ-HAZLOG-0002" };
        var evidence = Assert.IsType<DtacClinicalSafetyEvidence>(Reuse(own, shared).Value.Evidence);
        Assert.Equal(("CALM-CSC-0129-v4", "RTQ-DCB0160-0011", "RTQ-HAZLOG-0002"),
            (evidence.SupplierDcb0129SafetyCaseReference, evidence.TrustDcb0160SafetyCaseReference, evidence.HazardLogReference));
    }

    [Fact]
    public void Reuse_never_exposes_the_sharing_trusts_own_documents()
    {
        var everything = new List<object>();
        foreach (var gate in GateCatalogue.All)
            foreach (var kind in gate.Reusable)
            {
                var shared = SharedSupplierEvidence.Share(_originCase, _originTechnology, gate.Kind, kind, Lead, Guid.NewGuid(), Now);
                if (!shared.IsRefused) everything.Add(shared.Value);
            }
        // DTAC answers for C1, C2, C3, C4 and D1; the DSPT status; the penetration test; the ESF appraisal.
        Assert.Equal(8, everything.Count);

        var byGate = everything.Cast<SharedSupplierEvidence>().ToList();
        Reuse(ClinicalSafety() with { TrustDcb0160SafetyCaseReference = "RTQ-DCB0160-0011", HazardLogReference = "RTQ-HAZLOG-0002" },
            byGate.Single(s => s.Content is DtacAnswersContent { Section: GateKind.DtacClinicalSafety }));
        Reuse(DataProtection(), byGate.Single(s => s.Kind == SupplierEvidenceKind.DsptStatus));
        Reuse(TechnicalSecurity(), byGate.Single(s => s.Kind == SupplierEvidenceKind.PenetrationTest));
        Reuse(Appraisal(_receivingTechnology), byGate.Single(s => s.Kind == SupplierEvidenceKind.EsfAppraisal));
        everything.AddRange(_receivingCase.GateRecords);

        var texts = everything.SelectMany(o => Strings(o, 0)).ToList();
        var ownDocuments = new[] { "RX3-", "DOC-DataProtectionImpactAssessment", "DOC-EqualityAndHealthInequalitiesImpactAssessment", "DOC-DtacClinicalSafety",
            "Prompts may recall traumatic experiences", "Former acute inpatients", "Sufficient independent evidence" };
        foreach (var document in ownDocuments)
            Assert.DoesNotContain(texts, text => text.Contains(document, StringComparison.Ordinal));
        Assert.Contains(texts, text => text == "CALM-CSC-0129-v4");
    }

    [Fact]
    public void Each_trust_keeps_its_own_dpia_ehia_safety_case_and_decision()
    {
        var shared = Share(GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest);
        Assert.Equal("reuse.not-for-this-gate", Reuse(Dpia(), shared).Refusal.ShownRule());
        Assert.Equal("reuse.not-for-this-gate", Reuse(Ehia(), shared).Refusal.ShownRule());

        Approved(_originCase, _originTechnology);
        Reuse(TechnicalSecurity(), shared);
        var refusal = _receivingCase.Approve(Full(), _receivingTechnology, Lead, Policy, Guid.NewGuid(), Now).Refusal;
        Assert.Equal("approval.gates-open", refusal.ShownRule());
        Assert.Contains("Data protection impact assessment (not recorded)", refusal!.Message);
        Assert.Contains("DTAC C1 clinical safety (not recorded)", refusal.Message);
        Assert.DoesNotContain("DTAC C3", refusal.Message);
        Assert.False(_receivingCase.Covers(_receivingTechnology.Id, Setting, Now));
    }

    [Fact]
    public void Shared_answers_for_one_dtac_section_do_not_fill_another()
    {
        var shared = Share(GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.DtacAnswers);
        Assert.Equal("reuse.not-for-this-gate", Reuse(Interoperability(), shared).Refusal.ShownRule());
    }

    [Fact]
    public void A_shared_appraisal_fills_the_evidence_gate_only_for_the_setting_it_assessed()
    {
        var shared = Share(GateKind.EvidenceAppraisal, SupplierEvidenceKind.EsfAppraisal);
        var record = Reuse(Appraisal(_receivingTechnology, EvidenceConclusion.Insufficient), shared).Value;
        var evidence = Assert.IsType<EvidenceAppraisalEvidence>(record.Evidence);
        Assert.Equal((EvidenceConclusion.Sufficient, _receivingTechnology.Id), (evidence.Conclusion, evidence.TechnologyId));

        var picu = OpenCase(_receivingTechnology, OtherSetting);
        picu.TenantId = OtherTrust;
        var outcome = picu.RecordGate(new GateSubmission(Appraisal(_receivingTechnology, setting: OtherSetting), "RTQ-REVIEW", shared, "Reviewed"),
            _receivingTechnology, Reviewer, Policy, Guid.NewGuid(), Now);
        Assert.Equal("evidence-appraisal.other-setting", outcome.Refusal.ShownRule());
    }

    [Fact]
    public void Reuse_needs_a_review_note_and_changes_nothing_without_one()
    {
        var shared = Share(GateKind.DtacDataProtection, SupplierEvidenceKind.DsptStatus);
        Assert.Equal("reuse.review-note-missing", Reuse(DataProtection(), shared, note: " ").Refusal.ShownRule());
        Assert.Empty(_receivingCase.GateRecords);
    }

    [Fact]
    public void Reuse_is_refused_for_withdrawn_expired_own_or_other_supplier_evidence()
    {
        var shared = Share(GateKind.DtacTechnicalSecurity, SupplierEvidenceKind.PenetrationTest);
        Assert.Equal("reuse.expired", Reuse(TechnicalSecurity() with { PenetrationTestValidUntil = Days(300) }, shared, at: Days(200)).Refusal.ShownRule());

        var otherSupplier = Platform.Procurement.Domain.Technology.Register(
            new TechnologyRegistration("Ward companion app", "Another Ltd", "Guided self-help", TechnologyCategory.DirectCare, false, false), Guid.NewGuid(), Now).Value;
        var otherCase = OpenCase(otherSupplier);
        otherCase.TenantId = OtherTrust;
        Assert.Equal("reuse.other-supplier", otherCase.RecordGate(new GateSubmission(TechnicalSecurity(), "RTQ", shared, "Reviewed"), otherSupplier, IgLead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());

        var ownCase = OpenCase(_originTechnology, OtherSetting);
        ownCase.TenantId = Trust;
        Assert.Equal("reuse.own-evidence", ownCase.RecordGate(new GateSubmission(TechnicalSecurity(), "RX3", shared, "Reviewed"), _originTechnology, IgLead, Policy, Guid.NewGuid(), Now).Refusal.ShownRule());

        Assert.Equal(("sharing.not-origin", RefusalKind.PermissionDenied), (shared.Withdraw(OtherTrust, Lead, Now).ShownRule(), shared.Withdraw(OtherTrust, Lead, Now)?.Kind));
        Assert.Null(shared.Withdraw(Trust, Lead, Now));
        Assert.Equal("sharing.already-withdrawn", shared.Withdraw(Trust, Lead, Now).ShownRule());
        Assert.Equal("reuse.withdrawn", Reuse(TechnicalSecurity(), shared).Refusal.ShownRule());
    }

    /// <summary>Every string reachable from <paramref name="value"/> through public properties and lists.</summary>
    private static IEnumerable<string> Strings(object? value, int depth)
    {
        if (value is null || depth > 6) yield break;
        if (value is string text) { yield return text; yield break; }
        if (value.GetType().IsPrimitive || value is DateTime or Guid or Enum or decimal) yield break;
        if (value is IEnumerable items)
        {
            foreach (var item in items)
                foreach (var inner in Strings(item, depth + 1)) yield return inner;
            yield break;
        }
        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
            foreach (var inner in Strings(property.GetValue(value), depth + 1)) yield return inner;
    }
}
