using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.Evidence.Api.Application;
using Platform.Evidence.Api.Data;
using Platform.Gateway.Tenancy;
using Platform.Procurement.Api.Application;
using Platform.Procurement.Api.Data;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Tools.LocalRunner;

/// <summary>
/// A small demo region: two trusts, wards of several setting types, a few technologies with evidence, and a few
/// patients with synthetic NHS numbers (the 999 range, never issued to real people). Seeding is idempotent:
/// what exists is left alone, so starting twice changes nothing.
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

    private static readonly RegisterTechnology[] s_technologies =
    [
        new("Contact-free night observations", "Acme Vision Ltd",
            "Optical sensing of pulse and breathing rate at night so that patients are not woken for observations", TechnologyCategory.PatientSafety, Surveillance: true),
        new("Ward companion app", "Brightpath Digital",
            "Patient-held app for care-plan reminders, mood tracking and messages to the named nurse", TechnologyCategory.DirectCare, Surveillance: false),
        new("Patient feedback kiosk", "Voice Health",
            "Anonymous real-time feedback on ward experience in accessible formats", TechnologyCategory.Communication, Surveillance: false),
    ];

    private static readonly (string Nhs, string Ward, AgeBand Band)[] s_patientsRx3 =
    [
        ("9990000018", "OAK", AgeBand.Aged26To64),
        ("9990000026", "OAK", AgeBand.Aged18To25),
        ("9990000034", "ASH", AgeBand.Aged26To64),
        ("9990000042", "WILLOW", AgeBand.Aged65AndOver),
    ];

    private static readonly (string Nhs, string Ward, AgeBand Band)[] s_patientsRtq =
    [
        ("9990000050", "BIRCH", AgeBand.Aged26To64),
        ("9990000069", "HAZEL", AgeBand.Under16),
        ("9990000077", "HAZEL", AgeBand.Aged16To17),
    ];

    public static async Task SeedAsync(LocalPlatform platform, CancellationToken ct)
    {
        var apps = platform.Running.ToDictionary(r => r.Spec.Name, r => r.App.Services);
        foreach (var trust in Trusts)
        {
            await InTenant(apps["gateway"], trust.OdsCode, async sp =>
            {
                var directory = sp.GetRequiredService<TrustDirectory>();
                Expect(await directory.RegisterTrustAsync(trust.OdsCode, trust.Name, ct));
                foreach (var w in trust.Wards) Expect(await directory.RegisterWardAsync(new RegisterWard(w.Code, w.Name, w.Setting, w.Beds), ct));
            });

            var technologyIds = new List<Guid>();
            var technologyByName = new Dictionary<string, Guid>(StringComparer.Ordinal);
            await InTenant(apps["procurement"], trust.OdsCode, async sp =>
            {
                var register = sp.GetRequiredService<TechnologyRegister>();
                foreach (var t in s_technologies) Expect(await register.RegisterAsync(t, ct));
                var all = await register.ListAsync(50, null, ct);
                technologyIds.AddRange(all.Value.Technologies.Select(t => t.Id));
                foreach (var t in all.Value.Technologies) technologyByName[t.Name] = t.Id;
            });

            await InTenant(apps["evidence"], trust.OdsCode, async sp =>
            {
                var library = sp.GetRequiredService<EvidenceLibrary>();
                foreach (var id in technologyIds)
                {
                    if ((await library.ListAsync(id.ToString(), ct)).Value.Count > 0) continue;
                    Expect(await library.RecordAsync(new RecordEvidenceItem(id.ToString(), "Service evaluation on two acute wards",
                        StudyDesign.ServiceEvaluation, 64, IndependentOfSupplier: false, SettingRelevance.Direct, EvidenceQuality.Low), ct));
                }
            });

            await InTenant(apps["consent"], trust.OdsCode, async sp =>
            {
                var registry = sp.GetRequiredService<PatientRegistry>();
                foreach (var p in trust.OdsCode == "RX3" ? s_patientsRx3 : s_patientsRtq)
                    Expect(await registry.RegisterAsync(new RegisterPatient(p.Nhs, p.Ward, p.Band), ct));
            });

            if (trust.OdsCode == "RX3")
                await InTenant(apps["consent"], trust.OdsCode, sp => SeedConsentAsync(sp, technologyByName, ct));
        }
    }

    /// <summary>
    /// What procurement's approvals would have told the consent service (the companion app on three ward types, the
    /// night observations on acute wards), and one patient with an active use of the app on her own consent, so that
    /// CheckUse has a PERMIT to show. Technologies are found by name in the procurement seed above.
    /// </summary>
    private static async Task SeedConsentAsync(IServiceProvider sp, Dictionary<string, Guid> ids, CancellationToken ct)
    {
        var nightObs = ids["Contact-free night observations"];
        var app = ids["Ward companion app"];
        var approvals = sp.GetRequiredService<TechnologyApprovalService>();
        foreach (var setting in new[] { "acute-adult", "picu", "older-adults" })
            Expect(await approvals.RecordAsync(new RecordTechnologyApproval(app, "Ward companion app", setting, IsSurveillance: false, ManagesSafetyRisk: false), ct));
        Expect(await approvals.RecordAsync(new RecordTechnologyApproval(nightObs, "Contact-free night observations", "acute-adult", IsSurveillance: true, ManagesSafetyRisk: true), ct));

        var patient = (await sp.GetRequiredService<PatientRegistry>().ListAsync("OAK", 50, null, ct)).Value.Patients.Single(p => p.NhsNumber == "9990000018");
        var store = sp.GetRequiredService<PatientRecordsStore>();
        if ((await store.GetAsync(patient.Id, ct))!.Uses.Length > 0) return;
        var now = DateTime.UtcNow;
        var records = sp.GetRequiredService<ConsentRecordsService>();
        Expect(await records.RecordCapacityAssessmentAsync(new CapacityAssessment
        {
            Id = Guid.CreateVersion7(), PatientId = patient.Id, TechnologyId = app, Decision = "using the ward companion app",
            Determination = CapacityDetermination.StatutoryPresumption, AssessedAt = now.AddMinutes(-10), AssessedBy = "named nurse (demo)",
        }, ct));
        Expect(await records.RecordOwnConsentAsync(new OwnConsent
        {
            Id = Guid.CreateVersion7(), PatientId = patient.Id, TechnologyId = app, Decision = ConsentDecision.Given,
            InformationGiven = "what the app does, who sees her entries, and that she can stop at any time", InformationFormat = AccessibleFormat.EasyRead,
            RecordedAt = now.AddMinutes(-5), RecordedBy = "named nurse (demo)",
        }, ct));
        var uses = sp.GetRequiredService<TechnologyUseService>();
        var proposed = await uses.ProposeAsync(new TechnologyUseRequest([patient.Id], app, "OAK", "acute-adult", WholeWard: false, UsePurpose.DirectCareOrTreatment),
            new UseDetails(false, new CarePlanRecord
            {
                Reason = "to keep track of her care-plan goals and message her named nurse between ward rounds",
                WhenAndHowUsed = "on the ward tablet or her own phone, when she chooses",
                InformationGiven = "easy-read leaflet and a talk with her named nurse",
                InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "she chose it at her care-plan meeting",
                DataUse = "entries stay in her record; the supplier sees no names",
                NextReviewDate = now.AddDays(28),
                ReviewCovers = "whether it helps and whether she still wants it",
                HowToWithdraw = "tell any nurse, or stop using the app",
            }, null, null), ct);
        Expect(proposed);
        Expect(await uses.ActivateAsync(proposed.Value.Id, ct));
    }


    private static async Task InTenant(IServiceProvider services, string tenant, Func<IServiceProvider, Task> work)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(tenant);
        await work(scope.ServiceProvider);
    }

    // Already-there is what a second start finds; anything else means the seed data itself is wrong.
    private static void Expect<T>(Outcome<T> outcome)
    {
        if (outcome.IsRefused && outcome.Refusal!.Kind != RefusalKind.AlreadyExists)
            throw new InvalidOperationException($"Seeding the demo region was refused: {outcome.Refusal.Rule}: {outcome.Refusal.Message}");
    }
}
