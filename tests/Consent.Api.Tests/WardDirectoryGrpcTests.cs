using System.Net;
using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// The ward's setting is the directory's, not the caller's (issue 17): uses are refused on wards the trust's directory
/// does not hold, a use's setting is its ward's, and a transfer (or a ward's changed setting) suspends exactly the uses
/// not approved for the new setting.
/// </summary>
public sealed class WardDirectoryGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task A_surveillance_technology_approved_for_acute_adult_wards_cannot_be_used_on_a_picu_whatever_setting_the_caller_sends()
    {
        var a = new ConsentClient(fixture.App, "WRD1");
        await a.WardAsync("PICU1", "picu");
        var technology = (await a.ApproveAsync()).TechnologyId; // acute-adult only
        var patient = await a.PatientAsync(AgeBand._26To64, ward: "PICU1");
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);

        var request = ConsentClient.Use(patient, technology, ward: "PICU1");
#pragma warning disable CS0612 // the deprecated field, sent as an old caller would: it must change nothing
        request.SettingCode = ConsentClient.Setting;
#pragma warning restore CS0612
        await a.Refused(c => c.ProposeUseAsync(request), StatusCode.FailedPrecondition, "use.no-approval-for-setting");

        // On the trust's acute ward, written in lower case, the use takes the ward's setting and its normalised code.
        await a.WardAsync("OAK");
        var onOak = await a.Call(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology, ward: " oak ")));
        Assert.Equal(("OAK", ConsentClient.Setting), (onOak.WardCode, onOak.SettingCode));
        var proposed = Assert.Single(await Outbox.PublishedAsync<UseProposed>(fixture.App, "WRD1"), e => e.UseId == onOak.UseId);
        Assert.Equal(("OAK", ConsentClient.Setting, UsePurpose.DirectCareOrTreatment), (proposed.WardCode, proposed.SettingCode, proposed.Purpose));
    }

    [Fact]
    public async Task Uses_are_refused_on_a_ward_not_in_the_trusts_directory_including_another_trusts_ward()
    {
        var a = new ConsentClient(fixture.App, "WRD2");
        var b = new ConsentClient(fixture.App, "WRD3");
        await b.WardAsync("ELSEWHERE");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        foreach (var ward in new[] { "NOPE", "ELSEWHERE" })
            await a.Refused(c => c.ProposeUseAsync(ConsentClient.Use(patient, technology, ward: ward)), StatusCode.NotFound, "ward.not-found");
        await a.Refused(c => c.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = NhsNumbers.Next(), WardCode = "ELSEWHERE", AgeBand = AgeBand._26To64 }),
            StatusCode.NotFound, "ward.not-found");
        Assert.Empty((await a.Call(c => c.ListUsesAsync(new ListUsesRequest { PatientId = patient }))).Uses);
    }

    [Fact]
    public async Task A_transfer_suspends_exactly_the_uses_not_approved_for_the_new_wards_setting_and_a_transfer_back_resumes_them()
    {
        var a = new ConsentClient(fixture.App, "WRD4");
        await a.WardAsync("MAPLE", "picu");
        var everywhere = (await a.ApproveAsync()).TechnologyId;
        await a.Call(c => c.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest { TechnologyId = everywhere, TechnologyName = "ward companion app", SettingCode = "picu", Reason = ConsentClient.OverrideReason }));
        var acuteOnly = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64);
        var other = await a.PatientAsync(AgeBand._26To64);
        foreach (var (p, t) in new[] { (patient, everywhere), (patient, acuteOnly), (other, acuteOnly) })
        {
            await a.HasCapacityAsync(p, t);
            await a.ConsentAsync(p, t);
        }
        var staying = await a.ActiveUseAsync(patient, everywhere);
        var stopping = await a.ActiveUseAsync(patient, acuteOnly);
        var othersUse = await a.ActiveUseAsync(other, acuteOnly);

        var moved = await a.Call(c => c.TransferPatientAsync(new TransferPatientRequest { PatientId = patient, WardCode = "maple" }));
        Assert.Equal(("MAPLE", "picu"), (moved.Patient.WardCode, moved.SettingCode));
        Assert.Equal([stopping.UseId], moved.SuspendedUseIds);
        Assert.Equal(new[] { staying.UseId, stopping.UseId }.Order(), moved.MovedUseIds.Order());

        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, everywhere, ward: "MAPLE")).Decision);
        var denied = await a.CheckAsync(patient, acuteOnly, ward: "MAPLE");
        Assert.Equal(UseCheckDecision.Deny, denied.Decision);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(other, acuteOnly)).Decision); // the other patient's use is untouched

        var suspended = Assert.Single(await Outbox.PublishedAsync<UseSuspended>(fixture.App, "WRD4"));
        Assert.Equal((stopping.UseId, UseSuspensionReason.NotApprovedForWardSetting), (suspended.UseId, suspended.Reason));
        var transferred = Assert.Single(await Outbox.PublishedAsync<PatientTransferred>(fixture.App, "WRD4"));
        Assert.Equal(("OAK", "MAPLE", "picu"), (transferred.FromWardCode, transferred.ToWardCode, transferred.SettingCode));

        var back = await a.Call(c => c.TransferPatientAsync(new TransferPatientRequest { PatientId = patient, WardCode = "OAK" }));
        Assert.Equal([stopping.UseId], back.ResumedUseIds);
        Assert.Equal(UseCheckDecision.Permit, (await a.CheckAsync(patient, acuteOnly)).Decision);

        await a.Refused(c => c.TransferPatientAsync(new TransferPatientRequest { PatientId = patient, WardCode = "NOPE" }), StatusCode.NotFound, "ward.not-found");
        var b = new ConsentClient(fixture.App, "WRD5");
        await b.WardAsync("MAPLE", "picu");
        await b.Refused(c => c.TransferPatientAsync(new TransferPatientRequest { PatientId = patient, WardCode = "MAPLE" }), StatusCode.NotFound, "patient.not-found");
    }

    [Fact]
    public async Task A_ward_whose_setting_changes_in_the_directory_suspends_the_uses_not_approved_for_its_new_setting()
    {
        var a = new ConsentClient(fixture.App, "WRD6");
        var technology = (await a.ApproveAsync()).TechnologyId;
        var patient = await a.PatientAsync(AgeBand._26To64, ward: "CEDAR");
        await a.HasCapacityAsync(patient, technology);
        await a.ConsentAsync(patient, technology);
        var use = await a.ActiveUseAsync(patient, technology, ward: "CEDAR");

        Assert.Equal((HttpStatusCode.OK, "SUCCESS"), await WardDirectoryEvents.ChangeAsync(fixture.App, "WRD6", "CEDAR", "picu"));
        Assert.Equal(UseCheckDecision.Deny, (await a.CheckAsync(patient, technology, ward: "CEDAR")).Decision);
        var suspended = Assert.Single(await Outbox.PublishedAsync<UseSuspended>(fixture.App, "WRD6"));
        Assert.Equal((use.UseId, UseSuspensionReason.NotApprovedForWardSetting), (suspended.UseId, suspended.Reason));

        // A malformed ward can never become valid: the event goes to the dead letters, and nothing changes.
        Assert.Equal((HttpStatusCode.OK, "DROP"), await WardDirectoryEvents.RegisterAsync(fixture.App, "WRD6", "BAD WARD;", "picu"));
    }
}
