using System.Diagnostics;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Messaging.Contracts.Access.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Issue 16: every read of a patient's data and every use check the consent service answers is in the audit log's
/// feed: an AccessRecorded event in its outbox, committed before the answer, naming the caller from the token, the
/// patient by internal key, what was read or checked and the outcome, with no NHS number anywhere in the event. (The
/// audit service's side, the event becoming an entry with that actor, is tests/Audit.Api.Tests/AccessRecordTests.)
/// </summary>
public sealed class AccessRecordTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    /// <summary>What the audit log will be told of one access.</summary>
    private sealed record Seen(string Subject, string Role, string Patient, string Kind, string Outcome, string What, string EntityType, string PurposeOfUse = "TREAT");

    private ConsentService.ConsentServiceClient As(string tenant, string subject, string role) =>
        fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(fixture.App.Tokens.Mint(tenant, [role], subject: subject));

    private static async Task<(string Id, string Nhs)> PatientAsync(ConsentClient clinic, string ward = "OAK")
    {
        await clinic.WardAsync(ward);
        var nhs = NhsNumbers.Next();
        var patient = await clinic.Call(c => c.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = nhs, WardCode = ward, AgeBand = AgeBand._26To64 }));
        return (patient.PatientId, nhs);
    }

    /// <summary>
    /// The trust's access records in the order they were made: a read's own AccessRecorded event, and the records of the
    /// use checks, which go as AccessRecordBatch events (docs/decisions/0035), each record with its own id. None carries
    /// any of <paramref name="nhsNumbers"/>.
    /// </summary>
    private async Task<List<Seen>> AccessesAsync(string tenant, params string[] nhsNumbers) =>
        (await RecordsAsync(tenant, nhsNumbers)).Select(r => r.Seen).ToList();

    /// <summary>As <see cref="AccessesAsync"/>, with the row each record travels in.</summary>
    private async Task<List<(Seen Seen, Guid Row)>> RecordsAsync(string tenant, params string[] nhsNumbers)
    {
        static Seen Of(AccessRecorded m) => new(m.ActorSubject, m.ActorRole, m.Patient, m.Kind, m.Outcome, m.What, m.EntityType, m.PurposeOfUse);
        var records = new List<(long Sequence, Seen Seen, Guid Row)>();
        foreach (var (row, message) in await Outbox.PublishedRowsAsync<AccessRecorded>(fixture.App, tenant))
        {
            // The whole CloudEvent as it will be sent, not only its data.
            Assert.All(nhsNumbers, nhs => Assert.DoesNotContain(nhs, row.Payload, StringComparison.Ordinal));
            Assert.Equal(message.Patient, row.Subject); // one patient's reads are delivered in order
            records.Add((row.Sequence, Of(message), row.Id));
        }
        var ids = new HashSet<string>();
        foreach (var (row, batch) in await Outbox.PublishedRowsAsync<AccessRecordBatch>(fixture.App, tenant))
        {
            Assert.All(nhsNumbers, nhs => Assert.DoesNotContain(nhs, row.Payload, StringComparison.Ordinal));
            Assert.NotEmpty(batch.Records);
            foreach (var record in batch.Records)
            {
                // Each record's own id, what the audit log enters it under: a UUID, none shared with another record.
                Assert.True(Guid.TryParse(record.RecordId, out var id) && id != row.Id && ids.Add(record.RecordId), $"record id '{record.RecordId}' is not a fresh UUID");
                records.Add((row.Sequence, Of(record.Access), row.Id));
            }
        }
        return records.OrderBy(r => r.Sequence).Select(r => (r.Seen, r.Row)).ToList();
    }

    [Fact]
    public async Task Every_use_check_is_recorded_permit_and_deny_with_the_callers_identity_and_a_check_that_decided_nothing_records_nothing()
    {
        const string Trust = "ACR1";
        var clinic = new ConsentClient(fixture.App, Trust);
        var technology = (await clinic.ApproveAsync()).TechnologyId;
        var (patient, nhs) = await PatientAsync(clinic);
        await clinic.HasCapacityAsync(patient, technology);
        await clinic.ConsentAsync(patient, technology);
        var use = await clinic.ActiveUseAsync(patient, technology);
        var device = As(Trust, "bed-sensor-17", "device");
        var otherTechnology = Guid.NewGuid().ToString();

        var permit = await device.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = technology, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment });
        var deny = await device.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = otherTechnology, WardCode = "OAK", Purpose = UsePurpose.PatientSafety });
        Assert.Equal((UseCheckDecision.Permit, UseCheckDecision.Deny), (permit.Decision, deny.Decision));
        // No decision was made: a check without a purpose, and one for a patient this trust does not hold.
        var noPurpose = await Assert.ThrowsAsync<RpcException>(async () => await device.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = technology, WardCode = "OAK" }));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await device.CheckUseAsync(new CheckUseRequest
        {
            PatientId = Guid.NewGuid().ToString(), TechnologyId = technology, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment,
        }));
        Assert.Equal((StatusCode.InvalidArgument, StatusCode.NotFound), (noPurpose.StatusCode, unknown.StatusCode));

        Assert.Equal(
            [new Seen("bed-sensor-17", "device", $"Patient/{patient}", "use-check", "success", $"TechnologyUse/{use.UseId}", "Consent"),
             new Seen("bed-sensor-17", "device", $"Patient/{patient}", "use-check", "denied", $"Technology/{otherTechnology}", "Consent", "PATSFTY")],
            await AccessesAsync(Trust, nhs));
    }

    // The checks' records share commits (a group commit, docs/decisions/0027): many at once still leave one record each.
    [Fact]
    public async Task Concurrent_use_checks_each_leave_exactly_one_record_before_they_answer()
    {
        const string Trust = "ACR7";
        var clinic = new ConsentClient(fixture.App, Trust);
        var technology = (await clinic.ApproveAsync()).TechnologyId;
        var (patient, nhs) = await PatientAsync(clinic);
        await clinic.HasCapacityAsync(patient, technology);
        await clinic.ConsentAsync(patient, technology);
        await clinic.ActiveUseAsync(patient, technology);
        var devices = Enumerable.Range(0, 24).Select(i => As(Trust, $"pump-{i}", "device")).ToList();

        var answers = await Task.WhenAll(devices.Select(async d => (await d.CheckUseAsync(new CheckUseRequest
        {
            PatientId = patient, TechnologyId = technology, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment,
        })).Decision));

        Assert.All(answers, a => Assert.Equal(UseCheckDecision.Permit, a));
        var seen = await AccessesAsync(Trust, nhs);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"pump-{i}").Order(), seen.Select(s => s.Subject).Order());
        Assert.All(seen, s => Assert.Equal(("use-check", "success"), (s.Kind, s.Outcome)));
    }

    [Fact]
    public async Task A_use_check_whose_record_cannot_be_written_is_not_answered_and_says_why()
    {
        const string Trust = "ACR8";
        var clinic = new ConsentClient(fixture.App, Trust);
        var technology = (await clinic.ApproveAsync()).TechnologyId;
        var (patient, nhs) = await PatientAsync(clinic);
        await clinic.HasCapacityAsync(patient, technology);
        await clinic.ConsentAsync(patient, technology);
        await clinic.ActiveUseAsync(patient, technology);
        var device = As(Trust, "bed-sensor-3", "device");
        var check = new CheckUseRequest { PatientId = patient, TechnologyId = technology, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment };

        await OutboxInsertsAsync(allowed: false);
        RpcException refused;
        try
        {
            refused = await Assert.ThrowsAsync<RpcException>(async () => await device.CheckUseAsync(check));
        }
        finally
        {
            await OutboxInsertsAsync(allowed: true);
        }

        Assert.Equal(StatusCode.Unavailable, refused.StatusCode);
        Assert.Contains("access record could not be written", refused.Status.Detail);
        Assert.Empty(await AccessesAsync(Trust, nhs));
        Assert.Equal(UseCheckDecision.Permit, (await device.CheckUseAsync(check)).Decision);
        Assert.Single(await AccessesAsync(Trust, nhs));
    }

    private async Task OutboxInsertsAsync(bool allowed)
    {
        await using var conn = new Npgsql.NpgsqlConnection(fixture.App.Postgres.OwnerConnectionString(fixture.App.Database));
        await conn.OpenAsync();
        var sql = allowed ? $"GRANT INSERT ON outbox_messages TO {Platform.Testing.PostgresServer.AppRole}"
            : $"REVOKE INSERT ON outbox_messages FROM {Platform.Testing.PostgresServer.AppRole}";
        await using var cmd = new Npgsql.NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    [Fact]
    public async Task Reading_a_patient_or_a_page_of_patients_records_one_read_per_patient_shown_and_an_unknown_patient_records_nothing()
    {
        const string Trust = "ACR2";
        var clinic = new ConsentClient(fixture.App, Trust);
        var a = await PatientAsync(clinic, "ROWAN");
        var b = await PatientAsync(clinic, "ROWAN");
        var c = await PatientAsync(clinic, "ROWAN");
        var nurse = As(Trust, "nurse-4411", "clinician");

        Assert.Equal(a.Nhs, (await nurse.GetPatientAsync(new GetPatientRequest { PatientId = a.Id })).NhsNumber);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await nurse.GetPatientAsync(new GetPatientRequest { PatientId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
        var first = await nurse.ListPatientsAsync(new ListPatientsRequest { WardCode = "ROWAN", PageSize = 2 });
        var second = await nurse.ListPatientsAsync(new ListPatientsRequest { WardCode = "ROWAN", PageSize = 2, PageToken = first.NextPageToken });
        Assert.Equal([a.Id, b.Id, c.Id], first.Patients.Concat(second.Patients).Select(p => p.PatientId));
        Assert.Empty((await nurse.ListPatientsAsync(new ListPatientsRequest { WardCode = "ELDER" })).Patients);

        static Seen Read(string id) => new("nurse-4411", "clinician", $"Patient/{id}", "patient-record-read", "success", $"Patient/{id}", "Patient");
        Assert.Equal([Read(a.Id), Read(a.Id), Read(b.Id), Read(c.Id)], await AccessesAsync(Trust, a.Nhs, b.Nhs, c.Nhs));
    }

    [Fact]
    public async Task Reading_a_care_plan_record_records_the_read_and_its_pdf_copy_as_a_second_read()
    {
        const string Trust = "ACR3";
        var clinic = new ConsentClient(fixture.App, Trust);
        var technology = (await clinic.ApproveAsync()).TechnologyId;
        var (patient, nhs) = await PatientAsync(clinic);
        await clinic.HasCapacityAsync(patient, technology);
        await clinic.ConsentAsync(patient, technology);
        var plan = (await clinic.ActiveUseAsync(patient, technology)).CarePlanRecordId;
        var nurse = As(Trust, "nurse-4412", "clinician");

        Assert.Empty((await nurse.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = plan })).PatientCopyPdf);
        Assert.NotEmpty((await nurse.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = plan, IncludePdf = true })).PatientCopyPdf);
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await nurse.GetCarePlanRecordAsync(new GetCarePlanRecordRequest { CarePlanRecordId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        static Seen Read(string patient, string what) => new("nurse-4412", "clinician", $"Patient/{patient}", "patient-record-read", "success", what, "CarePlan");
        Assert.Equal(
            [Read(patient, $"CarePlan/{plan}"), Read(patient, $"CarePlan/{plan}"), Read(patient, $"CarePlan/{plan}/patient-copy.pdf")],
            await AccessesAsync(Trust, nhs));
    }

    [Fact]
    public async Task A_ward_managers_lists_of_uses_overdue_reviews_and_consent_required_record_each_patient_on_the_page_once()
    {
        const string Trust = "ACR4";
        var clinic = new ConsentClient(fixture.App, Trust);
        var technology = (await clinic.ApproveAsync()).TechnologyId;
        var secondTechnology = (await clinic.ApproveAsync()).TechnologyId;
        // Patient a has two uses on the ward (one record for both), b one whose review is overdue, c one on a
        // best-interests decision whose own consent is now due because capacity was regained.
        var a = await PatientAsync(clinic, "ASH");
        await clinic.HasCapacityAsync(a.Id, technology);
        await clinic.ConsentAsync(a.Id, technology);
        await clinic.ActiveUseAsync(a.Id, technology, ward: "ASH");
        await clinic.HasCapacityAsync(a.Id, secondTechnology);
        await clinic.ConsentAsync(a.Id, secondTechnology);
        await clinic.ActiveUseAsync(a.Id, secondTechnology, ward: "ASH");
        var b = await PatientAsync(clinic, "ASH");
        await clinic.HasCapacityAsync(b.Id, technology);
        await clinic.ConsentAsync(b.Id, technology);
        var overdue = await clinic.ActiveUseAsync(b.Id, technology, ward: "ASH");
        await fixture.App.InTenantAsync(Trust, async sp =>
        {
            var db = sp.GetRequiredService<ConsentDbContext>();
            var use = await db.TechnologyUses.SingleAsync(u => u.Id == Guid.Parse(overdue.UseId));
            use.CarePlan.NextReviewDate = DateTime.UtcNow.AddDays(-5);
            await db.SaveChangesAsync();
            sp.GetRequiredService<PatientRecordsStore>().InvalidatePatient(use.PatientId);
            return 0;
        });
        var c = await PatientAsync(clinic, "ASH");
        await clinic.LacksCapacityAsync(c.Id, technology, at: DateTime.UtcNow.AddDays(-2));
        await clinic.Call(x => x.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(c.Id, technology, at: DateTime.UtcNow.AddDays(-2).AddHours(1))));
        await clinic.ActiveUseAsync(c.Id, technology, ward: "ASH");
        await clinic.HasCapacityAsync(c.Id, technology, DateTime.UtcNow.AddMinutes(-5));
        var manager = As(Trust, "ward-manager-3", "ward-manager");

        Assert.Equal(4, (await manager.ListUsesAsync(new ListUsesRequest { WardCode = "ASH" })).Uses.Count);
        Assert.Equal(2, (await manager.ListUsesAsync(new ListUsesRequest { PatientId = a.Id })).Uses.Count);
        Assert.Equal([overdue.UseId], (await manager.ListOverdueReviewsAsync(new ListOverdueReviewsRequest { WardCode = "ASH" })).Uses.Select(u => u.Use.UseId));
        Assert.Equal([c.Id], (await manager.ListConsentRequiredAsync(new ListConsentRequiredRequest { WardCode = "ASH" })).Uses.Select(u => u.Use.PatientId));
        var unknown = await Assert.ThrowsAsync<RpcException>(async () => await manager.ListUsesAsync(new ListUsesRequest { PatientId = Guid.NewGuid().ToString() }));
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);

        static Seen Read(string patient, string view) =>
            new("ward-manager-3", "ward-manager", $"Patient/{patient}", "patient-record-read", "success", $"Patient/{patient}/{view}", "Consent");
        Assert.Equal(
            [Read(a.Id, "uses"), Read(b.Id, "uses"), Read(c.Id, "uses"), Read(a.Id, "uses"), Read(b.Id, "overdue-reviews"), Read(c.Id, "consent-required")],
            await AccessesAsync(Trust, a.Nhs, b.Nhs, c.Nhs));
    }

    [Fact]
    public async Task Moving_a_patient_answers_with_their_record_and_records_that_read_with_the_move()
    {
        const string Trust = "ACR5";
        var clinic = new ConsentClient(fixture.App, Trust);
        var (patient, nhs) = await PatientAsync(clinic, "OAK");
        await clinic.WardAsync("ELM");
        var nurse = As(Trust, "nurse-4413", "clinician");

        Assert.Equal(nhs, (await nurse.TransferPatientAsync(new TransferPatientRequest { PatientId = patient, WardCode = "ELM" })).Patient.NhsNumber);

        Assert.Equal([new Seen("nurse-4413", "clinician", $"Patient/{patient}", "patient-record-read", "success", $"Patient/{patient}", "Patient")],
            await AccessesAsync(Trust, nhs));
    }

    [Fact]
    public async Task A_page_of_patients_commits_all_its_records_in_one_statement_and_a_read_cancelled_before_that_answers_and_records_nothing()
    {
        const string Trust = "ACR6";
        var clinic = new ConsentClient(fixture.App, Trust);
        var patients = new[] { await PatientAsync(clinic, "YEW"), await PatientAsync(clinic, "YEW"), await PatientAsync(clinic, "YEW") };

        // The caller gives up once the patients are read, before the records are committed.
        using var cancel = new CancellationTokenSource();
        var cancelled = await fixture.App.InTenantAsync(Trust, async sp =>
        {
            using var watch = new ReaderWatch(sp.GetRequiredService<ConsentDbContext>(), sql => sql.Contains("patients", StringComparison.Ordinal), cancel.Cancel);
            return await Record.ExceptionAsync(() => sp.GetRequiredService<PatientRegistry>().ListAsync("YEW", 10, null, cancel.Token));
        });
        Assert.IsAssignableFrom<OperationCanceledException>(cancelled);
        Assert.Empty(await AccessesAsync(Trust));

        // Not cancelled: one statement writes outbox rows, and all three records are there after it.
        var statements = await OutboxStatements.DuringAsync(() => fixture.App.InTenantAsync(Trust, sp => sp.GetRequiredService<PatientRegistry>().ListAsync("YEW", 10, null)));
        Assert.Single(statements);
        Assert.Equal(patients.Select(p => $"Patient/{p.Id}"), (await AccessesAsync(Trust, patients.Select(p => p.Nhs).ToArray())).Select(s => s.Patient));
    }

    /// <summary>Calls <paramref name="onClosing"/> when one context's query whose SQL matches has read all its rows (EF's diagnostic events).</summary>
    private sealed class ReaderWatch : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly DbContext _db;
        private readonly Func<string, bool> _matches;
        private readonly Action _onClosing;
        private readonly List<IDisposable> _subscriptions = [];

        public ReaderWatch(DbContext db, Func<string, bool> matches, Action onClosing)
        {
            (_db, _matches, _onClosing) = (db, matches, onClosing);
            lock (_subscriptions) _subscriptions.Add(DiagnosticListener.AllListeners.Subscribe(this));
        }

        public void OnNext(DiagnosticListener listener)
        {
            if (listener.Name == DbLoggerCategory.Name) lock (_subscriptions) _subscriptions.Add(listener.Subscribe(this));
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is DataReaderClosingEventData closing && ReferenceEquals(closing.Context, _db) && _matches(closing.Command.CommandText)) _onClosing();
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose()
        {
            lock (_subscriptions) _subscriptions.ForEach(s => s.Dispose());
        }
    }

    /// <summary>The SQL of every statement writing outbox rows that Npgsql sends within one piece of work (its own trace).</summary>
    private static class OutboxStatements
    {
        private const string SourceName = "Platform.Consent.Api.Tests.AccessRecordTests";
        private static readonly ActivitySource s_source = new(SourceName);

        public static async Task<List<string>> DuringAsync(Func<Task> work)
        {
            var statements = new List<string>();
            ActivityTraceId trace = default;
            using var listener = new ActivityListener
            {
                ShouldListenTo = s => s.Name is "Npgsql" or SourceName,
                // Only this work's trace: other tests' commands run at the same time.
                Sample = (ref ActivityCreationOptions<ActivityContext> o) =>
                    o.Source.Name == SourceName || o.Parent.TraceId == trace ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
                ActivityStopped = a =>
                {
                    if (a.TraceId != trace || a.Source.Name == SourceName) return;
                    var sql = a.GetTagItem("db.query.text") as string ?? a.GetTagItem("db.statement") as string ?? "";
                    if (sql.Contains("outbox_messages", StringComparison.Ordinal)) lock (statements) statements.Add(sql);
                },
            };
            ActivitySource.AddActivityListener(listener);
            using (var root = s_source.StartActivity("work") ?? throw new InvalidOperationException("The test's activity was not sampled."))
            {
                trace = root.TraceId;
                await work();
            }
            lock (statements) return [.. statements];
        }
    }
}
