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
}
