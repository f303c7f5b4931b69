using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Platform.Contracts.Evidence.V1;
using Platform.Evidence.Api.Application;
using Platform.Evidence.Api.Grpc;
using Platform.KnownTrusts;
using Platform.Testing;
using Xunit;
using EvidenceDbContext = Platform.Evidence.Api.Data.EvidenceDbContext;

namespace Platform.Evidence.Api.Tests;

/// <summary>Evidence on a fake clock (1 March 2027: the last ended quarter is 2026-Q4), its flag sweep every six hours of it.</summary>
public sealed class OutcomeFlagSweepFixture : IAsyncLifetime
{
    public static readonly DateTimeOffset Start = new(2027, 3, 1, 9, 0, 0, TimeSpan.Zero);
    public static readonly DateTime QuarterStart = new(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc);
    public const string Quarter = "2026-Q4";
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);

    public FakeTimeProvider Clock { get; } = new(Start);
    public RecordedLogs Logs { get; } = new();
    public ServiceFactory<EvidenceGrpcService> App { get; private set; } = null!;

    public OutcomeFlagSweep Sweep => App.Services.GetRequiredService<OutcomeFlagSweep>();

    public async Task InitializeAsync() => App = await ServiceFactory<EvidenceGrpcService>.StartOnPostgresAsync("evidence",
        new Dictionary<string, string?> { ["Evidence:OutcomeFlagSweep:Interval"] = Interval.ToString() },
        services =>
        {
            services.AddSingleton<TimeProvider>(Clock);
            services.AddSingleton<ILoggerProvider>(Logs);
        });

    public async Task DisposeAsync() => await App.DisposeAsync();
}

/// <summary>Patients under a technology whose HoNOS totals moved within a quarter, recorded as the services record them.</summary>
public static class OutcomeSeed
{
    /// <summary>
    /// A use consent authorised, the patient's profile when <paramref name="profile"/> is given, and two HoNOS measures in
    /// the quarter starting <paramref name="quarterStart"/>: a total of 20, then 20 - <paramref name="improvement"/>.
    /// </summary>
    public static async Task<MeasurementGrpcTests.Use> PatientAsync(ServiceFactory<EvidenceGrpcService> app, string tenant, string technology, DateTime quarterStart,
        int improvement, EqualityProfile? profile = null, string setting = "acute-adult")
    {
        var use = await MeasurementGrpcTests.AuthorisedUseAsync(app, tenant, technology, setting);
        var clinician = app.GrpcClient<EvidenceService.EvidenceServiceClient>(tenant, "clinician");
        if (profile is not null)
        {
            profile.PatientKey = use.PatientKey;
            await clinician.RecordEqualityProfileAsync(profile);
        }
        await clinician.RecordMeasurementAsync(MeasurementGrpcTests.Honos(use, quarterStart.AddDays(5), Ratings(20)));
        await clinician.RecordMeasurementAsync(MeasurementGrpcTests.Honos(use, quarterStart.AddDays(40), Ratings(20 - improvement)));
        return use;
    }

    /// <summary>Twelve HoNOS ratings (item 8's type left out) adding up to <paramref name="total"/>, at most 44.</summary>
    public static int[] Ratings(int total) => [.. Enumerable.Range(0, 12).Select(i => i == 7 ? 0 : Math.Min(4, Math.Max(0, total - 4 * (i < 7 ? i : i - 1))))];

    public static EqualityProfile Profile(Sex sex, YesNoNotStated traumaHistory = YesNoNotStated.NotStated)
    {
        var profile = OutcomeReportGrpcTests.Profile("", sex);
        profile.TraumaHistory = traumaHistory;
        return profile;
    }
}

/// <summary>
/// The outcome flag sweep (P8 to procurement): for each trust, the last ended quarter's report of every technology
/// measured, built as GetOutcomeReport builds it; each new flag stored and published once, from shown cells only.
/// </summary>
public class OutcomeFlagSweepTests(OutcomeFlagSweepFixture fixture) : IClassFixture<OutcomeFlagSweepFixture>
{
    private EvidenceService.EvidenceServiceClient As(string tenant, string role = "evidence-reviewer") => fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>(tenant, role);

