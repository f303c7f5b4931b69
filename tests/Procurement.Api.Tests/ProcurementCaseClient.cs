using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Platform.Contracts.Procurement.V1;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Outbox;
using ProcurementDbContext = Platform.Procurement.Api.Data.ProcurementDbContext;
using Platform.Testing;
using Xunit;
using EvidenceEvents = Platform.Contracts.Evidence.V1;
using Identity = Platform.Contracts.Identity.V1;

namespace Platform.Procurement.Api.Tests;

/// <summary>
/// Procurement hosted on a fake clock that the test moves; the expiry sweep runs on it every hour. Named by its gRPC
/// service, not Program: tests/Evidence.Api.Tests compiles this file too, beside evidence's own Program.
/// </summary>
public sealed class ProcurementClockFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);

    public FakeTimeProvider Clock { get; } = new(Start);

    public ServiceFactory<Grpc.ProcurementGrpcService> App { get; private set; } = null!;

    public async Task InitializeAsync() => App = await ServiceFactory<Grpc.ProcurementGrpcService>.StartOnPostgresAsync("procurement",
        new Dictionary<string, string?> { ["Procurement:ExpirySweep:Interval"] = "01:00:00" },
        services => services.AddSingleton<TimeProvider>(Clock));

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>One trust's procurement, called as the role each step needs, with valid evidence for every gate.</summary>
public sealed class ProcurementCaseClient(ProcurementClockFixture fixture, string tenant)
{
    public const string Lead = "procurement-lead";
    public const string Ig = "ig-lead";
    public const string Safety = "clinical-safety-officer";
    public const string Reviewer = "evidence-reviewer";

    private DateTime Now => fixture.Clock.GetUtcNow().UtcDateTime;

    public ProcurementService.ProcurementServiceClient As(string role) => fixture.App.GrpcClient<ProcurementService.ProcurementServiceClient>(tenant, role);

    public async Task<Technology> TechnologyAsync(string name, bool surveillance = false) =>
        await As(Lead).RegisterTechnologyAsync(new RegisterTechnologyRequest
        {
            Name = name, Supplier = "Calder Digital", IntendedUse = "Self-reported mood and sleep, shared with the care team with the patient's agreement",
            Category = TechnologyCategory.DirectCare, Surveillance = surveillance,
        });

    /// <summary>A case for a setting type the trust's directory holds: a ward of that setting is published first.</summary>
    public async Task<ProcurementCase> CaseAsync(string technologyName, string setting = "acute-adult")
    {
        await WardAsync($"W-{setting}".ToUpperInvariant(), setting);
        return await As(Lead).OpenCaseAsync(new OpenCaseRequest
        {
            TechnologyId = (await TechnologyAsync(technologyName)).TechnologyId, SettingCode = setting,
            SettingDescription = "Adult acute inpatient wards, 18 beds each", Purpose = StatedPurpose.DirectCareOrTreatment,
        });
    }

    /// <summary>Plays the sidecar delivering the identity directory's ward event (registered, or changed when closed) to procurement.</summary>
    public async Task WardAsync(string wardCode, string setting, bool closed = false)
    {
        var actor = new Contracts.Common.V1.Actor { Subject = "admin-1", Role = "trust-admin" };
        var delivered = closed
            ? await DeliverAsync(new Identity.WardChanged { WardCode = wardCode, Name = wardCode, SettingCode = setting, Beds = 12, Closed = true, Actor = actor }, Guid.NewGuid().ToString())
            : await DeliverAsync(new Identity.WardRegistered { WardCode = wardCode, Name = wardCode, SettingCode = setting, Beds = 12, Actor = actor }, Guid.NewGuid().ToString());
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), delivered);
    }

    /// <summary>Records every gate but the evidence appraisal, each as its responsible role, in an order the rules allow.</summary>
    public async Task RecordEveryGateButTheAppraisalAsync(string caseId, DateTime? penetrationTestValidUntil = null)
    {
        foreach (var (role, request) in EveryGate(caseId, penetrationTestValidUntil ?? Now.AddDays(365)))
        {
            var record = await As(role).RecordGateAsync(request);
            Assert.Equal(GateOutcome.Passed, record.Outcome);
        }
    }

    /// <summary>Plays the sidecar delivering the evidence service's completed appraisal to procurement's inbox.</summary>
    public async Task DeliverAppraisalAsync(string technologyId, string setting, EvidenceEvents.AppraisalConclusion conclusion, string? appraisalId = null)
    {
        var message = new EvidenceEvents.AppraisalCompleted
        {
            AppraisalId = appraisalId ?? Guid.NewGuid().ToString(), TechnologyId = technologyId, SettingCode = setting, Tier = EvidenceEvents.EsfTier.B,
            Conclusion = conclusion, CompletedAt = Timestamp.FromDateTime(Now.AddHours(-1)), ItemsConsidered = 3, ItemsMeetingP7Bar = 1,
            Actor = new Contracts.Common.V1.Actor { Subject = "reviewer-7", Role = Reviewer },
        };
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await DeliverAsync(message, Guid.NewGuid().ToString()));
    }

    public async Task<(HttpStatusCode, string?)> DeliverAsync<T>(T message, string id) where T : IMessage<T>
    {
        using var http = fixture.App.CreateHttpClient();
        var name = EventName.For(message.Descriptor);
        var route = await SidecarDelivery.RouteForAsync(http, name.Topic);
        var cloudEvent = new CloudEvent
        {
            Id = id, Source = "/evidence", Type = name.Type, Subject = "subject", Time = DateTimeOffset.UtcNow, Tenant = tenant,
            DataJson = JsonFormatter.Default.Format(message),
        }.ToJson();
        return await SidecarDelivery.DeliverAsync(http, route, cloudEvent);
    }

    /// <summary>An approved case: every gate, a sufficient appraisal, and the lead's full approval.</summary>
    public async Task<(ProcurementCase Case, Approval Approval)> ApprovedCaseAsync(string technologyName, DateTime? penetrationTestValidUntil = null)
    {
        var opened = await CaseAsync(technologyName);
        await RecordEveryGateButTheAppraisalAsync(opened.CaseId, penetrationTestValidUntil);
        await DeliverAppraisalAsync(opened.TechnologyId, opened.SettingCode, EvidenceEvents.AppraisalConclusion.Sufficient);
        var approval = await As(Lead).ApproveAsync(new ApproveRequest { CaseId = opened.CaseId, Kind = ApprovalKind.Full, Rationale = "Every gate met; evidence sufficient for this ward type." });
        return (opened, approval);
    }

    /// <summary>The events this trust's procurement wrote to its outbox on <paramref name="topic"/> for <paramref name="subject"/>, as JSON.</summary>
    public Task<List<string>> PublishedAsync(string topic, string subject) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<ProcurementDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Topic == topic && m.Subject == subject).OrderBy(m => m.Sequence).Select(m => m.Payload).ToListAsync());

    public static async Task<RpcException> RefusedAsync<T>(Func<Task<T>> call, StatusCode code)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        Assert.Equal(code, refused.StatusCode);
        return refused;
    }

    private IEnumerable<(string Role, RecordGateRequest Request)> EveryGate(string caseId, DateTime penTestValidUntil)
    {
        var now = Now;
        Timestamp T(DateTime d) => Timestamp.FromDateTime(d);
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
            Dtac = Dtac(), Passed = true, PenetrationTestReference = "PT-2027-01", PenetrationTestedOn = T(now.AddDays(-20)), PenetrationTestValidUntil = T(penTestValidUntil),
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
