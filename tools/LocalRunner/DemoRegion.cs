using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Platform.Contracts.Common.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Identity.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using ClientKind = Platform.Contracts.Identity.V1.ClientKind;
using EsfTier = Platform.Contracts.Evidence.V1.EsfTier;
using RegisterWardRequest = Platform.Contracts.Identity.V1.RegisterWardRequest;
using WardSetting = Platform.Contracts.Common.V1.WardSetting;

namespace Platform.Tools.LocalRunner;

/// <summary>
/// A small demo region: two trusts, wards of several setting types, a few technologies with evidence, RX3's
/// procurement cases taken through every gate to approval, and a few patients with synthetic NHS numbers (the 999
/// range, never issued to real people). Seeded as any client would, through the apps' gRPC contracts with generated
/// clients from Grpc.Net.ClientFactory and tokens from the identity service, each step by the demo client whose role
/// does it. Seeding is idempotent: what exists is left alone, so starting twice changes nothing.
/// </summary>
public static class DemoRegion
{
    public sealed record DemoTrust(string OdsCode, string Name, (string Code, string Name, WardSetting Setting, int Beds)[] Wards);

    public static readonly DemoTrust[] Trusts =
    [
        new("RX3", "North Coast Mental Health NHS Foundation Trust",
        [
            ("OAK", "Oak Ward", WardSetting.AcuteAdult, 18),
            ("ASH", "Ash PICU", WardSetting.Picu, 10),
            ("WILLOW", "Willow Ward", WardSetting.OlderAdults, 16),
        ]),
        new("RTQ", "Vale Partnership NHS Foundation Trust",
        [
            ("BIRCH", "Birch Ward", WardSetting.AcuteAdult, 20),
            ("HAZEL", "Hazel Unit", WardSetting.Camhs, 12),
            ("ROWAN", "Rowan Mother and Baby Unit", WardSetting.MotherAndBaby, 8),
        ]),
    ];

    /// <summary>
    /// The clients each demo trust gets (ids "rx3-demo-epr" and so on), one role each. The seed acts through them as the
    /// trust's people would: the admin registers the wards, the procurement lead the technologies, cases, its own gates and
    /// the approvals, the IG lead and the clinical safety officer their gates, the evidence reviewer the evidence and the
    /// appraisals, the EPR the patients and the demo use. No client holds two roles, so none can both complete a gate and
    /// approve, or approve and record care: separation of duties holds for the demo credentials the runner prints too.
    /// </summary>
    public static readonly (string Name, ClientKind Kind, string[] Roles)[] ClientsPerTrust =
    [
        ("epr", ClientKind.Epr, ["clinician"]),
        ("device", ClientKind.Device, ["device"]),
        ("lead", ClientKind.Integration, ["procurement-lead"]),
        ("ig", ClientKind.Integration, ["ig-lead"]),
        ("safety", ClientKind.Integration, ["clinical-safety-officer"]),
        ("reviewer", ClientKind.Integration, ["evidence-reviewer"]),
        ("auditor", ClientKind.Integration, ["auditor"]),
        ("admin", ClientKind.Integration, ["trust-admin"]),
    ];

    /// <summary>
    /// Which demo client records each gate: the one holding the role procurement's gate catalogue names for it (the
    /// runner meets procurement only through its contract; procurement refuses a gate recorded by any other role, and
    /// LocalPlatformTests checks each record's role against the catalogue).
    /// </summary>
    public static readonly IReadOnlyDictionary<Gate, string> GateRecorders = new Dictionary<Gate, string>
    {
        [Gate.LegalProcurementCompliance] = "lead",
        [Gate.LocalProcurementPolicy] = "lead",
        [Gate.DtacClinicalSafety] = "safety",
        [Gate.DtacDataProtection] = "ig",
        [Gate.DtacTechnicalSecurity] = "ig",
        [Gate.DtacInteroperability] = "lead",
        [Gate.DtacUsabilityAndAccessibility] = "lead",
        [Gate.Ehia] = "lead",
        [Gate.Dpia] = "ig",
        [Gate.DataSharingAgreements] = "ig",
        [Gate.PrivacyNotice] = "ig",
        [Gate.IgSignOff] = "ig",
        [Gate.CoProduction] = "lead",
        [Gate.PolicyAndProcedure] = "lead",
        [Gate.StaffTraining] = "lead",
    };

    public static string ClientId(string odsCode, string name) => $"{odsCode.ToLowerInvariant()}-demo-{name}";

    private const string DemoClientInfix = "-demo-";

    /// <summary>How long the seed waits for an event it depends on (one app learning what another committed).</summary>
    private static readonly TimeSpan s_eventWait = TimeSpan.FromSeconds(60);

    private static readonly RegisterTechnologyRequest[] s_technologies =
    [
        new() { Name = "Contact-free night observations", Supplier = "Acme Vision Ltd",
            IntendedUse = "Optical sensing of pulse and breathing rate at night so that patients are not woken for observations", Category = TechnologyCategory.PatientSafety, Surveillance = true },
        new() { Name = "Ward companion app", Supplier = "Brightpath Digital",
            IntendedUse = "Patient-held app for care-plan reminders, mood tracking and messages to the named nurse", Category = TechnologyCategory.DirectCare, Surveillance = false },
        new() { Name = "Patient feedback kiosk", Supplier = "Voice Health",
            IntendedUse = "Anonymous real-time feedback on ward experience in accessible formats", Category = TechnologyCategory.Communication, Surveillance = false },
    ];