    private async Task<List<OutcomeFlag>> FlagsAsync(string tenant, string technology, string role = "evidence-reviewer") =>
        [.. (await As(tenant, role).ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest { TechnologyId = technology })).Flags];

    private async Task<List<OutcomeFlagRaised>> PublishedAsync(string tenant, string technology) =>
        [.. (await EvidenceOutbox.PublishedRowsAsync<OutcomeFlagRaised>(fixture.App, tenant)).Where(p => p.Row.Subject == technology).Select(p => p.Message)];

    private async Task<OutcomeFlagSweepResult> SweepAsync()
    {
        var result = await fixture.Sweep.SweepAsync();
        Assert.Empty(result.FailedTrusts);
        return result;
    }

    [Fact]
    public async Task A_technology_showing_no_improvement_is_flagged_no_benefit_once_and_one_that_improves_is_not()
    {
        const string trust = "RX3";
        var still = (await ProcurementRegister.RegisterAsync(fixture.App, trust, "Bedside mood tablet")).ToString();
        var better = (await ProcurementRegister.RegisterAsync(fixture.App, trust, "Sleep coaching app")).ToString();
        var uses = new List<MeasurementGrpcTests.Use>();
        for (var i = 0; i < 10; i++) uses.Add(await OutcomeSeed.PatientAsync(fixture.App, trust, still, OutcomeFlagSweepFixture.QuarterStart, improvement: 0));
        for (var i = 0; i < 10; i++) uses.Add(await OutcomeSeed.PatientAsync(fixture.App, trust, better, OutcomeFlagSweepFixture.QuarterStart, improvement: 6));

        await SweepAsync();

        // No benefit in the ward setting and across settings: ten patients, no improvement, the trust's margin of 0.
        var flags = await FlagsAsync(trust, still);
        Assert.Equal(
            [(OutcomeFlagKind.NoBenefit, "", 10, 0.0), (OutcomeFlagKind.NoBenefit, "acute-adult", 10, 0.0)],
            flags.Select(f => (f.Kind, f.SettingCode, f.Patients, f.MeanImprovement)).OrderBy(f => f.SettingCode, StringComparer.Ordinal));
        Assert.All(flags, f => Assert.Equal(("honos", OutcomeFlagSweepFixture.Quarter, still, 0.0, ""), (f.Instrument, f.Period, f.TechnologyId, f.Threshold, f.Characteristic)));
        Assert.Empty(await FlagsAsync(trust, better));

        // Published once each, with the stored flag's id, through the outbox; no patient key or use in any of them.
        var published = await PublishedAsync(trust, still);
        Assert.Equal(flags.Select(f => f.FlagId).Order(), published.Select(p => p.FlagId).Order());
        Assert.All(published, p => Assert.Equal(OutcomeFlagKind.NoBenefit, p.Kind));
        Assert.Empty(await PublishedAsync(trust, better));
        var payloads = await fixture.App.InTenantAsync(trust, sp => sp.GetRequiredService<EvidenceDbContext>().Set<Messaging.Outbox.OutboxMessage>().AsNoTracking()
            .Where(m => m.Topic == "evidence.outcome_flag_raised.v1").Select(m => m.Payload).ToListAsync());
        Assert.All(uses, u => Assert.DoesNotContain(payloads, p => p.Contains(u.PatientKey, StringComparison.Ordinal) || p.Contains(u.UseId, StringComparison.Ordinal)));

        // A later sweep raises nothing it raised before.
        fixture.Clock.Advance(TimeSpan.FromHours(1));
        await SweepAsync();
        Assert.Equal(flags, await FlagsAsync(trust, still));
        Assert.Equal(published.Count, (await PublishedAsync(trust, still)).Count);

        // The procurement lead and the trust admin see them too, filtered by kind and quarter; another trust does not.
        var lead = await As(trust, "procurement-lead").ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest
        {
            TechnologyId = still, Period = OutcomeFlagSweepFixture.Quarter, Kind = OutcomeFlagKind.NoBenefit,
        });
        Assert.Equal(flags.Select(f => f.FlagId).Order(), lead.Flags.Select(f => f.FlagId).Order());
        Assert.Empty((await As(trust, "trust-admin").ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest { TechnologyId = still, Kind = OutcomeFlagKind.BenefitDisparity })).Flags);
        Assert.Equal(StatusCode.NotFound, (await Assert.ThrowsAsync<RpcException>(() => FlagsAsync("RTQ", still))).StatusCode);
        Assert.DoesNotContain((await As("RTQ").ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest())).Flags, f => f.TechnologyId == still);
    }

    [Fact]
    public async Task A_list_request_with_a_malformed_technology_or_a_running_quarter_is_refused_naming_the_field()
    {
        var malformed = await Assert.ThrowsAsync<RpcException>(() => As("RX3").ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest { TechnologyId = "tablet" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Contains("Technology id", malformed.Status.Detail);
        var running = await Assert.ThrowsAsync<RpcException>(() => As("RX3").ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest { Period = "2027-Q1" }).ResponseAsync);
        Assert.Equal(StatusCode.FailedPrecondition, running.StatusCode);
        var window = await Assert.ThrowsAsync<RpcException>(() => As("RX3").ListOutcomeFlagsAsync(new ListOutcomeFlagsRequest { Period = "last month" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, window.StatusCode);
        Assert.Contains("Period", window.Status.Detail);
    }

    [Fact]
    public async Task A_benefit_that_differs_between_groups_beyond_the_threshold_is_flagged_naming_both_shown_groups()
    {
        const string trust = "RTQ";
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, trust, "Ward sensory room booking")).ToString();
        for (var i = 0; i < 7; i++) await OutcomeSeed.PatientAsync(fixture.App, trust, technology, OutcomeFlagSweepFixture.QuarterStart, 10, OutcomeSeed.Profile(Sex.Female));
        for (var i = 0; i < 6; i++) await OutcomeSeed.PatientAsync(fixture.App, trust, technology, OutcomeFlagSweepFixture.QuarterStart, 2, OutcomeSeed.Profile(Sex.Male));

        await SweepAsync();

        // Women improved by 10 points, men by 2: 8 apart, beyond the trust's 10% of HoNOS's range of 48 (4.8).
        var flags = await FlagsAsync(trust, technology);
        var disparities = flags.Where(f => f.Kind == OutcomeFlagKind.BenefitDisparity).OrderBy(f => f.SettingCode, StringComparer.Ordinal).ToList();
        Assert.Equal(["", "acute-adult"], disparities.Select(f => f.SettingCode));
        Assert.All(disparities, f =>
        {
            Assert.Equal(("sex", 4.8, OutcomeFlagSweepFixture.Quarter), (f.Characteristic, f.Threshold, f.Period));
            Assert.Equal(new OutcomeGroup { Category = "male", Label = "male", Patients = 6, Mean = 2 }, f.LowerGroup);
            Assert.Equal(new OutcomeGroup { Category = "female", Label = "female", Patients = 7, Mean = 10 }, f.HigherGroup);
        });
        Assert.DoesNotContain(flags, f => f.Kind == OutcomeFlagKind.NoBenefit);
        var published = await PublishedAsync(trust, technology);
        Assert.Equal(disparities.Select(f => f.FlagId).Order(), published.Select(p => p.FlagId).Order());
        Assert.All(published, p => Assert.Equal((disparities[0].LowerGroup, disparities[0].HigherGroup, "sex"), (p.LowerGroup, p.HigherGroup, p.Characteristic)));
    }

    [Fact]
    public async Task A_group_too_small_to_show_is_in_no_flag_while_shown_groups_are_still_compared()
    {
        const string trust = "RX4";
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, trust, "Relapse signature app")).ToString();
        // Three men got 10 points worse: a disparity of 18 points against the women, if their cell could be shown.
        for (var i = 0; i < 10; i++) await OutcomeSeed.PatientAsync(fixture.App, trust, technology, OutcomeFlagSweepFixture.QuarterStart, 12, OutcomeSeed.Profile(Sex.Female, YesNoNotStated.Yes));
        for (var i = 0; i < 10; i++) await OutcomeSeed.PatientAsync(fixture.App, trust, technology, OutcomeFlagSweepFixture.QuarterStart, 4, OutcomeSeed.Profile(Sex.Female, YesNoNotStated.No));
        for (var i = 0; i < 3; i++) await OutcomeSeed.PatientAsync(fixture.App, trust, technology, OutcomeFlagSweepFixture.QuarterStart, -10, OutcomeSeed.Profile(Sex.Male));
        for (var i = 0; i < 20; i++) await OutcomeSeed.PatientAsync(fixture.App, trust, technology, OutcomeFlagSweepFixture.QuarterStart, 8);

        await SweepAsync();

        // The report hides the men's cell (3 of them, under the threshold of 5).
        var report = await As(trust).GetOutcomeReportAsync(new GetOutcomeReportRequest { TechnologyId = technology, Instrument = Instrument.Honos, Period = OutcomeFlagSweepFixture.Quarter });
        var sex = report.Breakdowns.Single(b => b.Characteristic == "sex");
        var male = sex.Categories.Select((c, i) => (c.Code, i)).Single(c => c.Code == "male").i;
        Assert.All(sex.Rows, r => Assert.True(r.Cells[male].Suppressed));

        // Trauma history's groups are shown and differ (12 against 4): flagged. The men are in no flag, by any field.
        var flags = await FlagsAsync(trust, technology);
        Assert.Contains(flags, f => f.Kind == OutcomeFlagKind.BenefitDisparity && f.Characteristic == "trauma-history"
            && f.HigherGroup.Category == "yes" && f.HigherGroup.Patients == 10 && f.LowerGroup.Category == "no");
        Assert.DoesNotContain(flags, f => f.Characteristic == "sex");
        Assert.DoesNotContain(flags, f => f.LowerGroup?.Category == "male" || f.HigherGroup?.Category == "male" || f.LowerGroup?.Patients == 3 || f.Patients == 3);
        var published = await PublishedAsync(trust, technology);
        Assert.Equal(flags.Count, published.Count);
        Assert.DoesNotContain(published, p => p.Characteristic == "sex" || p.LowerGroup?.Category == "male" || p.HigherGroup?.Category == "male");
    }

    [Fact]
    public async Task A_trust_whose_sweep_fails_is_logged_and_the_other_trusts_are_still_swept()
    {
        const string trust = "RV9";
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, trust, "Digital observation board")).ToString();
        for (var i = 0; i < 10; i++) await OutcomeSeed.PatientAsync(fixture.App, trust, technology, OutcomeFlagSweepFixture.QuarterStart, 0);
        // A directory row no tenant scope can take (not an ODS code), swept before RV9.
        const string broken = "0 BAD";
        await AddKnownTrustAsync(broken);
        try
        {
            var result = await fixture.Sweep.SweepAsync();
            Assert.Equal([broken], result.FailedTrusts);
            Assert.Equal(2, (await FlagsAsync(trust, technology)).Count(f => f.Kind == OutcomeFlagKind.NoBenefit));
            Assert.Contains(fixture.Logs.Entries, e => e.Level == LogLevel.Error && e.Category == typeof(OutcomeFlagSweep).FullName
                && e.Message.Contains($"failed for trust {broken}", StringComparison.Ordinal) && e.Exception is not null);
        }
        finally
        {
            await fixture.App.InTenantAsync(trust, sp => sp.GetRequiredService<EvidenceDbContext>().Set<KnownTrust>().Where(t => t.OdsCode == broken).ExecuteDeleteAsync());
        }
    }

    [Fact]
    public async Task The_hosted_sweep_runs_on_the_apps_clock_and_a_cancelled_sweep_raises_nothing()
    {
        const string trust = "GRP1";
        var technology = (await ProcurementRegister.RegisterAsync(fixture.App, trust, "Night-time noise monitor")).ToString();
        for (var i = 0; i < 10; i++) await OutcomeSeed.PatientAsync(fixture.App, trust, technology, OutcomeFlagSweepFixture.QuarterStart, 0);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => fixture.Sweep.SweepAsync(new CancellationToken(canceled: true)));
        Assert.Empty(await FlagsAsync(trust, technology));

        // One interval later on the app's clock the hosted sweep has raised them (waiting on the flags, not on time).
        fixture.Clock.Advance(OutcomeFlagSweepFixture.Interval);
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await FlagsAsync(trust, technology)).Count < 2) await Task.Delay(25, limit.Token);
        Assert.Equal(2, (await PublishedAsync(trust, technology)).Count);
    }

    private Task<int> AddKnownTrustAsync(string odsCode) => fixture.App.InTenantAsync("RV9", sp =>
    {
        var db = sp.GetRequiredService<EvidenceDbContext>();
        db.Set<KnownTrust>().Add(new KnownTrust { OdsCode = odsCode, Name = "A row no tenant scope can take", Active = true, ChangedAt = DateTime.UtcNow });
        return db.SaveChangesAsync();
    });
}
