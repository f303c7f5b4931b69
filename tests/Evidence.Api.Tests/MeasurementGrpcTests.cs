using System.Net;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.Contracts.Evidence.V1;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Testing;
using Xunit;
using ConsentContracts = Platform.Contracts.Consent.V1;

namespace Platform.Evidence.Api.Tests;

/// <summary>Uses learned from consent's use_authorised, and the outcome measurements clinicians record under them (P8).</summary>
public class MeasurementGrpcTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    private EvidenceService.EvidenceServiceClient As(string tenant, string role = "clinician") => fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>(tenant, role);

    public record Use(string UseId, string PatientKey, string TechnologyId, string SettingCode);

    /// <summary>Consent authorised a use in <paramref name="tenant"/>; delivered as Dapr's sidecar delivers it.</summary>
    public static async Task<(HttpStatusCode Code, string? Status)> AuthoriseAsync(ServiceFactory<Grpc.EvidenceGrpcService> app, string tenant, Use use)
    {
        using var http = app.CreateHttpClient();
        return await SidecarDelivery.PublishAsync(http, new ConsentContracts.UseAuthorised
        {
            UseId = use.UseId, PatientId = use.PatientKey, TechnologyId = use.TechnologyId, WardCode = "OAK", SettingCode = use.SettingCode,
            Actor = new Contracts.Common.V1.Actor { Subject = "clin-1", Role = "clinician" },
        }, tenant, use.UseId);
    }

    public static async Task<Use> AuthorisedUseAsync(ServiceFactory<Grpc.EvidenceGrpcService> app, string tenant, string? technologyId = null, string setting = "acute-adult", string? patientKey = null)
    {
        var use = new Use(Guid.NewGuid().ToString(), patientKey ?? Guid.NewGuid().ToString(), technologyId ?? Guid.NewGuid().ToString(), setting);
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await AuthoriseAsync(app, tenant, use));
        return use;
    }

    public static RecordMeasurementRequest Honos(Use use, DateTime measuredAt, params int[] ratings)
    {
        var request = new RecordMeasurementRequest { UseId = use.UseId, PatientKey = use.PatientKey, MeasuredAt = Timestamp.FromDateTime(measuredAt), Honos = new HonosAnswers() };
        request.Honos.Ratings.AddRange(ratings);
        return request;
    }

    private static DateTime Yesterday => DateTime.UtcNow.Date.AddDays(-1);

    [Fact]
    public async Task Instruments_are_listed_with_their_items_in_the_order_answers_arrive()
    {
        var instruments = (await As("RX3", "ward-manager").ListInstrumentsAsync(new ListInstrumentsRequest())).Instruments;
        Assert.Equal(["honos", "core-10", "reqol-10", "dialog", "patient-experience"], instruments.Select(i => i.Code));
        var honos = instruments[0];
        Assert.Equal((12, 9, 0.0, 48.0, false), (honos.Items.Count, honos.NotKnown, honos.Minimum, honos.Maximum, honos.HigherIsBetter));
        Assert.Equal("Non-accidental self-injury", honos.Items[1].Text);
        Assert.Equal([2, 3], instruments[1].Items.Where(i => i.ReverseScored).Select(i => i.Number));
        Assert.Equal((1, 7), (instruments[3].Items[0].Minimum, instruments[3].Items[0].Maximum));
    }

    [Fact]
    public async Task A_measurement_takes_its_technology_and_setting_from_the_use_and_is_scored_by_the_instrument()
    {
        var use = await AuthorisedUseAsync(fixture.App, "RX3", setting: "psychiatric-icu");
        var recorded = await As("RX3").RecordMeasurementAsync(Honos(use, Yesterday, 2, 1, 0, 0, 1, 3, 2, 0, 1, 9, 0, 1));
        Assert.Equal((use.TechnologyId, "psychiatric-icu", Instrument.Honos, 11.0), (recorded.TechnologyId, recorded.SettingCode, recorded.Instrument, recorded.Headline));
        // Twelve ratings, 9 (not known) left out of the total: 2+1+0+0+1+3+2+0+1+0+1.

        var core10 = new RecordMeasurementRequest { UseId = use.UseId, PatientKey = use.PatientKey, MeasuredAt = Timestamp.FromDateTime(Yesterday.AddHours(1)), Core10 = new Core10Answers() };
        // Nine answers and one left blank: pro-rated, (sum with items 2 and 3 reversed) / 9 * 10.
        core10.Core10.Answers.AddRange(new int?[] { 2, 4, 4, 1, 1, null, 2, 1, 0, 3 }.Select(a => a is { } v ? new OptionalAnswer { Value = v } : new OptionalAnswer()));
        var scored = await As("RX3").RecordMeasurementAsync(core10);
        Assert.Equal(Math.Round(10.0 / 9 * 10, 6), Math.Round(scored.Headline, 6));

        var listed = await As("RX3").ListMeasurementsAsync(new ListMeasurementsRequest { UseId = use.UseId });
        Assert.Equal([recorded.MeasurementId, scored.MeasurementId], listed.Measurements.Select(m => m.MeasurementId));
        Assert.Equal(recorded, listed.Measurements[0]);
        Assert.False(listed.Measurements[1].Core10.Answers[5].HasValue);
    }

    [Fact]
    public async Task Reading_a_uses_measurements_is_recorded_for_the_audit_log_and_the_measurement_event_carries_no_patient_key_or_score()
    {
        const string trust = "RV9";
        var use = await AuthorisedUseAsync(fixture.App, trust);
        var recorded = await As(trust).RecordMeasurementAsync(Honos(use, Yesterday, 4, 4, 4, 4, 4, 4, 4, 0, 4, 4, 4, 4));
        Assert.Empty(await EvidenceOutbox.PublishedRowsAsync<AccessRecorded>(fixture.App, trust));

        await As(trust).ListMeasurementsAsync(new ListMeasurementsRequest { UseId = use.UseId });
        var read = Assert.Single(await EvidenceOutbox.PublishedRowsAsync<AccessRecorded>(fixture.App, trust)).Message;
        Assert.Equal(($"Patient/{use.PatientKey}", "patient-record-read", "clinician", "test-user"), (read.Patient, read.Kind, read.ActorRole, read.ActorSubject));
        Assert.Contains(use.UseId, read.What);

        var (row, measured) = Assert.Single(await EvidenceOutbox.PublishedRowsAsync<MeasurementRecorded>(fixture.App, trust));
        Assert.Equal((recorded.MeasurementId, use.UseId, Instrument.Honos, "test-user"), (measured.MeasurementId, measured.UseId, measured.Instrument, measured.Actor.Subject));
        Assert.DoesNotContain(use.PatientKey, row.Payload);
        Assert.DoesNotContain("ratings", row.Payload);
        Assert.DoesNotContain("headline", row.Payload);
    }

    [Fact]
    public async Task Wrong_answers_a_wrong_patient_or_an_unknown_use_are_refused_by_name_and_nothing_is_recorded()
    {
        var use = await AuthorisedUseAsync(fixture.App, "RX3");
        var outOfRange = await Assert.ThrowsAsync<RpcException>(() => As("RX3").RecordMeasurementAsync(Honos(use, Yesterday, 2, 1, 0, 0, 1, 3, 2, 0, 1, 5, 0, 1)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, outOfRange.StatusCode);
        Assert.Contains("HoNOS item 10", outOfRange.Status.Detail);

        var otherPatient = Honos(use, Yesterday, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        otherPatient.PatientKey = Guid.NewGuid().ToString();
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => As("RX3").RecordMeasurementAsync(otherPatient).ResponseAsync)).StatusCode);

        var noAnswers = new RecordMeasurementRequest { UseId = use.UseId, PatientKey = use.PatientKey, MeasuredAt = Timestamp.FromDateTime(Yesterday) };
        Assert.Contains("Give the instrument's answers", (await Assert.ThrowsAsync<RpcException>(() => As("RX3").RecordMeasurementAsync(noAnswers).ResponseAsync)).Status.Detail);

        var unknown = Honos(use with { UseId = Guid.NewGuid().ToString() }, Yesterday, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => As("RX3").RecordMeasurementAsync(unknown).ResponseAsync)).StatusCode);

        Assert.Empty((await As("RX3").ListMeasurementsAsync(new ListMeasurementsRequest { UseId = use.UseId })).Measurements);
    }

    [Fact]
    public async Task A_use_whose_patient_key_looks_like_an_nhs_number_is_dropped_and_a_redelivered_use_changes_nothing()
    {
        var nhsLike = new Use(Guid.NewGuid().ToString(), "943 476 5919", Guid.NewGuid().ToString(), "acute-adult");
        Assert.Equal((HttpStatusCode.OK, "DROP"), await AuthoriseAsync(fixture.App, "RX3", nhsLike));
        var refused = await Assert.ThrowsAsync<RpcException>(() => As("RX3").RecordMeasurementAsync(Honos(nhsLike, Yesterday, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
        Assert.DoesNotContain("943", refused.Status.Detail);

        var use = await AuthorisedUseAsync(fixture.App, "RX3");
        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await AuthoriseAsync(fixture.App, "RX3", use with { SettingCode = "rehabilitation" }));
        Assert.Equal("acute-adult", (await As("RX3").RecordMeasurementAsync(Honos(use, Yesterday, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))).SettingCode);
    }

    [Fact]
    public async Task Another_trust_can_neither_record_under_nor_read_a_use_of_this_trust()
    {
        var use = await AuthorisedUseAsync(fixture.App, "RX3");
        var recorded = await As("RX3").RecordMeasurementAsync(Honos(use, Yesterday, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));

        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => As("RTQ").RecordMeasurementAsync(Honos(use, Yesterday, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => As("RTQ").ListMeasurementsAsync(new ListMeasurementsRequest { UseId = use.UseId }).ResponseAsync)).StatusCode);
        var id = Guid.Parse(recorded.MeasurementId);
        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "outcome_measurements", id, "RTQ"));
        Assert.Equal(1, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "outcome_measurements", id, "RX3"));
    }
}
