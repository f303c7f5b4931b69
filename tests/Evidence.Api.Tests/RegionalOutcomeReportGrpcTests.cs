using Google.Protobuf;
using Grpc.Core;
using Platform.Contracts.Evidence.V1;
using Platform.Evidence.Domain.Tests;
using Platform.Grpc.Interceptors;
using Platform.Testing;
using Xunit;
using Domain = Platform.Evidence.Domain;

namespace Platform.Evidence.Api.Tests;

/// <summary>
/// The region analyst's outcome report (ADR 0034): trusts as the rows of one linked table, suppressed as a whole
/// (ADR 0019), for a region token only; aggregates, never a patient row or a small count, however the cells are combined.
/// </summary>
public class RegionalOutcomeReportGrpcTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    private EvidenceService.EvidenceServiceClient Trust(string tenant, string role = "clinician") => fixture.App.GrpcClient<EvidenceService.EvidenceServiceClient>(tenant, role);

    private EvidenceService.EvidenceServiceClient Region(params string[] roles) =>
        fixture.App.GrpcClientWithToken<EvidenceService.EvidenceServiceClient>(TestTokens.Shared.MintForTrusts([], roles.Length == 0 ? ["region-analyst"] : roles));

    private static GetRegionalOutcomeReportRequest Request(string name) =>
        new() { TechnologyName = name, Instrument = Instrument.Honos, Period = OutcomeReportGrpcTests.PreviousQuarter };

    /// <summary>A patient of <paramref name="tenant"/> under <paramref name="technology"/> whose HoNOS total fell by <paramref name="improvement"/> last quarter.</summary>
    private async Task<string> PatientAsync(string tenant, Guid technology, Sex sex, int improvement, string setting = "acute-adult")
    {
        var use = await MeasurementGrpcTests.AuthorisedUseAsync(fixture.App, tenant, technology.ToString(), setting);
        await Trust(tenant).RecordEqualityProfileAsync(OutcomeReportGrpcTests.Profile(use.PatientKey, sex));
        int[] Ratings(int total) => [.. Enumerable.Range(0, 12).Select(i => i == 7 ? 0 : Math.Min(4, Math.Max(0, total - 4 * (i < 7 ? i : i - 1))))];
        var start = OutcomeReportGrpcTests.PreviousQuarterStart;
        await Trust(tenant).RecordMeasurementAsync(MeasurementGrpcTests.Honos(use, start.AddDays(5), Ratings(20)));
        await Trust(tenant).RecordMeasurementAsync(MeasurementGrpcTests.Honos(use, start.AddDays(40), Ratings(20 - improvement)));
        return use.PatientKey;
    }

    private async Task<List<string>> PatientsAsync(string tenant, Guid technology, Sex sex, int count, int improvement, string setting = "acute-adult")
    {
        var keys = new List<string>();
        for (var i = 0; i < count; i++) keys.Add(await PatientAsync(tenant, technology, sex, improvement, setting));
        return keys;
    }

    /// <summary>The published report as the domain's report type, so the domain tests' attacker can read it (rows keyed by trust).</summary>
    private static Domain.OutcomeReport AsDomain(RegionalOutcomeReport report) => new(Guid.Empty, Domain.Instrument.Honos, report.SuppressionThreshold, report.Trusts,
        report.Breakdowns.Select(b =>
        {
            var definition = Domain.Characteristics.All.Single(d => d.Code == b.Characteristic);
            return new Domain.OutcomeBreakdown(definition.Characteristic, definition.Categories,
                b.Rows.Select(r => new Domain.OutcomeRow(r.OdsCode.Length == 0 ? null : r.OdsCode, r.Cells.Select(Cell).ToList(), Cell(r.Total))).ToList());
        }).ToList(), []);

    private static Domain.OutcomeCell Cell(OutcomeCell c) => c.Suppressed ? Domain.OutcomeCell.Hidden : new Domain.OutcomeCell(c.Patients, c.HasMean ? c.Mean : null);

    [Fact]
    public async Task A_region_analyst_gets_trusts_as_rows_with_no_small_count_shown_or_recoverable_and_no_patient_key()
    {
        var name = $"Regional sensor {Guid.NewGuid():N}";
        // RG1 is large; RG2 has a small male cell; RG3 has fewer patients in all than the threshold. RG3 also registered
        // the name in other letters and outer spaces: the same technology to the region.
        var (rg1, rg2, rg3) = (await ProcurementRegister.RegisterAsync(fixture.App, "RG1", name), await ProcurementRegister.RegisterAsync(fixture.App, "RG2", name),
            await ProcurementRegister.RegisterAsync(fixture.App, "RG3", "  " + name.ToUpperInvariant() + " "));
        var keys = new List<string>();
        keys.AddRange(await PatientsAsync("RG1", rg1, Sex.Female, 8, 10));
        keys.AddRange(await PatientsAsync("RG1", rg1, Sex.Male, 7, 4, setting: "picu"));
        keys.AddRange(await PatientsAsync("RG2", rg2, Sex.Female, 6, 6));
        keys.AddRange(await PatientsAsync("RG2", rg2, Sex.Male, 3, 2));
        keys.AddRange(await PatientsAsync("RG3", rg3, Sex.Female, 2, 9));
        // Another technology in the same trust is not this one.
        await PatientsAsync("RG1", await ProcurementRegister.RegisterAsync(fixture.App, "RG1", name + " Pro"), Sex.Male, 5, 1);

        var report = await Region().GetRegionalOutcomeReportAsync(Request(name));

        Assert.Equal((name, OutcomeReportGrpcTests.PreviousQuarter, 5), (report.TechnologyName, report.Period, report.SuppressionThreshold));
        Assert.Equal(["RG1", "RG2", "RG3"], report.Trusts);
        var sex = report.Breakdowns.Single(b => b.Characteristic == "sex");
        Assert.Equal(["RG1", "RG2", "RG3", ""], sex.Rows.Select(r => r.OdsCode));
        // RG1's row is one row across its two settings, shown as it is (15 patients: 8 female improving 10, 7 male 4).
        var rg1Row = sex.Rows[0];
        Assert.Equal((15, 7.2), (rg1Row.Total.Patients, rg1Row.Total.Mean));
        var cells = report.Breakdowns.SelectMany(b => b.Rows).SelectMany(r => r.Cells.Append(r.Total)).ToList();
        Assert.All(cells.Where(c => c.Suppressed), c => Assert.False(c.HasPatients || c.HasMean));
        Assert.All(cells.Where(c => c.HasPatients), c => Assert.True(c.Patients == 0 || c.Patients >= 5, $"a small count {c.Patients} was shown"));
        Assert.True(sex.Rows[1].Cells[1].Suppressed && sex.Rows[2].Total.Suppressed, "RG2's 3 men and RG3's 2 patients are hidden");

        // Every sum the report implies (rows, the all-trusts row, the trust totals shared by all eleven tables), solved
        // exactly: no hidden count from 1 to 4 can be pinned down.
        var pinned = DisclosureAttacker.Solve(AsDomain(report)).Where(s => s.Value > 0 && s.Value < 5).ToList();
        Assert.True(pinned.Count == 0, "recoverable by difference: " + string.Join(", ", pinned.Select(p => $"{p.Key}={p.Value}")));

        var json = JsonFormatter.Default.Format(report);
        Assert.All(keys, key => Assert.DoesNotContain(key, json));
    }

    [Fact]
    public async Task The_attacker_would_notice_a_small_count_left_to_difference()
    {
        // The check above is worth something only if the attacker finds a count a total gives away: here RG4's 3 men
        // beside its shown total and shown women, as a report that hid only the small cell would publish them.
        var naive = new Domain.OutcomeReport(Guid.Empty, Domain.Instrument.Honos, 5, ["RG4"],
        [
            new(Domain.Characteristic.Sex, Domain.Characteristics.All.Single(d => d.Code == "sex").Categories,
            [
                new("RG4", [new(9, 1.0), Domain.OutcomeCell.Hidden, new(0, null)], new(12, 1.0)),
                new(null, [new(9, 1.0), Domain.OutcomeCell.Hidden, new(0, null)], new(12, 1.0)),
            ]),
        ], []);
        Assert.Contains(DisclosureAttacker.Solve(naive), s => s.Value == 3);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Only_a_region_token_as_region_analyst_reads_it_and_a_region_token_reads_no_trust_method()
    {
        var name = $"Regional sensor {Guid.NewGuid():N}";
        await ProcurementRegister.RegisterAsync(fixture.App, "RG5", name);

        // A trust's token, even one carrying region-analyst, does not read across the region.
        var trust = await Assert.ThrowsAsync<RpcException>(() => Trust("RG5", "region-analyst").GetRegionalOutcomeReportAsync(Request(name)).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, trust.StatusCode);
        Assert.Contains("names no trust", trust.Status.Detail);
        // A region token in another region role.
        var operatorCall = await Assert.ThrowsAsync<RpcException>(() => Region("region-operator").GetRegionalOutcomeReportAsync(Request(name)).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, CallPolicyInterceptor.RoleRequiredRule), (operatorCall.StatusCode, operatorCall.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer)));
        // The region analyst's token reaches no trust's own report or rows.
        var own = await Assert.ThrowsAsync<RpcException>(() => Region().GetOutcomeReportAsync(new GetOutcomeReportRequest
        { TechnologyId = Guid.NewGuid().ToString(), Instrument = Instrument.Honos, Period = OutcomeReportGrpcTests.PreviousQuarter }).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, own.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied,
            (await Assert.ThrowsAsync<RpcException>(() => Region().ListMeasurementsAsync(new ListMeasurementsRequest { UseId = Guid.NewGuid().ToString() }).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task Bad_input_is_refused_naming_the_field_and_a_running_quarter_is_not_reported()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => Region().GetRegionalOutcomeReportAsync(Request("  ")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, missing.StatusCode);
        Assert.Contains("technology_name", missing.Status.Detail);
        var tooLong = await Assert.ThrowsAsync<RpcException>(() => Region().GetRegionalOutcomeReportAsync(Request(new string('x', 201))).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, tooLong.StatusCode);
        var noInstrument = Request("Sensor");
        noInstrument.Instrument = Instrument.Unspecified;
        Assert.Equal(StatusCode.InvalidArgument, (await Assert.ThrowsAsync<RpcException>(() => Region().GetRegionalOutcomeReportAsync(noInstrument).ResponseAsync)).StatusCode);
        var running = Request("Sensor");
        var now = DateTime.UtcNow;
        running.Period = $"{now.Year}-Q{(now.Month - 1) / 3 + 1}";
        Assert.Equal(StatusCode.FailedPrecondition, (await Assert.ThrowsAsync<RpcException>(() => Region().GetRegionalOutcomeReportAsync(running).ResponseAsync)).StatusCode);
    }

    [Fact]
    public async Task A_trust_with_a_higher_threshold_raises_it_for_the_whole_regional_report()
    {
        var name = $"Regional sensor {Guid.NewGuid():N}";
        var (a, b) = (await ProcurementRegister.RegisterAsync(fixture.App, "RG6", name), await ProcurementRegister.RegisterAsync(fixture.App, "RG7", name));
        await PatientsAsync("RG6", a, Sex.Female, 6, 5);
        await PatientsAsync("RG6", a, Sex.Male, 6, 5);
        await PatientsAsync("RG7", b, Sex.Female, 6, 5);
        await PatientsAsync("RG7", b, Sex.Male, 6, 5);
        var policy = await Trust("RG7", "evidence-reviewer").GetOutcomePolicyAsync(new GetOutcomePolicyRequest());
        policy.SuppressionThreshold = 7;
        policy.NoBenefitMinimumPatients = Math.Max(policy.NoBenefitMinimumPatients, 7);
        await Trust("RG7", "trust-admin").SetOutcomePolicyAsync(policy);

        var report = await Region().GetRegionalOutcomeReportAsync(Request(name));

        Assert.Equal(7, report.SuppressionThreshold);
        var sex = report.Breakdowns.Single(b => b.Characteristic == "sex");
        // 6 women in each trust: shown at 5, hidden at RG7's 7, in RG6's row too.
        Assert.True(sex.Rows[0].Cells[0].Suppressed && sex.Rows[1].Cells[0].Suppressed);
        Assert.Equal(12, sex.Rows[2].Cells[0].Patients);
    }
}