    private const string SupplierEvaluation = "Supplier's service evaluation on two acute wards";
    private const string CompanionAppTrial = "Independent randomised controlled trial on adult acute wards";
    private const string NightObservationsCohort = "Independent cohort study of sleep disturbance on acute wards";

    // Each demo trust's evidence library, per technology. Citations are invented for the demo and say so.
    private static readonly Dictionary<string, RecordEvidenceItemRequest[]> s_evidence = new(StringComparer.Ordinal)
    {
        ["Contact-free night observations"] =
        [
            Item(SupplierEvaluation, StudyDesign.ServiceEvaluation, 64, independent: false, SettingRelevance.Direct, EvidenceQuality.Low, RiskOfBias.High,
                "Demo citation: Acme Vision Ltd, night observations service evaluation report, 2026"),
            Item(NightObservationsCohort, StudyDesign.Cohort, 180, independent: true, SettingRelevance.Direct, EvidenceQuality.Moderate, RiskOfBias.SomeConcerns,
                "Demo citation: university nursing research unit, cohort report, 2025"),
        ],
        ["Ward companion app"] =
        [
            Item(SupplierEvaluation, StudyDesign.ServiceEvaluation, 64, independent: false, SettingRelevance.Direct, EvidenceQuality.Low, RiskOfBias.High,
                "Demo citation: Brightpath Digital, companion app service evaluation report, 2026"),
            Item(CompanionAppTrial, StudyDesign.Rct, 240, independent: true, SettingRelevance.Direct, EvidenceQuality.High, RiskOfBias.Low,
                "Demo citation: independent multi-site trial report, 2025"),
        ],
        ["Patient feedback kiosk"] =
        [
            Item(SupplierEvaluation, StudyDesign.ServiceEvaluation, 64, independent: false, SettingRelevance.Direct, EvidenceQuality.Low, RiskOfBias.High,
                "Demo citation: Voice Health, feedback kiosk service evaluation report, 2026"),
        ],
    };

    private static RecordEvidenceItemRequest Item(string title, StudyDesign design, int size, bool independent, SettingRelevance relevance, EvidenceQuality quality,
        RiskOfBias bias, string citation) => new()
    {
        Title = title, StudyDesign = design, SampleSize = size, IndependentOfSupplier = independent, SettingRelevance = relevance, Quality = quality,
        RiskOfBias = bias, Citation = citation,
    };

    /// <summary>
    /// One procurement case of the demo: a technology for the setting type of one of the trust's wards, and how its
    /// evidence was appraised for that setting. Sufficient evidence leads to a full approval, minimal to a trial.
    /// </summary>
    private sealed record DemoCase(string Technology, string Ward, StatedPurpose Purpose, string SettingDescription, EsfTier Tier,
        AppraisalConclusion Conclusion, string[] EvidenceTitles, (string Standard, bool Met, string Note)[] Standards, string HowEvidenceInformed, string Rationale);

    private static readonly (string, bool, string)[] s_companionStandards =
    [
        ("ESF 2022 design factors: acceptability with users", true, "Co-designed with former inpatients; the trial reports acceptability"),
        ("ESF 2022 describing value: intended use in the care pathway", true, "Care-plan reminders and messages to the named nurse"),
        ("ESF 2022 demonstrating performance: effectiveness", true, "Randomised trial on adult acute wards"),
    ];

    /// <summary>RX3's cases. The companion app on OAK is the approval the README's CheckUse relies on.</summary>
    private static readonly DemoCase[] s_casesRx3 =
    [
        new("Ward companion app", "OAK", StatedPurpose.DirectCareOrTreatment, "Adult acute inpatient wards (Oak Ward, 18 beds)", EsfTier.B,
            AppraisalConclusion.Sufficient, [CompanionAppTrial, SupplierEvaluation], s_companionStandards,
            "The independent trial on adult acute wards like Oak shows better care-plan engagement with no harms; the supplier's evaluation agrees but was given little weight.",
            "Every gate met; an independent trial on this type of ward supports a full approval."),
        new("Ward companion app", "ASH", StatedPurpose.DirectCareOrTreatment, "Psychiatric intensive care (Ash PICU, 10 beds)", EsfTier.B,
            AppraisalConclusion.Minimal, [CompanionAppTrial, SupplierEvaluation],
            [.. s_companionStandards[..2], ("ESF 2022 demonstrating performance: effectiveness", false, "No study in psychiatric intensive care")],
            "The trial was on acute wards, not in intensive care: minimal evidence for PICU, so a trial with independent evaluation only.",
            "Every gate met; minimal evidence for PICU, so a six-month trial with independent evaluation."),
        new("Ward companion app", "WILLOW", StatedPurpose.DirectCareOrTreatment, "Older adults' inpatient ward (Willow Ward, 16 beds)", EsfTier.B,
            AppraisalConclusion.Minimal, [CompanionAppTrial, SupplierEvaluation],
            [.. s_companionStandards[..2], ("ESF 2022 demonstrating performance: effectiveness", false, "Few participants over 65 in the trial")],
            "Few participants in the trial were over 65: minimal evidence for older adults' wards, so a trial with independent evaluation only.",
            "Every gate met; minimal evidence for older adults, so a six-month trial with independent evaluation."),
        new("Contact-free night observations", "OAK", StatedPurpose.PatientSafety, "Adult acute inpatient wards (Oak Ward, 18 beds), at night", EsfTier.C,
            AppraisalConclusion.Minimal, [NightObservationsCohort, SupplierEvaluation],
            [
                ("ESF 2022 design factors: acceptability with users", false, "Patients with paranoia may experience the sensor as surveillance"),
                ("ESF 2022 demonstrating performance: accuracy against manual observations", true, "Cohort study agrees with manual counts"),
            ],
            "The independent cohort study shows fewer night-time awakenings, but at some risk of bias and with no comparison group: minimal evidence, a trial only.",
            "Every gate met, with the EHIA's mitigations for trauma and paranoia; minimal evidence, so a six-month trial with independent evaluation."),
    ];

