using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Evidence.Api.Data;
using Platform.Messaging.Outbox;
using Platform.Evidence.Api.Grpc;
using Microsoft.Extensions.Time.Testing;
using Platform.Evidence.Api.Application;
using Platform.Procurement.Api.Tests;
using Platform.Testing;
using Xunit;
using EvidenceContracts = Platform.Contracts.Evidence.V1;
using ProcurementContracts = Platform.Contracts.Procurement.V1;

namespace Platform.Evidence.Api.Tests;

/// <summary>
/// Evidence hosted beside a real procurement service, whose inbox consumes what evidence's outbox holds. Both run on
/// test clocks at the same moment (1 March 2027, so 2026-Q4 has ended); evidence's flag sweep is run by hand.
/// </summary>
public sealed class EvidenceAndProcurementFixture : IAsyncLifetime
{
    public FakeTimeProvider EvidenceClock { get; } = new(ProcurementClockFixture.Start);
    public ServiceFactory<EvidenceGrpcService> Evidence { get; private set; } = null!;
    public ProcurementClockFixture Procurement { get; } = new();

    public async Task InitializeAsync()
    {
        Evidence = await ServiceFactory<EvidenceGrpcService>.StartOnPostgresAsync("evidence",
            new Dictionary<string, string?> { ["Evidence:OutcomeFlagSweep:Enabled"] = "false" },
            services => services.AddSingleton<TimeProvider>(EvidenceClock));
        await Procurement.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Evidence.DisposeAsync();
        await Procurement.DisposeAsync();
    }
}

/// <summary>
/// Procurement already consumes evidence.appraisal_completed.v1 and evidence.outcome_flag_raised.v1: the events evidence
/// writes, delivered as the sidecar delivers them, must be taken by procurement's inbox: the appraisal becomes the
/// evidence-appraisal gate of the trust's case, and a no-benefit flag one the procurement lead can withdraw the approval by.
/// </summary>
public class ProcurementConsumerContractTests(EvidenceAndProcurementFixture fixture) : IClassFixture<EvidenceAndProcurementFixture>
{
    private const string Trust = "RX3";

    [Fact]
    public async Task Procurement_takes_evidences_appraisal_completed_event_as_written_and_records_the_appraisal_gate_from_it()
    {
        var technology = await fixture.Procurement.App.GrpcClient<ProcurementContracts.ProcurementService.ProcurementServiceClient>(Trust, "procurement-lead")
            .RegisterTechnologyAsync(new ProcurementContracts.RegisterTechnologyRequest
            {
                Name = "Contact-free night observations", Supplier = "Acme Vision Ltd", IntendedUse = "Night-time observations without waking the patient",
                Category = ProcurementContracts.TechnologyCategory.Monitoring,
            });
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await ProcurementRegister.DeliverAsync(fixture.Evidence, Trust, Guid.Parse(technology.TechnologyId), technology.Name));
        var evidence = fixture.Evidence.GrpcClient<EvidenceContracts.EvidenceService.EvidenceServiceClient>(Trust, "evidence-reviewer");
        var item = await evidence.RecordEvidenceItemAsync(AppraisalGrpcTests.StrongTrial(technology.TechnologyId));
        var appraisal = await evidence.CompleteAppraisalAsync(AppraisalGrpcTests.Sufficient(technology.TechnologyId, item.EvidenceItemId));

