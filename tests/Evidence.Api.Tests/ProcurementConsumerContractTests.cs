using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Evidence.Api.Data;
using Platform.Messaging.Outbox;
using Platform.Evidence.Api.Grpc;
using Platform.Procurement.Api.Grpc;
using Platform.Testing;
using Xunit;
using EvidenceContracts = Platform.Contracts.Evidence.V1;
using ProcurementContracts = Platform.Contracts.Procurement.V1;

namespace Platform.Evidence.Api.Tests;

/// <summary>Evidence hosted beside a real procurement service, whose inbox consumes what evidence's outbox holds.</summary>
public sealed class EvidenceAndProcurementFixture : IAsyncLifetime
{
    public ServiceFactory<EvidenceGrpcService> Evidence { get; private set; } = null!;
    public ServiceFactory<ProcurementGrpcService> Procurement { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Evidence = await ServiceFactory<EvidenceGrpcService>.StartOnPostgresAsync("evidence");
        Procurement = await ServiceFactory<ProcurementGrpcService>.StartOnPostgresAsync("procurement");
    }

    public async Task DisposeAsync()
    {
        await Evidence.DisposeAsync();
        await Procurement.DisposeAsync();
    }
}

/// <summary>
/// Procurement already consumes evidence.appraisal_completed.v1: the event evidence writes, delivered as the sidecar
/// delivers it, must be taken by procurement's inbox and become the evidence-appraisal gate of the trust's case.
/// </summary>
public class ProcurementConsumerContractTests(EvidenceAndProcurementFixture fixture) : IClassFixture<EvidenceAndProcurementFixture>
{
    private const string Trust = "RX3";

    [Fact]
    public async Task Procurement_takes_evidences_appraisal_completed_event_as_written_and_records_the_appraisal_gate_from_it()
    {
        var technology = await fixture.Procurement.GrpcClient<ProcurementContracts.ProcurementService.ProcurementServiceClient>(Trust, "procurement-lead")
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
        using var http = fixture.Procurement.CreateHttpClient();
        var route = await SidecarDelivery.RouteForAsync(http, written.Topic);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.DeliverAsync(http, route, written.Payload));
        // Procurement opens a case only for a setting type of one of the trust's wards, learned from the directory's events.
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await SidecarDelivery.PublishAsync(http,
            new Platform.Contracts.Identity.V1.WardRegistered { WardCode = "OAK", Name = "Oak Ward", SettingCode = "acute-adult", Beds = 18 }, Trust, $"{Trust}/OAK"));

        var opened = await fixture.Procurement.GrpcClient<ProcurementContracts.ProcurementService.ProcurementServiceClient>(Trust, "procurement-lead")
            .OpenCaseAsync(new ProcurementContracts.OpenCaseRequest
            {
                TechnologyId = technology.TechnologyId, SettingCode = "acute-adult", SettingDescription = "Adult acute inpatient wards",
                Purpose = ProcurementContracts.StatedPurpose.DirectCareOrTreatment,
            });
        var gate = Assert.Single(opened.Gates, g => g.Gate == ProcurementContracts.Gate.EvidenceAppraisal);
        Assert.Equal((ProcurementContracts.GateOutcome.Passed, "test-user", "evidence-reviewer"), (gate.Outcome, gate.RecordedBy, gate.RecordedAs));
        Assert.Contains(appraisal.AppraisalId, gate.EvidenceReference);
    }
}