    private static readonly (string Nhs, string Ward, AgeBand Band)[] s_patientsRx3 =
    [
        ("9990000018", "OAK", AgeBand._26To64),
        ("9990000026", "OAK", AgeBand._18To25),
        ("9990000034", "ASH", AgeBand._26To64),
        ("9990000042", "WILLOW", AgeBand._65AndOver),
    ];

    private static readonly (string Nhs, string Ward, AgeBand Band)[] s_patientsRtq =
    [
        ("9990000050", "BIRCH", AgeBand._26To64),
        ("9990000069", "HAZEL", AgeBand.Under16),
        ("9990000077", "HAZEL", AgeBand._16To17),
    ];

    public static async Task SeedAsync(LocalPlatform platform, CancellationToken ct)
    {
        // A cold identity service on a busy machine answers its first token request slowly (it JIT-compiles the whole
        // token pipeline then): give it time rather than fail the start.
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        platform.DemoClients = await OnboardAsync(platform, http, ct);
        await using var clients = await DemoClients.CreateAsync(platform, http, ct);
        foreach (var trust in Trusts)
        {
            var directory = clients.Get<DirectoryService.DirectoryServiceClient>("identity", trust.OdsCode, "admin");
            foreach (var w in trust.Wards)
                await Expect(directory.RegisterWardAsync(new RegisterWardRequest { WardCode = w.Code, Name = w.Name, Setting = w.Setting, Beds = w.Beds }, cancellationToken: ct));
            await WaitUntilServicesKnowAsync(platform, http, trust.OdsCode, clients.Token(trust.OdsCode, "admin"), ct);

            var procurement = clients.Get<ProcurementService.ProcurementServiceClient>("procurement", trust.OdsCode, "lead");
            foreach (var t in s_technologies) await Expect(procurement.RegisterTechnologyAsync(t, cancellationToken: ct));
            var technologies = (await procurement.ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = 50 }, cancellationToken: ct)).Technologies
                .Where(t => s_evidence.ContainsKey(t.Name)).ToDictionary(t => t.Name, StringComparer.Ordinal);