        var written = await fixture.Evidence.InTenantAsync(Trust, sp => sp.GetRequiredService<EvidenceDbContext>().Set<OutboxMessage>().AsNoTracking()
            .SingleAsync(m => m.Topic == "evidence.appraisal_completed.v1" && m.Subject == technology.TechnologyId));
        using var http = fixture.Procurement.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, written.Topic);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, route, written.Payload));
        // Procurement opens a case only for a setting type of one of the trust's wards, learned from the directory's events.
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.PublishAsync(http,
            new Platform.Contracts.Identity.V1.WardRegistered { WardCode = "OAK", Name = "Oak Ward", SettingCode = "acute-adult", Beds = 18 }, Trust, $"{Trust}/OAK"));

        var opened = await fixture.Procurement.App.GrpcClient<ProcurementContracts.ProcurementService.ProcurementServiceClient>(Trust, "procurement-lead")
            .OpenCaseAsync(new ProcurementContracts.OpenCaseRequest
            {
                TechnologyId = technology.TechnologyId, SettingCode = "acute-adult", SettingDescription = "Adult acute inpatient wards",
                Purpose = ProcurementContracts.StatedPurpose.DirectCareOrTreatment,
            });
        var gate = Assert.Single(opened.Gates, g => g.Gate == ProcurementContracts.Gate.EvidenceAppraisal);
        Assert.Equal((ProcurementContracts.GateOutcome.Passed, "test-user", "evidence-reviewer"), (gate.Outcome, gate.RecordedBy, gate.RecordedAs));
        Assert.Contains(appraisal.AppraisalId, gate.EvidenceReference);
    }

    [Fact]
    public async Task A_no_benefit_flag_from_evidences_sweep_reaches_procurement_as_written_and_withdraws_the_approval_it_is_named_in()
    {
        const string trust = "RTQ";
        var procurement = new ProcurementCaseClient(fixture.Procurement, trust);
        var (opened, approval) = await procurement.ApprovedCaseAsync("Bedside mood tablet");
        Assert.True(approval.InForce);
        // Evidence learns the technology from procurement's own technology_registered, as procurement wrote it.
        var registered = Assert.Single(await fixture.Procurement.App.InTenantAsync(trust, sp => sp.GetRequiredService<Platform.Procurement.Api.Data.ProcurementDbContext>()
            .Set<OutboxMessage>().AsNoTracking().Where(m => m.Topic == "procurement.technology_registered.v1" && m.Subject == opened.TechnologyId).ToListAsync()));
        using (var toEvidence = fixture.Evidence.CreateHttpClient())
            Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(toEvidence, await SidecarDelivery.RouteForAsync(toEvidence, registered.Topic), registered.Payload));

        // Ten patients on the approved ward type whose HoNOS totals did not move in the last ended quarter.
        for (var i = 0; i < 10; i++)
            await OutcomeSeed.PatientAsync(fixture.Evidence, trust, opened.TechnologyId, new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc), improvement: 0, setting: opened.SettingCode);
        var swept = await fixture.Evidence.Services.GetRequiredService<OutcomeFlagSweep>().SweepAsync();
        Assert.Empty(swept.FailedTrusts);

        var written = await fixture.Evidence.InTenantAsync(trust, sp => sp.GetRequiredService<EvidenceDbContext>().Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.Topic == "evidence.outcome_flag_raised.v1" && m.Subject == opened.TechnologyId).OrderBy(m => m.Sequence).ToListAsync());
        Assert.Equal(2, written.Count);
        using var http = fixture.Procurement.App.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, "evidence.outcome_flag_raised.v1");
        foreach (var row in written) Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, route, row.Payload));

        // The lead sees in procurement the flags evidence lists, and withdraws the approval by the ward type's flag.
        var raised = (await fixture.Evidence.GrpcClient<EvidenceContracts.EvidenceService.EvidenceServiceClient>(trust, "procurement-lead")
            .ListOutcomeFlagsAsync(new EvidenceContracts.ListOutcomeFlagsRequest { TechnologyId = opened.TechnologyId })).Flags;
        var received = (await procurement.As(ProcurementCaseClient.Lead).ListOutcomeFlagsAsync(new ProcurementContracts.ListOutcomeFlagsRequest { TechnologyId = opened.TechnologyId })).Flags;
        Assert.Equal(raised.Select(f => (f.FlagId, f.SettingCode, f.Instrument)).OrderBy(f => f.FlagId), received.Select(f => (f.FlagId, f.SettingCode, f.Instrument)).OrderBy(f => f.FlagId));
        var inSetting = Assert.Single(raised, f => f.SettingCode == opened.SettingCode);
        Assert.Equal((EvidenceContracts.OutcomeFlagKind.NoBenefit, 10, 0.0), (inSetting.Kind, inSetting.Patients, inSetting.MeanImprovement));

        var withdrawn = await procurement.As(ProcurementCaseClient.Lead).WithdrawForLackOfBenefitAsync(new ProcurementContracts.WithdrawForLackOfBenefitRequest
        {
            CaseId = opened.CaseId, FlagId = inSetting.FlagId, Reason = "HoNOS totals did not improve over 2026-Q4 on this ward type",
        });
        Assert.Equal((ProcurementContracts.WithdrawalCause.LackOfBenefit, inSetting.FlagId, false), (withdrawn.WithdrawalCause, withdrawn.WithdrawalFlagId, withdrawn.InForce));
        var after = await procurement.As(ProcurementCaseClient.Lead).GetCaseAsync(new ProcurementContracts.GetCaseRequest { CaseId = opened.CaseId });
        Assert.Equal(ProcurementContracts.CaseStatus.Withdrawn, after.Status);
        var published = Assert.Single(await procurement.PublishedAsync("procurement.technology_approval_withdrawn.v1", opened.CaseId));
        Assert.Contains($"\"outcomeFlagId\": \"{inSetting.FlagId}\"", published);
    }
}
