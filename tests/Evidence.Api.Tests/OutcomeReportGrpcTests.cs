using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Evidence.V1;
using Xunit;
using EvidenceDbContext = Platform.Evidence.Api.Data.EvidenceDbContext;

namespace Platform.Evidence.Api.Tests;

/// <summary>Equality profiles, the outcome policy and the suppressed outcome report (P8, ADR 0019) over gRPC.</summary>
public class OutcomeReportGrpcTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    private EvidenceService.EvidenceServiceClient As(string tenant, string role = "clinician") => fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>(tenant, role);

    private static readonly DateTime s_quarterStart = new(DateTime.UtcNow.Year, (DateTime.UtcNow.Month - 1) / 3 * 3 + 1, 1, 0, 0, 0, DateTimeKind.Utc);

    /// <summary>The last quarter that has ended, which a report may cover.</summary>
    public static readonly DateTime PreviousQuarterStart = s_quarterStart.AddMonths(-3);
    public static string PreviousQuarter => $"{PreviousQuarterStart.Year}-Q{(PreviousQuarterStart.Month - 1) / 3 + 1}";
    private static string CurrentQuarter => $"{s_quarterStart.Year}-Q{(s_quarterStart.Month - 1) / 3 + 1}";

    public static EqualityProfile Profile(string key, Sex sex) => new()
    {
        PatientKey = key, Age = AgeGroup.Aged26To64, Disability = DisabilityStatus.NotStated, GenderReassignment = GenderIdentityStatus.NotStated,
        MarriageOrCivilPartnership = MarriageOrCivilPartnership.NotStated, PregnancyOrMaternity = PregnancyOrMaternity.NotStated,
        EthnicGroup = EthnicGroup.NotStated, ReligionOrBelief = ReligionOrBelief.NotStated, Sex = sex, SexualOrientation = SexualOrientation.NotStated,
        TraumaHistory = YesNoNotStated.NotStated, Paranoia = YesNoNotStated.NotStated,
    };

    /// <summary>A patient under the technology in <paramref name="setting"/> whose HoNOS total fell from 20 to 20 - improvement in the last quarter.</summary>
    private async Task PatientAsync(string tenant, string technology, string setting, Sex? sex, int improvement)
    {
        var use = await MeasurementGrpcTests.AuthorisedUseAsync(fixture.App, tenant, technology, setting);
        if (sex is { } s) await As(tenant).RecordEqualityProfileAsync(Profile(use.PatientKey, s));
        int[] Ratings(int total) => [.. Enumerable.Range(0, 12).Select(i => i == 7 ? 0 : Math.Min(4, Math.Max(0, total - 4 * (i < 7 ? i : i - 1))))];
        await As(tenant).RecordMeasurementAsync(MeasurementGrpcTests.Honos(use, PreviousQuarterStart.AddDays(5), Ratings(20)));
        await As(tenant).RecordMeasurementAsync(MeasurementGrpcTests.Honos(use, PreviousQuarterStart.AddDays(40), Ratings(20 - improvement)));
    }

    private Task<OutcomeReport> ReportAsync(string tenant, string technology, string role = "ward-manager") =>
        As(tenant, role).GetOutcomeReportAsync(new GetOutcomeReportRequest { TechnologyId = technology, Instrument = Instrument.Honos, Period = PreviousQuarter }).ResponseAsync;

    private static OutcomeRow AllSettings(OutcomeReport report, string characteristic) => report.Breakdowns.Single(b => b.Characteristic == characteristic).Rows.Single(r => r.SettingCode == "");

    [Fact]
    public async Task Small_cells_are_suppressed_with_no_count_and_no_mean_and_enough_others_that_none_can_be_worked_out()
    {
        const string trust = "RX3";
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, trust)).ToString();
        for (var i = 0; i < 7; i++) await PatientAsync(trust, technology, "acute-adult", Sex.Female, 10);
        for (var i = 0; i < 6; i++) await PatientAsync(trust, technology, "acute-adult", Sex.Male, 4);
        for (var i = 0; i < 2; i++) await PatientAsync(trust, technology, "acute-adult", sex: null, 8);

        var report = await ReportAsync(trust, technology);
        Assert.Equal((PreviousQuarter, 5), (report.Period, report.SuppressionThreshold));
        Assert.Equal(["acute-adult"], report.Settings);
        var sex = report.Breakdowns.Single(b => b.Characteristic == "sex");
        Assert.Equal(["female", "male", "not-stated"], sex.Categories.Select(c => c.Code));
        var all = AllSettings(report, "sex");
        // Shown cells carry their true count and mean improvement (which of them is hidden besides is the method's choice).
        var expected = new[] { (7, 10.0), (6, 4.0) };
        for (var c = 0; c < 2; c++)
            if (!all.Cells[c].Suppressed) Assert.Equal(expected[c], (all.Cells[c].Patients, all.Cells[c].Mean));
        if (!all.Total.Suppressed) Assert.Equal((15, 7.33), (all.Total.Patients, all.Total.Mean));
        var hidden = all.Cells[2];
        Assert.True(hidden.Suppressed);
        Assert.False(hidden.HasPatients || hidden.HasMean);
        // With the total shown, 15 - 7 - 6 would give the hidden 2 away: another cell of its line is hidden too.
        Assert.True(all.Cells.Append(all.Total).Count(c => c.Suppressed) >= 2, "a lone hidden cell could be worked out from its line");
        Assert.All(report.Breakdowns.SelectMany(b => b.Rows).SelectMany(r => r.Cells.Append(r.Total)).Where(c => c.Suppressed), c => Assert.False(c.HasPatients || c.HasMean));
        Assert.All(report.Breakdowns.SelectMany(b => b.Rows).SelectMany(r => r.Cells.Append(r.Total)).Where(c => c.HasPatients), c => Assert.True(c.Patients == 0 || c.Patients >= 5));
    }

    [Fact]
    public async Task A_report_is_only_for_a_quarter_that_has_ended_and_only_for_this_trusts_technology()
    {
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, "RV9")).ToString();
        var running = await Assert.ThrowsAsync<RpcException>(() => As("RV9").GetOutcomeReportAsync(new GetOutcomeReportRequest { TechnologyId = technology, Instrument = Instrument.Honos, Period = CurrentQuarter }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, running.StatusCode);
        var window = await Assert.ThrowsAsync<RpcException>(() => As("RV9").GetOutcomeReportAsync(new GetOutcomeReportRequest { TechnologyId = technology, Instrument = Instrument.Honos, Period = "2026-03-01..2026-03-15" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, window.StatusCode);
        Assert.Contains("calendar quarter", window.Status.Detail);
        var theirs = await Assert.ThrowsAsync<RpcException>(() => ReportAsync("RTQ", technology));
        Assert.Equal(StatusCode.NotFound, theirs.StatusCode);
        Assert.Empty((await ReportAsync("RV9", technology, "procurement-lead")).Settings);
    }

    [Fact]
    public async Task An_equality_profile_is_replaced_not_duplicated_and_a_missing_answer_or_an_nhs_number_is_refused()
    {
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, "RW1")).ToString();
        var key = (await MeasurementGrpcTests.AuthorisedUseAsync(fixture.App, "RW1", technology, "acute-adult")).PatientKey;
        await As("RW1").RecordEqualityProfileAsync(Profile(key, Sex.Female));
        var replaced = await As("RW1").RecordEqualityProfileAsync(Profile(key, Sex.NotStated));
        Assert.Equal(Sex.NotStated, replaced.Sex);
        Assert.Equal((1, Sex.NotStated.ToString()), await fixture.App.InTenantAsync("RW1", async sp =>
        {
            var rows = await sp.GetRequiredService<EvidenceDbContext>().EqualityProfiles.AsNoTracking().Where(p => p.PatientKey == key).ToListAsync();
            return (rows.Count, rows.Single().Sex.ToString());
        }));

        var unanswered = Profile(Guid.NewGuid().ToString(), Sex.Male);
        unanswered.EthnicGroup = EthnicGroup.Unspecified;
        var missing = await Assert.ThrowsAsync<RpcException>(() => As("RW1").RecordEqualityProfileAsync(unanswered).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains("Ethnic group", missing.Status.Detail);
        var nhs = await Assert.ThrowsAsync<RpcException>(() => As("RW1").RecordEqualityProfileAsync(Profile("4010232137", Sex.Male)).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, nhs.StatusCode);
        Assert.Contains("NHS number", nhs.Status.Detail);
    }

    [Fact]
    public async Task A_profile_for_a_patient_key_no_use_of_the_trust_carries_is_not_found_and_writes_nothing()
    {
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, "RW2")).ToString();
        var theirs = (await MeasurementGrpcTests.AuthorisedUseAsync(fixture.App, "RW2", technology, "acute-adult")).PatientKey;
        foreach (var key in new[] { Guid.NewGuid().ToString(), theirs })
        {
            var unknown = await Assert.ThrowsAsync<RpcException>(() => As("RW1").RecordEqualityProfileAsync(Profile(key, Sex.Female)).ResponseAsync);
            Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("patient_key", unknown.Status.Detail);
        }
        Assert.Equal(0, await fixture.App.InTenantAsync("RW1", sp => sp.GetRequiredService<EvidenceDbContext>().EqualityProfiles.CountAsync(p => p.PatientKey == theirs)));
        Assert.Equal(0, await fixture.App.InTenantAsync("RW2", sp => sp.GetRequiredService<EvidenceDbContext>().EqualityProfiles.CountAsync(p => p.PatientKey == theirs)));
    }

    [Fact]
    public async Task The_trust_admin_raises_the_threshold_never_below_five_and_the_report_follows_it()
    {
        const string trust = "RX4";
        Assert.Equal(5, (await As(trust, "evidence-reviewer").GetOutcomePolicyAsync(new GetOutcomePolicyRequest())).SuppressionThreshold);
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, trust)).ToString();
        for (var i = 0; i < 7; i++) await PatientAsync(trust, technology, "acute-adult", Sex.Female, 6);
        for (var i = 0; i < 7; i++) await PatientAsync(trust, technology, "acute-adult", Sex.Male, 6);
        Assert.Equal(7, AllSettings(await ReportAsync(trust, technology), "sex").Cells[0].Patients);

        var policy = await As(trust, "evidence-reviewer").GetOutcomePolicyAsync(new GetOutcomePolicyRequest());
        policy.SuppressionThreshold = 4;
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => As(trust, "trust-admin").SetOutcomePolicyAsync(policy).ResponseAsync)).StatusCode);
        policy.SuppressionThreshold = 8;
        policy.NoBenefitMinimumPatients = 10;
        Assert.Equal(policy, await As(trust, "trust-admin").SetOutcomePolicyAsync(policy));
        var raised = AllSettings(await ReportAsync(trust, technology), "sex");
        Assert.True(raised.Cells[0].Suppressed && raised.Cells[1].Suppressed);
        Assert.Equal(14, raised.Total.Patients);
    }
}