            var evidence = clients.Get<EvidenceService.EvidenceServiceClient>("evidence", trust.OdsCode, "reviewer");
            foreach (var technology in technologies.Values)
            {
                // Evidence learns of the technology from procurement's technology_registered event, delivered after its commit.
                var recorded = await OnceKnownAsync("technology.not-found", $"procurement.technology_registered.v1 for the {technology.Name} at evidence",
                    async () => (await evidence.ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology.TechnologyId }, cancellationToken: ct)).Items, ct);
                foreach (var item in s_evidence[technology.Name].Where(i => recorded.All(r => r.Title != i.Title)))
                    await Call(evidence.RecordEvidenceItemAsync(new RecordEvidenceItemRequest(item) { TechnologyId = technology.TechnologyId }, cancellationToken: ct));
            }

            var consent = clients.Get<ConsentService.ConsentServiceClient>("consent", trust.OdsCode, "epr");
            foreach (var p in trust.OdsCode == "RX3" ? s_patientsRx3 : s_patientsRtq)
                await OnceKnownAsync("ward.not-found", $"identity.ward_registered.v1 for {p.Ward} at consent",
                    () => Expect(consent.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = p.Nhs, WardCode = p.Ward, AgeBand = p.Band }, cancellationToken: ct)), ct);

            if (trust.OdsCode != "RX3") continue;
            foreach (var demoCase in s_casesRx3) await SeedCaseAsync(clients, trust, demoCase, technologies[demoCase.Technology], ct);
            platform.DemoUse = await SeedConsentAsync(consent, technologies["Ward companion app"].TechnologyId, ct);
        }
    }

    /// <summary>
    /// Takes one case from opening to approval, each step by the role that does it: the procurement lead opens it, every
    /// gate is recorded by the demo client of the role that completes it (<see cref="GateRecorders"/>), the evidence reviewer completes the
    /// appraisal at the evidence service (whose appraisal_completed event records the evidence-appraisal gate), and the
    /// lead approves. Procurement's technology_approved event then carries the approval to consent. A case already decided
    /// is left alone; a case left half-done by an interrupted start is completed from where it stopped.
    /// </summary>
    private static async Task SeedCaseAsync(DemoClients clients, DemoTrust trust, DemoCase demo, Technology technology, CancellationToken ct)
    {
        var setting = WardSettingCodes.Of(null, trust.Wards.Single(w => w.Code == demo.Ward).Setting);
        var what = $"{trust.OdsCode}'s case for the {demo.Technology} in {setting}";
        var lead = clients.Get<ProcurementService.ProcurementServiceClient>("procurement", trust.OdsCode, "lead");
        var procurementCase = (await lead.ListCasesAsync(new ListCasesRequest { TechnologyId = technology.TechnologyId }, cancellationToken: ct)).Cases
            .FirstOrDefault(c => c.SettingCode == setting);
        // Procurement admits only a setting type of one of the trust's open wards, learned from the directory's ward events.
        procurementCase ??= await OnceKnownAsync("setting-code.not-in-directory", $"identity.ward_registered.v1 for {demo.Ward} ({setting}) at procurement",
            () => Call(lead.OpenCaseAsync(new OpenCaseRequest
            {
                TechnologyId = technology.TechnologyId, SettingCode = setting, SettingDescription = demo.SettingDescription, Purpose = demo.Purpose,
            }, cancellationToken: ct)), ct);
        if (procurementCase.Status != CaseStatus.Open) return;

        var now = DateTime.UtcNow;
        var passed = procurementCase.Gates.Where(g => g.State == GateState.Passed).Select(g => g.Gate).ToHashSet();
        foreach (var (gate, request) in GateRequests(procurementCase.CaseId, demo, technology, setting, now).Where(g => !passed.Contains(g.Gate)))
        {
            var recorder = clients.Get<ProcurementService.ProcurementServiceClient>("procurement", trust.OdsCode, GateRecorders[gate]);
            var record = await Call(recorder.RecordGateAsync(request, cancellationToken: ct));
            if (record.Outcome != GateOutcome.Passed)
                throw new InvalidOperationException($"Seeding the demo region: the gate '{record.Name}' of {what} failed: {record.FailureReason}");
        }

        if (!passed.Contains(Gate.EvidenceAppraisal)) await AppraiseAsync(clients, trust, demo, technology, setting, procurementCase.CaseId, what, ct);

        var approve = new ApproveRequest { CaseId = procurementCase.CaseId, Rationale = demo.Rationale, Kind = demo.Conclusion == AppraisalConclusion.Sufficient ? ApprovalKind.Full : ApprovalKind.Trial };
        if (approve.Kind == ApprovalKind.Trial)
        {
            approve.TrialEndsOn = Timestamp.FromDateTime(now.AddDays(182));
            approve.Evaluation = new IndependentEvaluationPlan
            {
                Evaluator = "North Coast University, mental health nursing research unit", IndependentOfSupplier = true,
                Method = "CORE-10 and DIALOG at admission and discharge, patient-reported experience, incidents and staff interviews, against the months before the trial",
                CoProductionInEvaluation = "Two peer researchers with lived experience of inpatient care co-design the interviews and co-analyse the findings",
                ReportDueBy = Timestamp.FromDateTime(now.AddDays(168)),
            };
        }
        await Call(lead.ApproveAsync(approve, cancellationToken: ct));
    }

    /// <summary>
    /// The evidence reviewer's appraisal for the case's technology and setting (once: a completed one is not repeated), then
    /// the wait for its appraisal_completed event to record the case's evidence-appraisal gate at procurement.
    /// </summary>
    private static async Task AppraiseAsync(DemoClients clients, DemoTrust trust, DemoCase demo, Technology technology, string setting, string caseId, string what,
        CancellationToken ct)
    {
        var reviewer = clients.Get<EvidenceService.EvidenceServiceClient>("evidence", trust.OdsCode, "reviewer");
        var done = await reviewer.ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = technology.TechnologyId, SettingCode = setting }, cancellationToken: ct);
        if (done.Appraisals.Count == 0)
        {
            var items = (await reviewer.ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = technology.TechnologyId }, cancellationToken: ct)).Items;
            var appraisal = new CompleteAppraisalRequest
            {
                TechnologyId = technology.TechnologyId, SettingCode = setting, Tier = demo.Tier, Conclusion = demo.Conclusion, HowEvidenceInformedDecision = demo.HowEvidenceInformed,
            };
            appraisal.EvidenceItemIds.AddRange(demo.EvidenceTitles.Select(title => items.First(i => i.Title == title).EvidenceItemId));
            appraisal.Standards.AddRange(demo.Standards.Select(s => new EsfStandardJudgement { Standard = s.Standard, Met = s.Met, Note = s.Note }));
            await Call(reviewer.CompleteAppraisalAsync(appraisal, cancellationToken: ct));
        }

        var lead = clients.Get<ProcurementService.ProcurementServiceClient>("procurement", trust.OdsCode, "lead");
        await UntilAsync($"evidence.appraisal_completed.v1 for {what}", async () =>
        {
            var gate = (await lead.GetCaseAsync(new GetCaseRequest { CaseId = caseId }, cancellationToken: ct)).Gates.FirstOrDefault(g => g.Gate == Gate.EvidenceAppraisal);
            if (gate is { State: not GateState.Passed })
                throw new InvalidOperationException($"Seeding the demo region: the evidence appraisal of {what} did not pass: {gate.FailureReason}");
            return gate is not null;
        }, ct);
    }

    /// <summary>
    /// Complete evidence for every gate a human records (all but the evidence appraisal), in an order the rules allow (the IG
    /// sign-off after the data protection work it signs off). References are the demo trust's invented document numbers.
    /// </summary>
    private static IEnumerable<(Gate Gate, RecordGateRequest Request)> GateRequests(string caseId, DemoCase demo, Technology technology, string setting, DateTime now)
    {
        var tag = $"{string.Concat(demo.Technology.Split(' ').Select(w => char.ToUpperInvariant(w[0])))}-{setting.ToUpperInvariant()}";
        var full = demo.Conclusion == AppraisalConclusion.Sufficient;
        static Timestamp T(DateTime d) => Timestamp.FromDateTime(d);
        DtacAnswers Dtac() => new() { SupplierDtacReference = $"{technology.Supplier} DTAC answers v3 (2026)", DtacRenewalDue = T(now.AddYears(2)) };
        RecordGateRequest R(string document) => new() { CaseId = caseId, EvidenceReference = $"RX3-{tag}-{document}" };

        var legal = R("PROC");
        legal.LegalCompliance = new LegalComplianceEvidence { ProcurementRoute = "Call-off from a national digital health framework, further competition", Compliant = true };
        yield return (Gate.LegalProcurementCompliance, legal);
        var local = R("SFI");
        local.LocalPolicy = new LocalPolicyEvidence { LocalPolicyReference = "Procurement policy v7", FinancialInstructionsReference = "Standing financial instructions 2026, section 4", Compliant = true };
        yield return (Gate.LocalProcurementPolicy, local);
        var safety = R("CSO");
        safety.ClinicalSafety = new ClinicalSafetyEvidence
        {
            Dtac = Dtac(), SupplierDcb0129SafetyCaseReference = $"{technology.Supplier} DCB0129 clinical safety case v2",
            TrustDcb0160SafetyCaseReference = $"RX3-{tag}-DCB0160", HazardLogReference = $"RX3-{tag}-HAZARD-LOG", Passed = true,
        };
        yield return (Gate.DtacClinicalSafety, safety);
        var protection = R("C2");
        protection.DataProtection = new DataProtectionEvidence { Dtac = Dtac(), Passed = true, SupplierDsptStatus = DsptStatus.StandardsMet, DsptValidUntil = T(now.AddMonths(10)) };
        yield return (Gate.DtacDataProtection, protection);
        var security = R("C3");
        security.TechnicalSecurity = new TechnicalSecurityEvidence
        {
            Dtac = Dtac(), Passed = true, PenetrationTestReference = $"{technology.Supplier} CREST penetration test report 2026",
            PenetrationTestedOn = T(now.AddDays(-40)), PenetrationTestValidUntil = T(now.AddDays(325)),
        };
        yield return (Gate.DtacTechnicalSecurity, security);
        var interoperability = R("C4");
        interoperability.Interoperability = new InteroperabilityEvidence { Dtac = Dtac(), Passed = true };
        yield return (Gate.DtacInteroperability, interoperability);
        var usability = R("D1");
        usability.Usability = new UsabilityEvidence { Dtac = Dtac(), ScorePercent = 78 };
        yield return (Gate.DtacUsabilityAndAccessibility, usability);

        var ehia = R("EHIA");
        ehia.Ehia = new EhiaEvidence { CompletedOn = T(now.AddDays(-30)), ReviewBy = T(now.AddDays(300)) };
        ehia.Ehia.Risks.Add(new EhiaRisk { Group = AffectedGroup.Age, Risk = "Older patients less used to apps or sensors may be left out or distressed",
            Mitigation = "Staff offer help at admission; every function is available without the technology" });
        ehia.Ehia.Risks.Add(new EhiaRisk { Group = AffectedGroup.OtherHealthInequality, Risk = "Patients with limited English or literacy",
            Mitigation = "Easy-read and translated information; interpreters for the consent conversation" });
        if (technology.Surveillance)
        {
            ehia.Ehia.Risks.Add(new EhiaRisk { Group = AffectedGroup.TraumaHistory, Risk = "A sensor in the bedroom at night may retraumatise patients with a history of abuse",
                Mitigation = "Discussed before use, the sensor's light shows when it is on, and the patient can ask for manual observations instead" });
            ehia.Ehia.Risks.Add(new EhiaRisk { Group = AffectedGroup.Paranoia, Risk = "Patients experiencing paranoia may believe they are being watched",
                Mitigation = "No video is kept or shown; the named nurse explains what is measured and reviews the use daily" });
        }
        yield return (Gate.Ehia, ehia);
        var dpia = R("DPIA");
        dpia.Dpia = new DpiaEvidence { CompletedOn = T(now.AddDays(-25)), ResidualRisk = technology.Surveillance ? ResidualRisk.Medium : ResidualRisk.Low, ReviewBy = T(now.AddYears(1)) };
        yield return (Gate.Dpia, dpia);
        var sharing = R("DSA");
        sharing.DataSharing = new DataSharingEvidence();
        sharing.DataSharing.Agreements.Add(new DataSharingAgreement { Party = technology.Supplier, Reference = $"RX3-{tag}-DPA (data processing agreement)", ValidUntil = T(now.AddYears(3)) });
        yield return (Gate.DataSharingAgreements, sharing);
        var privacy = R("PN");
        privacy.PrivacyNotice = new PrivacyNoticeEvidence
        {
            PrivacyNoticeReference = "Trust privacy notice v12", PatientInformationReference = $"RX3-{tag}-LEAFLET (easy read and standard)", UpdatedOn = T(now.AddDays(-14)),
            CoversUseAndStorageOfData = true, CoversPatientRights = true,
        };
        yield return (Gate.PrivacyNotice, privacy);
        var signOff = R("IG-SIGN-OFF");
        signOff.IgSignOff = new IgSignOffEvidence { TrustDsptReflectsImplementation = true };
        yield return (Gate.IgSignOff, signOff);

        var coProduction = R("COPRODUCTION");
        coProduction.CoProduction = new CoProductionEvidence { SupplierAssuranceEvidenced = true, SupplierAssuranceReference = $"{technology.Supplier} co-production statement 2026" };
        foreach (var (stage, daysAgo) in full ? new[] { (CoProductionStage.Procurement, 60), (CoProductionStage.Testing, 20) } : [(CoProductionStage.Procurement, 60)])
            coProduction.CoProduction.Activities.Add(new CoProductionActivity
            {
                Stage = stage, HeldOn = T(now.AddDays(-daysAgo)), LivedExperienceParticipants = 5, Reference = $"RX3-{tag}-COPRODUCTION-{stage}",
                HowRepresentative = "Former inpatients of different ages, ethnicities and diagnoses, recruited through the trust's lived experience network",
            });
        yield return (Gate.CoProduction, coProduction);
        var policy = R("POLICY");
        policy.PolicyAndProcedure = new PolicyAndProcedureEvidence
        {
            PolicyReference = "Digital technologies in inpatient care policy v3", ProcedureReference = $"RX3-{tag}-SOP", CoProduced = true, ApprovedOn = T(now.AddDays(-10)), ReviewEveryMonths = 12,
        };
        policy.PolicyAndProcedure.Covers.AddRange(System.Enum.GetValues<PolicyContent>().Where(c => c != PolicyContent.Unspecified));
        yield return (Gate.PolicyAndProcedure, policy);
        var training = R("TRAINING");
        training.StaffTraining = new StaffTrainingEvidence { PlanReference = $"RX3-{tag}-TRAINING-PLAN", TrainedBeforeFirstUse = true, RefresherEveryMonths = 12 };
        training.StaffTraining.Covers.AddRange(System.Enum.GetValues<TrainingContent>().Where(c => c != TrainingContent.Unspecified));
        training.StaffTraining.Includes.AddRange(System.Enum.GetValues<StaffGroup>().Where(g => g != StaffGroup.Unspecified));
        yield return (Gate.StaffTraining, training);
    }

    /// <summary>
    /// One patient with an active use of the companion app on her own consent, so that CheckUse has a PERMIT to show. The
    /// use needs the app's approval for OAK's setting, which consent learns from procurement's technology_approved event.
    /// </summary>
    private static async Task<(string PatientId, string TechnologyId)> SeedConsentAsync(ConsentService.ConsentServiceClient consent, string app, CancellationToken ct)
    {
        var patient = (await consent.ListPatientsAsync(new ListPatientsRequest { WardCode = "OAK", PageSize = 50 }, cancellationToken: ct)).Patients.Single(p => p.NhsNumber == "9990000018");
        // Seeded before: her use is active and the check permits.
        var check = await consent.CheckUseAsync(new CheckUseRequest { PatientId = patient.PatientId, TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment }, cancellationToken: ct);
        if (check.Decision == UseCheckDecision.Permit) return (patient.PatientId, app);

        var now = DateTime.UtcNow;
        await consent.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
        {
            PatientId = patient.PatientId, TechnologyId = app, Decision = "using the ward companion app",
            Determination = CapacityDetermination.StatutoryPresumption, AssessedAt = Timestamp.FromDateTime(now.AddMinutes(-10)), AssessedBy = "named nurse (demo)",
        }, cancellationToken: ct);
        await consent.RecordConsentAsync(new RecordConsentRequest
        {
            PatientId = patient.PatientId, TechnologyId = app, Decision = ConsentDecision.Given,
            InformationGiven = "what the app does, who sees her entries, and that she can stop at any time", InformationFormat = AccessibleFormat.EasyRead,
            RecordedAt = Timestamp.FromDateTime(now.AddMinutes(-5)), RecordedBy = "named nurse (demo)",
        }, cancellationToken: ct);
        var proposal = new ProposeUseRequest
        {
            TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment,
            CarePlan = new CarePlanItems
            {
                Reason = "to keep track of her care-plan goals and message her named nurse between ward rounds",
                WhenAndHowUsed = "on the ward tablet or her own phone, when she chooses",
                InformationGiven = "easy-read leaflet and a talk with her named nurse",
                InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "she chose it at her care-plan meeting",
                DataUse = "entries stay in her record; the supplier sees no names",
                NextReviewDate = Timestamp.FromDateTime(now.AddDays(28)),
                ReviewCovers = "whether it helps and whether she still wants it",
                HowToWithdraw = "tell any nurse, or stop using the app",
            },
        };
        proposal.PatientIds.Add(patient.PatientId);
        var proposed = await OnceKnownAsync("use.no-approval-for-setting", "procurement.technology_approved.v1 for the Ward companion app in acute-adult at consent",
            () => Call(consent.ProposeUseAsync(proposal, cancellationToken: ct)), ct);
        await consent.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }, cancellationToken: ct);
        return (patient.PatientId, app);
    }

    /// <summary>
    /// The region operator onboards each trust with its demo clients. The directory shows a client's secret once, so the
    /// runner keeps the secrets in the data folder; a client whose secret it lacks (data folder partly deleted) gets a new one.
    /// A trust onboarded by an earlier version of the runner gets the demo clients it lacks, and loses demo clients this
    /// version no longer has (the all-roles "seeder" of before).
    /// </summary>
    private static async Task<IReadOnlyList<DemoClient>> OnboardAsync(LocalPlatform platform, HttpClient http, CancellationToken ct)
    {
        var secrets = LocalSecrets.LoadClientSecrets(platform.Options.DataDirectory);
        var regionToken = await TokenAsync(http, platform.TokenEndpoint, LocalPlatform.RegionOperatorClientId, platform.RegionOperatorSecret, ct);
        var identity = platform.Running.Single(r => r.Spec.Name == "identity").Spec;
        var services = new ServiceCollection();
        services.AddPlatformGrpcClient<DirectoryService.DirectoryServiceClient>(new Uri($"http://127.0.0.1:{platform.GrpcPort(identity)}"), TimeSpan.FromSeconds(30))
            .AddCallCredentials((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {regionToken}");
                return Task.CompletedTask;
            });
        await using var provider = services.BuildServiceProvider();
        var directory = provider.GetRequiredService<DirectoryService.DirectoryServiceClient>();

        var demo = new List<DemoClient>();
        foreach (var trust in Trusts)
        {
            var request = new OnboardTrustRequest { OdsCode = trust.OdsCode, Name = trust.Name };
            request.Clients.AddRange(ClientsPerTrust.Select(c => new RegisterClientRequest { ClientId = ClientId(trust.OdsCode, c.Name), Kind = c.Kind, Roles = { c.Roles } }));
            try
            {
                var onboarded = await directory.OnboardTrustAsync(request, cancellationToken: ct);
                foreach (var c in onboarded.Clients) secrets[c.Client.ClientId] = c.ClientSecret;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                var existing = (await directory.GetTrustAsync(new GetTrustRequest { OdsCode = trust.OdsCode }, cancellationToken: ct)).Clients.Select(c => c.ClientId).ToHashSet(StringComparer.Ordinal);
                foreach (var stale in existing.Where(id => id.Contains(DemoClientInfix, StringComparison.Ordinal) && request.Clients.All(c => c.ClientId != id)))
                {
                    await directory.RemoveClientAsync(new RemoveClientRequest { ClientId = stale }, cancellationToken: ct);
                    secrets.Remove(stale);
                }
                foreach (var c in request.Clients.Where(c => !existing.Contains(c.ClientId)))
                    secrets[c.ClientId] = (await directory.RegisterClientAsync(new RegisterClientRequest(c) { OdsCode = trust.OdsCode }, cancellationToken: ct)).ClientSecret;
                foreach (var c in request.Clients.Where(c => !secrets.ContainsKey(c.ClientId)))
                    secrets[c.ClientId] = (await directory.ResetClientSecretAsync(new ResetClientSecretRequest { ClientId = c.ClientId }, cancellationToken: ct)).ClientSecret;
            }
            LocalSecrets.SaveClientSecrets(platform.Options.DataDirectory, secrets);
            demo.AddRange(ClientsPerTrust.Select(c => new DemoClient(ClientId(trust.OdsCode, c.Name), secrets[ClientId(trust.OdsCode, c.Name)], trust.OdsCode, c.Roles)));
        }
        return demo;
    }

    /// <summary>A client_credentials token from the identity service's token endpoint (HTTP Basic client authentication).</summary>
    public static async Task<string> TokenAsync(HttpClient http, Uri tokenEndpoint, string clientId, string secret, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}")));
        using var response = await http.SendAsync(request, ct);
        var body = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"The token service refused {clientId}: {body}");
        using var json = System.Text.Json.JsonDocument.Parse(body);
        return json.RootElement.GetProperty("access_token").GetString()!;
    }

    /// <summary>
    /// Each service learns of a trust from the directory's trust_onboarded event and refuses its tokens until then:
    /// waits until every service with events answers the trust's token.
    /// </summary>
    private static async Task WaitUntilServicesKnowAsync(LocalPlatform platform, HttpClient http, string odsCode, string token, CancellationToken ct)
    {
        foreach (var (spec, _) in platform.Running.Where(r => r.Spec.HasEvents && r.Spec.Name != "identity"))
        {
            await UntilAsync($"identity.trust_onboarded.v1 for {odsCode} at {spec.Name}", async () =>
            {
                using var me = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{platform.HttpPort(spec)}/me");
                me.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
                using var response = await http.SendAsync(me, ct);
                return response.IsSuccessStatusCode;
            }, ct);
        }
    }

    /// <summary>
    /// A service learns what another owns from its events, delivered after the owner's commit: consent a ward (and its
    /// setting) from the directory, evidence a technology from procurement, consent an approval from procurement. Until
    /// then the call is refused as <paramref name="notYetKnown"/> (e.g. ward.not-found) and is tried again, for up to a
    /// minute; after that the seed fails naming the event that did not arrive (<paramref name="awaited"/>).
    /// </summary>
    private static async Task<T> OnceKnownAsync<T>(string notYetKnown, string awaited, Func<Task<T>> call, CancellationToken ct)
    {
        T result = default!;
        await UntilAsync(awaited, async () =>
        {
            try
            {
                result = await call();
                return true;
            }
            catch (Exception e) when ((e as RpcException ?? e.InnerException as RpcException) is { } r && r.Trailers.GetValue(RefusalStatus.RuleTrailer) == notYetKnown)
            {
                return false;
            }
        }, ct);
        return result;
    }

    private static Task OnceKnownAsync(string notYetKnown, string awaited, Func<Task> call, CancellationToken ct) =>
        OnceKnownAsync(notYetKnown, awaited, async () =>
        {
            await call();
            return true;
        }, ct);

    /// <summary>Asks <paramref name="arrived"/> every 100 ms until it answers true, for up to a minute; then fails naming what did not arrive.</summary>
    private static async Task UntilAsync(string awaited, Func<Task<bool>> arrived, CancellationToken ct)
    {
        var until = DateTime.UtcNow + s_eventWait;
        while (!await arrived())
        {
            if (DateTime.UtcNow > until)
                throw new TimeoutException($"Seeding the demo region: {awaited} did not arrive within {s_eventWait.TotalSeconds:0} s.");
            await Task.Delay(100, ct);
        }
    }

    // Already-there is what a second start finds; any other refusal means the seed data itself is wrong.
    private static async Task Expect<T>(AsyncUnaryCall<T> call)
    {
        try
        {
            await call;
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
        {
        }
        catch (RpcException e)
        {
            throw Refused(e);
        }
    }

    // A call whose answer the seed needs: any refusal means the seed data itself is wrong.
    private static async Task<T> Call<T>(AsyncUnaryCall<T> call)
    {
        try
        {
            return await call;
        }
        catch (RpcException e)
        {
            throw Refused(e);
        }
    }

    private static InvalidOperationException Refused(RpcException e) =>
        new($"Seeding the demo region was refused: {e.Trailers.GetValue(RefusalStatus.RuleTrailer)}: {e.Status.Detail}", e);

    /// <summary>Generated clients for each app, trust and demo client, made by Grpc.Net.ClientFactory, each with its client's token.</summary>
    private sealed class DemoClients(ServiceProvider services, Dictionary<string, string> tokens) : IAsyncDisposable
    {
        private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(30);

        // The demo clients the seed acts as (the device and the auditor only read).
        private static readonly string[] s_seeding = ["admin", "lead", "ig", "safety", "reviewer", "epr"];

        public static async Task<DemoClients> CreateAsync(LocalPlatform platform, HttpClient http, CancellationToken ct)
        {
            var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var client in platform.DemoClients.Where(c => s_seeding.Any(name => c.ClientId == ClientId(c.OdsCode, name))))
                tokens[client.ClientId] = await TokenAsync(http, platform.TokenEndpoint, client.ClientId, client.Secret, ct);

            var services = new ServiceCollection();
            foreach (var (spec, _) in platform.Running)
            {
                var address = new Uri($"http://127.0.0.1:{platform.GrpcPort(spec)}");
                foreach (var clientId in tokens.Keys)
                {
                    var token = tokens[clientId];
                    Add(spec.Name, services, Name(spec.Name, clientId), address)
                        ?.AddCallCredentials((_, metadata) =>
                        {
                            metadata.Add("Authorization", $"Bearer {token}");
                            return Task.CompletedTask;
                        });
                }
            }

            return new DemoClients(services.BuildServiceProvider(), tokens);
        }

        public string Token(string tenant, string name) => tokens[ClientId(tenant, name)];

        /// <summary>A client of <paramref name="app"/> acting as the trust's demo client <paramref name="name"/> (e.g. "lead").</summary>
        public TClient Get<TClient>(string app, string tenant, string name) where TClient : class =>
            services.GetRequiredService<GrpcClientFactory>().CreateClient<TClient>(Name(app, ClientId(tenant, name)));

        public ValueTask DisposeAsync() => services.DisposeAsync();

        private static string Name(string app, string clientId) => $"{app}/{clientId}";

        private static IHttpClientBuilder? Add(string app, IServiceCollection services, string name, Uri address) => app switch
        {
            "identity" => services.AddPlatformGrpcClient<DirectoryService.DirectoryServiceClient>(name, address, s_deadline),
            "consent" => services.AddPlatformGrpcClient<ConsentService.ConsentServiceClient>(name, address, s_deadline),
            "procurement" => services.AddPlatformGrpcClient<ProcurementService.ProcurementServiceClient>(name, address, s_deadline),
            "evidence" => services.AddPlatformGrpcClient<EvidenceService.EvidenceServiceClient>(name, address, s_deadline),
            _ => null,
        };
    }
}

/// <summary>A demo client of a trust: what an integrator needs to get a token for it.</summary>
public sealed record DemoClient(string ClientId, string Secret, string OdsCode, IReadOnlyList<string> Roles);
