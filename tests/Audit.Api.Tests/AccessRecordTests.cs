using Grpc.Core;
using Platform.Contracts.Audit.V1;
using Platform.Messaging.Contracts.Access.V1;
using Xunit;

namespace Platform.Audit.Api.Tests;

// Access records (reads of patient data, use checks) published by other services through their outbox.
public class AccessRecordTests(AuditServiceFixture fixture) : IClassFixture<AuditServiceFixture>
{
    private static AccessRecorded Read(string patient, string who = "nurse-77") => new()
    {
        ActorSubject = who, ActorRole = "clinician", PurposeOfUse = "TREAT", Patient = patient,
        What = $"{patient}/consents", EntityType = "Consent", Kind = "patient-record-read", Outcome = "success",
    };

    [Fact]
    public async Task Reads_and_use_checks_of_a_patient_are_entered_once_and_shown_in_the_patients_own_view()
    {
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, Read("Patient/acc-1"), "ACC1", "acc-e1", "/consent"));
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, Read("Patient/acc-1"), "ACC1", "acc-e1", "/consent")); // redelivered
        var check = new AccessRecorded
        {
            ActorSubject = "device-9", ActorRole = "device", PurposeOfUse = "TREAT", Patient = "Patient/acc-1",
            What = "TechnologyUse/u-1", EntityType = "Consent", Kind = "use-check", Outcome = "denied",
        };
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, check, "ACC1", "acc-e2", "/consent"));
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, Read("Patient/acc-2"), "ACC1", "acc-e3", "/consent"));
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, AuditEvents.UseAuthorised("acc-1"), "ACC1", "acc-e4"));

        var view = await fixture.App.GrpcClient<AuditService.AuditServiceClient>("ACC1", "auditor")
            .ListPatientAccessesAsync(new ListPatientAccessesRequest { Patient = "Patient/acc-1" });
        Assert.Equal(
            [("patient-record-read", AuditAction.Read, AuditOutcome.Success, "nurse-77", "clinician", "Patient/acc-1/consents"),
             ("use-check", AuditAction.Execute, AuditOutcome.MinorFailure, "device-9", "device", "TechnologyUse/u-1")],
            view.Entries.Select(e => (e.Type, e.Action, e.Outcome, e.Agent.Who, e.Agent.Role, e.Entity.What)));
        Assert.All(view.Entries, e => Assert.Equal(("Patient/acc-1", "/consent"), (e.Patient, e.SourceEventSource)));

        var otherTrust = await fixture.App.GrpcClient<AuditService.AuditServiceClient>("ACC2", "auditor")
            .ListPatientAccessesAsync(new ListPatientAccessesRequest { Patient = "Patient/acc-1" });
        Assert.Empty(otherTrust.Entries);

        var noPatient = await Assert.ThrowsAsync<RpcException>(() => fixture.App.GrpcClient<AuditService.AuditServiceClient>("ACC1", "auditor")
            .ListPatientAccessesAsync(new ListPatientAccessesRequest()).ResponseAsync);
        Assert.Equal((StatusCode.InvalidArgument, "patient.required"), (noPatient.StatusCode, noPatient.Trailers.GetValue("platform-refusal-rule")));
    }

    [Fact]
    public async Task An_access_record_of_an_unknown_kind_is_dead_lettered_not_guessed()
    {
        var odd = Read("Patient/acc-3");
        odd.Kind = "peek";
        Assert.Equal("DROP", await AuditEvents.DeliverAsync(fixture.App, odd, "ACC3", "acc-e5", "/consent"));
        var entries = await fixture.App.GrpcClient<AuditService.AuditServiceClient>("ACC3", "auditor").ListEntriesAsync(new ListEntriesRequest());
        Assert.Empty(entries.Entries);
    }

    private static AccessRecorded Check(string patient, string who, string outcome = "success") => new()
    {
        ActorSubject = who, ActorRole = "device", PurposeOfUse = "TREAT", Patient = patient,
        What = "TechnologyUse/u-9", EntityType = "Consent", Kind = "use-check", Outcome = outcome,
    };

    private static AccessRecordBatch Batch(params (string Id, AccessRecorded Access)[] records)
    {
        var batch = new AccessRecordBatch();
        foreach (var (id, access) in records) batch.Records.Add(new BatchedAccessRecord { RecordId = id, Access = access });
        return batch;
    }

    // ADR 0035: the records of concurrent use checks travel as one event; each is its own entry, under its own id.
    [Fact]
    public async Task A_batch_of_use_checks_enters_each_record_once_with_its_own_actor_patient_and_id_and_a_redelivery_or_a_repeated_record_appends_nothing()
    {
        var (r1, r2, r3, r4) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var first = Batch((r1, Check("Patient/acb-1", "pump-1")), (r2, Check("Patient/acb-2", "pump-2", "denied")), (r3, Check("Patient/acb-1", "pump-3")));
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, first, "ACB1", "acb-e1", "/consent"));
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, first, "ACB1", "acb-e1", "/consent")); // redelivered
        // A later event carrying a record already entered (r3) and a new one (r4): only r4 is appended.
        Assert.Equal("SUCCESS", await AuditEvents.DeliverAsync(fixture.App, Batch((r3, Check("Patient/acb-1", "pump-3")), (r4, Check("Patient/acb-2", "pump-4"))), "ACB1", "acb-e2", "/consent"));

        var auditor = fixture.App.GrpcClient<AuditService.AuditServiceClient>("ACB1", "auditor");
        var entries = (await auditor.ListEntriesAsync(new ListEntriesRequest())).Entries;
        Assert.Equal(
            [("pump-1", "Patient/acb-1", AuditOutcome.Success, r1), ("pump-2", "Patient/acb-2", AuditOutcome.MinorFailure, r2),
             ("pump-3", "Patient/acb-1", AuditOutcome.Success, r3), ("pump-4", "Patient/acb-2", AuditOutcome.Success, r4)],
            entries.OrderBy(e => e.Sequence).Select(e => (e.Agent.Who, e.Patient, e.Outcome, e.SourceEventId)));
        Assert.All(entries, e => Assert.Equal(("use-check", AuditAction.Execute, "device", "/consent"), (e.Type, e.Action, e.Agent.Role, e.SourceEventSource)));
        var patientView = await auditor.ListPatientAccessesAsync(new ListPatientAccessesRequest { Patient = "Patient/acb-1" });
        Assert.Equal(["pump-1", "pump-3"], patientView.Entries.Select(e => e.Agent.Who));
    }

    [Fact]
    public async Task A_batch_with_one_bad_record_is_dead_lettered_whole_and_enters_nothing()
    {
        var odd = Check("Patient/acb-3", "pump-5");
        odd.Kind = "peek";
        var badKind = Batch((Guid.NewGuid().ToString(), Check("Patient/acb-3", "pump-6")), (Guid.NewGuid().ToString(), odd));
        var badId = Batch((Guid.NewGuid().ToString(), Check("Patient/acb-3", "pump-7")), ("", Check("Patient/acb-3", "pump-8")));
        Assert.Equal("DROP", await AuditEvents.DeliverAsync(fixture.App, badKind, "ACB3", "acb-e3", "/consent"));
        Assert.Equal("DROP", await AuditEvents.DeliverAsync(fixture.App, badId, "ACB3", "acb-e4", "/consent"));
        Assert.Equal("DROP", await AuditEvents.DeliverAsync(fixture.App, new AccessRecordBatch(), "ACB3", "acb-e5", "/consent"));
        var entries = await fixture.App.GrpcClient<AuditService.AuditServiceClient>("ACB3", "auditor").ListEntriesAsync(new ListEntriesRequest());
        Assert.Empty(entries.Entries);
    }
}
