using Platform.Procurement.Domain;

namespace Platform.Procurement.Domain.Tests;

/// <summary>Builders for complete, valid evidence and cases; each test then breaks the one thing it is about.</summary>
internal static class TestData
{
    public static readonly DateTime Now = new(2026, 3, 2, 12, 0, 0, DateTimeKind.Utc);
    public const string Trust = "RX3";
    public const string OtherTrust = "RTQ";
    public const string Setting = "acute-adult";
    public const string OtherSetting = "picu";
    public static readonly ProcurementPolicy Policy = ProcurementPolicy.Default;

    public static readonly ProcurementActor Lead = new("lead-7", ProcurementRole.ProcurementLead);
    public static readonly ProcurementActor IgLead = new("ig-3", ProcurementRole.InformationGovernanceLead);
    public static readonly ProcurementActor SafetyOfficer = new("cso-2", ProcurementRole.ClinicalSafetyOfficer);
    public static readonly ProcurementActor Reviewer = new("rev-5", ProcurementRole.EvidenceReviewer);
    public static readonly ProcurementActor Clinician = new("rn-1042", ProcurementRole.Clinician);
    public static readonly ProcurementActor Device = new("sensor-9", ProcurementRole.Device);

    public static DateTime Days(double days) => Now.AddDays(days);

    public static Technology Technology(string tenant = Trust, bool surveillance = false, Guid? id = null)
    {
        var technology = Platform.Procurement.Domain.Technology.Register(
            new TechnologyRegistration("Ward companion app", "Calm Digital Ltd", "Guided self-help and activity planning with the patient",
                TechnologyCategory.DirectCare, surveillance, false),
            id ?? Guid.NewGuid(), Days(-60)).Value;
        technology.TenantId = tenant;
        return technology;
    }

    public static ProcurementCase OpenCase(Technology technology, string setting = Setting, StatedPurpose purpose = StatedPurpose.DirectCareOrTreatment) =>
        ProcurementCase.Open(new OpenCaseRequest(technology.Id, setting, "Adult acute admission wards, 18 beds each, mixed sex", purpose),
            technology, [], Lead, Guid.NewGuid(), Days(-30)).Value;

    public static ProcurementActor ActorFor(GateKind gate) => ProcurementRoles.CompletesGate(gate) switch
    {
        ProcurementRole.InformationGovernanceLead => IgLead,
        ProcurementRole.ClinicalSafetyOfficer => SafetyOfficer,
        ProcurementRole.EvidenceReviewer => Reviewer,
        _ => Lead,
    };

    public static LegalProcurementComplianceEvidence Legal() => new() { ProcurementRoute = "Call-off from a national digital framework", Compliant = true };

    public static LocalProcurementPolicyEvidence LocalPolicy() => new()
    { LocalPolicyReference = "PROC-POL-12", FinancialInstructionsReference = "SFI-2025 s7", Compliant = true };

    public static DtacClinicalSafetyEvidence ClinicalSafety() => new()
    {
        SupplierDtacReference = "CALM-DTAC-v3.1",
        DtacRenewalDue = Days(300),
        SupplierDcb0129SafetyCaseReference = "CALM-CSC-0129-v4",
        TrustDcb0160SafetyCaseReference = "RX3-DCB0160-0003",
        HazardLogReference = "RX3-HAZLOG-0009",
        Passed = true,
    };

    public static DtacDataProtectionEvidence DataProtection() => new()
    {
        SupplierDtacReference = "CALM-DTAC-v3.1",
        DtacRenewalDue = Days(300),
        Passed = true,
        SupplierDsptStatus = DsptStatus.StandardsMet,
        DsptValidUntil = Days(120),
    };

    public static DtacTechnicalSecurityEvidence TechnicalSecurity() => new()
    {
        SupplierDtacReference = "CALM-DTAC-v3.1",
        DtacRenewalDue = Days(300),
        Passed = true,
        PenetrationTestReference = "CREST-PT-2026-118",
        PenetrationTestedOn = Days(-40),
        PenetrationTestValidUntil = Days(200),
    };

    public static DtacInteroperabilityEvidence Interoperability() => new() { SupplierDtacReference = "CALM-DTAC-v3.1", DtacRenewalDue = Days(300), Passed = true };

    public static DtacUsabilityEvidence Usability(int score = 82) => new() { SupplierDtacReference = "CALM-DTAC-v3.1", DtacRenewalDue = Days(300), ScorePercent = score };

    public static EvidenceAppraisalEvidence Appraisal(Technology technology, EvidenceConclusion conclusion = EvidenceConclusion.Sufficient, string setting = Setting) => new()
    {
        AppraisalId = Guid.NewGuid(),
        TechnologyId = technology.Id,
        SettingCode = setting,
        Tier = EsfTier.C,
        Conclusion = conclusion,
        CompletedAt = Days(-5),
    };

    public static EhiaEvidence Ehia() => new()
    {
        CompletedOn = Days(-20),
        ReviewBy = Days(180),
        Risks =
        [
            new(AffectedGroup.Age, "Older adults less familiar with tablets", "Staff-supported sessions and large-print guides"),
            new(AffectedGroup.TraumaHistory, "Prompts may recall traumatic experiences", "Trauma-informed content review; patient can switch prompts off"),
            new(AffectedGroup.Paranoia, "Patients experiencing paranoia may distrust data collection", "Plain explanation of what is and is not recorded; opt out at any time"),
        ],
    };

    public static DpiaEvidence Dpia() => new() { CompletedOn = Days(-15), ResidualRisk = ResidualRisk.Medium, ReviewBy = Days(365) };

    public static DataSharingEvidence DataSharing() => new() { Agreements = [new("Calm Digital Ltd", "RX3-DSA-0042", Days(700))] };

    public static PrivacyNoticeEvidence PrivacyNotice() => new()
    {
        PrivacyNoticeReference = "RX3-PN-2026-02",
        PatientInformationReference = "RX3-PIL-COMPANION-easy-read",
        UpdatedOn = Days(-10),
        CoversUseAndStorageOfData = true,
        CoversPatientRights = true,
    };

    public static InformationGovernanceSignOffEvidence IgSignOff() => new() { TrustDsptReflectsImplementation = true };

    public static CoProductionEvidence CoProduction(bool testing = true) => new()
    {
        Activities =
        [
            new(CoProductionStage.Procurement, Days(-25), 4, "Former acute inpatients of different ages and backgrounds, including two with experience of restraint", "RX3-COPRO-01"),
            .. testing ? new[] { new CoProductionActivity(CoProductionStage.Testing, Days(-12), 3, "Current and former inpatients from the ward's community", "RX3-COPRO-02") } : [],
        ],
        SupplierAssurance = new(true, "CALM-COPRO-STATEMENT-2025"),
    };

    public static PolicyAndProcedureEvidence PolicyAndProcedure() => new()
    {
        PolicyReference = "RX3-POL-DIGITAL-04",
        ProcedureReference = "RX3-SOP-COMPANION-01",
        Covers = Enum.GetValues<PolicyContent>().Aggregate(PolicyContent.None, (all, item) => all | item),
        CoProduced = true,
        ApprovedOn = Days(-8),
        ReviewEveryMonths = 12,
    };

    public static StaffTrainingEvidence Training() => new()
    {
        PlanReference = "RX3-TRAIN-COMPANION",
        Covers = TrainingContent.UseOfTheTechnology | TrainingContent.HumanRightsAndEthics | TrainingContent.PolicyMatters,
        Includes = StaffGroups.Substantive | StaffGroups.Bank | StaffGroups.Agency,
        TrainedBeforeFirstUse = true,
        RefresherEveryMonths = 12,
    };

    /// <summary>Complete evidence for every gate, in the order an information governance sign-off needs.</summary>
    public static IReadOnlyList<GateEvidence> AllGates(Technology technology, EvidenceConclusion conclusion = EvidenceConclusion.Sufficient, bool testingCoProduction = true) =>
    [
        Legal(), LocalPolicy(), ClinicalSafety(), DataProtection(), TechnicalSecurity(), Interoperability(), Usability(),
        Appraisal(technology, conclusion), Ehia(), Dpia(), DataSharing(), PrivacyNotice(), IgSignOff(),
        CoProduction(testingCoProduction), PolicyAndProcedure(), Training(),
    ];

    public static GateRecord Record(ProcurementCase @case, Technology technology, GateEvidence evidence, DateTime? at = null, ProcurementPolicy? policy = null) =>
        @case.RecordGate(new GateSubmission(evidence, $"DOC-{evidence.Gate}"), technology, ActorFor(evidence.Gate), policy ?? Policy, Guid.NewGuid(), at ?? Now).Value;

    public static ProcurementCase ReadyCase(Technology technology, EvidenceConclusion conclusion = EvidenceConclusion.Sufficient, string setting = Setting, bool testingCoProduction = true)
    {
        var @case = OpenCase(technology, setting);
        foreach (var evidence in AllGates(technology, conclusion, testingCoProduction))
            Record(@case, technology, evidence is EvidenceAppraisalEvidence a ? a with { SettingCode = setting } : evidence);
        return @case;
    }

    public static ApprovalRequest Full() => new(ApprovalKind.Full, "Sufficient independent evidence for acute adult wards; EHIA risks mitigated.");

    public static ApprovalRequest Trial(DateTime? ends = null, IndependentEvaluationPlan? plan = null) =>
        new(ApprovalKind.Trial, "Minimal evidence: proceed with caution as a six-month trial.", ends ?? Days(180),
            plan ?? new IndependentEvaluationPlan("University mental health services research unit", true,
                "Compare CORE-10 and DIALOG change with matched wards; patient experience survey", "Lived-experience co-researchers on the evaluation panel", Days(170)));

    public static Approval Approved(ProcurementCase @case, Technology technology, ApprovalRequest? request = null) =>
        @case.Approve(request ?? Full(), technology, Lead, Policy, Guid.NewGuid(), Now).Value;
}
