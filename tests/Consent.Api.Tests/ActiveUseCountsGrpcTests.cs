using Google.Protobuf;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Contracts.Consent.V1;
using Platform.Grpc.Interceptors;
using Platform.Testing;
using Xunit;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Counts of active uses by lawful basis and ward (issue 19, ADR 0040): a trust's staff get their trust's exact
/// counts, with no patient in them and no access record; the region analyst, on a region token only, gets every
/// trust's counts as the rows of linked tables with small counts suppressed (ADR 0019's method), never a row.
/// </summary>
public sealed class ActiveUseCountsGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    /// <summary>
    /// Writes <paramref name="count"/> active uses straight into the trust's table (as many activations would leave
    /// them): the counts read the stored rows, and thousands of uses through the commands would take minutes.
    /// </summary>
    /// <param name="nextReview">The care plan's next review date (none by default); one in the past is overdue.</param>
    internal static Task SeedAsync(ServiceFactory<Program> app, string tenant, string ward, string setting, Domain.LawfulBasisKind basis, int count, Domain.UseStatus status = Domain.UseStatus.Active, DateTime? nextReview = null) =>
        app.InTenantAsync(tenant, async sp =>
        {
            var db = sp.GetRequiredService<ConsentDbContext>();
            var now = DateTime.UtcNow;
            for (var i = 0; i < count; i++)
                db.TechnologyUses.Add(new Domain.TechnologyUse
                {
                    Id = Guid.NewGuid(), PatientId = Guid.NewGuid(), TechnologyId = Guid.NewGuid(), WardCode = ward, SettingCode = setting,
                    Purpose = Domain.UsePurpose.DirectCareOrTreatment, Status = status, LawfulBasisKind = basis, LawfulBasisRecordId = Guid.NewGuid(),
                    CarePlan = new Domain.CarePlanRecord { Id = Guid.NewGuid(), NextReviewDate = nextReview }, ProposedAt = now, ActivatedAt = now,
                });
            return await db.SaveChangesAsync();
        });

    private static int Basis(IEnumerable<LawfulBasisCount> counts, LawfulBasisKind basis) => counts.Single(c => c.LawfulBasis == basis).Uses;

    [Fact]
    public async Task A_ward_manager_counts_the_trusts_active_uses_by_basis_and_ward_with_no_patient_and_no_access_record_and_another_trust_sees_none()
    {
        const string Trust = "CNT1";
        var clinician = new ConsentClient(fixture.App, Trust);
        var manager = new ConsentClient(fixture.App, Trust, "ward-manager");
        var technology = (await clinician.ApproveAsync()).TechnologyId;
        var patients = new List<string>();
        async Task<TechnologyUse> OwnConsentAsync(string ward)
        {
            var patient = await clinician.PatientAsync(AgeBand._26To64, ward);
            patients.Add(patient);
            await clinician.HasCapacityAsync(patient, technology);
            await clinician.ConsentAsync(patient, technology);
            return await clinician.ActiveUseAsync(patient, technology, ward);
        }
        // ELM: three on the patient's own consent, two in their best interests (MCA 2005 s4); ASH: one on own consent.
        for (var i = 0; i < 3; i++) await OwnConsentAsync("ELM");
        for (var i = 0; i < 2; i++)
        {
            var patient = await clinician.PatientAsync(AgeBand._26To64, "ELM");
            patients.Add(patient);
            await clinician.LacksCapacityAsync(patient, technology, at: DateTime.UtcNow.AddDays(-2));
            await clinician.Call(c => c.RecordBestInterestsDecisionAsync(ConsentClient.BestInterests(patient, technology, at: DateTime.UtcNow.AddDays(-2).AddHours(1))));
            await clinician.ActiveUseAsync(patient, technology, "ELM");
        }
        await OwnConsentAsync("ASH");
        // Not active, so not counted: an ended use and a use only proposed.
        var ended = await OwnConsentAsync("ELM");
        await clinician.Call(c => c.EndUseAsync(new EndUseRequest { UseId = ended.UseId, Reason = UseEndReason.NoLongerNeeded }));
        var proposedFor = await clinician.PatientAsync(AgeBand._26To64, "ELM");
        await clinician.Call(c => c.ProposeUseAsync(ConsentClient.Use(proposedFor, technology, "ELM")));
        var accessRecordsBefore = (await Outbox.PublishedAsync<AccessRecorded>(fixture.App, Trust)).Count;

        var all = await manager.Call(c => c.CountActiveUsesAsync(new CountActiveUsesRequest()));

        Assert.Equal(6, all.Uses);
        Assert.Equal((4, 2, 0), (Basis(all.ByLawfulBasis, LawfulBasisKind.OwnConsent), Basis(all.ByLawfulBasis, LawfulBasisKind.BestInterests), Basis(all.ByLawfulBasis, LawfulBasisKind.ProxyConsent)));
        Assert.Equal(5, all.ByLawfulBasis.Count); // every basis, zeros included
        Assert.Equal(["ASH", "ELM"], all.Wards.Select(w => w.WardCode));
        var elm = all.Wards[1];
        Assert.Equal((5, 3, 2, ConsentClient.Setting), (elm.Uses, Basis(elm.ByLawfulBasis, LawfulBasisKind.OwnConsent), Basis(elm.ByLawfulBasis, LawfulBasisKind.BestInterests), elm.SettingCode));
        Assert.Equal((1, 1), (all.Wards[0].Uses, Basis(all.Wards[0].ByLawfulBasis, LawfulBasisKind.OwnConsent)));

        // One ward, named in any case; a ward with no active use answers zeros.
        var one = await manager.Call(c => c.CountActiveUsesAsync(new CountActiveUsesRequest { WardCode = " elm " }));
        Assert.Equal((5, "ELM"), (one.Uses, Assert.Single(one.Wards).WardCode));
        var empty = await manager.Call(c => c.CountActiveUsesAsync(new CountActiveUsesRequest { WardCode = "BIRCH" }));
        Assert.Equal((0, "BIRCH", 0), (empty.Uses, Assert.Single(empty.Wards).WardCode, empty.Wards[0].Uses));

        // Aggregates: no patient id, no use id in the answer, and no access record for a count.
        var json = JsonFormatter.Default.Format(all);
        Assert.All(patients, p => Assert.DoesNotContain(p, json));
        Assert.Equal(accessRecordsBefore, (await Outbox.PublishedAsync<AccessRecorded>(fixture.App, Trust)).Count);

        // Bad input names the field; a clinician counts too; a device does not.
        await manager.Refused(c => c.CountActiveUsesAsync(new CountActiveUsesRequest { WardCode = "no spaces allowed!" }), StatusCode.InvalidArgument, "ward-code.format");
        Assert.Equal(6, (await clinician.Call(c => c.CountActiveUsesAsync(new CountActiveUsesRequest()))).Uses);
        await new ConsentClient(fixture.App, Trust, "device").Refused(c => c.CountActiveUsesAsync(new CountActiveUsesRequest()), StatusCode.PermissionDenied, "role.required");

        // Another trust counts none of them, by any ward.
        var other = new ConsentClient(fixture.App, "CNT2", "ward-manager");
        var theirs = await other.Call(c => c.CountActiveUsesAsync(new CountActiveUsesRequest()));
        Assert.Equal((0, 0), (theirs.Uses, theirs.Wards.Count));
        Assert.Equal(0, (await other.Call(c => c.CountActiveUsesAsync(new CountActiveUsesRequest { WardCode = "ELM" }))).Uses);
    }

    [Fact]
    public async Task Counting_thousands_of_uses_costs_the_same_queries_as_counting_a_few()
    {
        // Counting must not evaluate each use (a query per use, as the ward lists' check column does): the statements
        // a count sends are the same for 30 uses as for 3,000.
        await SeedAsync(fixture.App, "CNT3", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 20);
        await SeedAsync(fixture.App, "CNT3", "ASH", "picu", Domain.LawfulBasisKind.BestInterests, 10);
        await SeedAsync(fixture.App, "CNT4", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 2_000);
        await SeedAsync(fixture.App, "CNT4", "ASH", "picu", Domain.LawfulBasisKind.BestInterests, 1_000);

        async Task<(int Statements, Domain.ActiveUseCounts Counts)> CountAsync(string tenant) =>
            await fixture.App.InTenantAsync(tenant, async sp =>
            {
                var db = sp.GetRequiredService<ConsentDbContext>();
                using var statements = new StatementLog(db);
                var counted = (await sp.GetRequiredService<UseCounts>().TrustAsync(null)).Value;
                return (statements.Count, counted.Counts);
            });

        var few = await CountAsync("CNT3");
        var many = await CountAsync("CNT4");
        Assert.Equal((30, 3_000), (few.Counts.Uses, many.Counts.Uses));
        Assert.Equal((2_000, 1_000), (many.Counts.ByBasis[0], many.Counts.ByBasis[2]));
        Assert.Equal(1, few.Statements);
        Assert.Equal(few.Statements, many.Statements);
    }
}

/// <summary>
/// The region's counts (ADR 0040), in an app of their own so that the trusts are the region's only ones with uses:
/// a region token as region analyst only; trusts as the rows of two linked tables, suppressed together (ADR 0019).
/// </summary>
public sealed class RegionalActiveUseCountsGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    private ConsentService.ConsentServiceClient Region(params string[] roles) =>
        fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(TestTokens.Shared.MintForTrusts([], roles.Length == 0 ? ["region-analyst"] : roles));

    [Fact]
    public async Task The_region_analyst_gets_trusts_as_rows_with_no_small_count_shown_or_left_alone_on_a_line()
    {
        // RGA: large. RGB: a small best-interests cell (3) and a small picu cell (3). RGC: 2 uses in all.
        await fixture.App.KnowTrustsAsync(["RGA", "RGB", "RGC"]);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RGA", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 12);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RGA", "ASH", "picu", Domain.LawfulBasisKind.BestInterests, 6);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RGA", "ASH", "picu", Domain.LawfulBasisKind.ProxyConsent, 5);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RGB", "ELM", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 9);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RGB", "YEW", "picu", Domain.LawfulBasisKind.BestInterests, 3);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RGC", "FIR", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 2);
        // Not active: not counted anywhere.
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RGA", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 4, Domain.UseStatus.Ended);

        // The region reads the day's publication (ADR 0047), taken by the scheduler's run.
        await fixture.App.Services.GetRequiredService<UseCountPublisher>().PublishAsync();
        var counts = await Region().GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest());

        Assert.Equal(5, counts.SuppressionThreshold);
        Assert.Contains("RGA", counts.Trusts);
        Assert.Equal(counts.Trusts.Order(StringComparer.Ordinal), counts.Trusts);
        var byBasis = counts.Tables.Single(t => t.Dimension == "lawful-basis");
        var bySetting = counts.Tables.Single(t => t.Dimension == "setting");
        Assert.Equal(["own-consent", "proxy-consent", "best-interests", "court-order", "mental-health-act-section-63"], byBasis.Categories);
        Assert.Equal(["acute-adult", "picu"], bySetting.Categories);
        RegionalUseCountRow Row(RegionalUseCountTable table, string ods) => table.Rows[counts.Trusts.IndexOf(ods)];
        Assert.Equal([.. counts.Trusts, ""], byBasis.Rows.Select(r => r.OdsCode));

        // Every count shown is the true one (the others are trusts with no active use: zeros).
        var truth = new Dictionary<(string, string), int[]>
        {
            [("lawful-basis", "RGA")] = [12, 5, 6, 0, 0, 23], [("lawful-basis", "RGB")] = [9, 0, 3, 0, 0, 12], [("lawful-basis", "RGC")] = [2, 0, 0, 0, 0, 2],
            [("lawful-basis", "")] = [23, 5, 9, 0, 0, 37],
            [("setting", "RGA")] = [12, 11, 23], [("setting", "RGB")] = [9, 3, 12], [("setting", "RGC")] = [2, 0, 2], [("setting", "")] = [23, 14, 37],
            // No use here has a review date: none is overdue.
            [("review", "RGA")] = [0, 23, 23], [("review", "RGB")] = [0, 12, 12], [("review", "RGC")] = [0, 2, 2], [("review", "")] = [0, 37, 37],
        };
        foreach (var table in counts.Tables)
            foreach (var row in table.Rows)
            {
                var expected = truth.GetValueOrDefault((table.Dimension, row.OdsCode)) ?? new int[table.Categories.Count + 1];
                var shown = row.Cells.Append(row.Total).Select(c => c.Suppressed ? (int?)null : c.Uses).ToList();
                for (var i = 0; i < shown.Count; i++)
                    if (shown[i] is { } value) Assert.True(value == expected[i], $"{table.Dimension} {row.OdsCode} column {i}: shown {value}, true count {expected[i]}");
            }
        // The large trust's total and the region's are shown; the small counts are hidden.
        Assert.Equal(23, Row(byBasis, "RGA").Total.Uses);
        Assert.True(Row(byBasis, "RGB").Cells[2].Suppressed, "RGB's 3 best-interests uses are hidden");
        Assert.True(Row(bySetting, "RGB").Cells[1].Suppressed, "RGB's 3 picu uses are hidden");
        Assert.True(Row(byBasis, "RGC").Total.Suppressed, "RGC's 2 uses are hidden");
        Assert.Equal(37, byBasis.Rows[^1].Total.Uses);

        foreach (var table in counts.Tables)
        {
            var cells = table.Rows.SelectMany(r => r.Cells.Append(r.Total)).ToList();
            Assert.All(cells, c => Assert.True(c.Suppressed ? !c.HasUses : c.HasUses && (c.Uses == 0 || c.Uses >= 5), $"{table.Dimension}: a small count {c.Uses} was shown"));
            // A line (a trust's row with its total, or a column with the all-trusts row) holding one hidden count
            // gives it away by subtraction; none may.
            foreach (var row in table.Rows)
                Assert.NotEqual(1, row.Cells.Append(row.Total).Count(c => c.Suppressed));
            for (var c = 0; c <= table.Categories.Count; c++)
            {
                var column = table.Rows.Select(r => c < table.Categories.Count ? r.Cells[c] : r.Total).ToList();
                Assert.NotEqual(1, column.Count(x => x.Suppressed));
            }
        }
        // The regional tables carry codes and counts only: no ward, no patient.
        var json = JsonFormatter.Default.Format(counts);
        Assert.DoesNotContain("\"ELM\"", json);
        Assert.DoesNotContain("YEW", json);
    }

    [Fact]
    public async Task Only_a_region_token_as_region_analyst_reads_the_regions_counts_and_a_region_token_counts_no_trust()
    {
        // A trust's token, even one carrying region-analyst, does not read across the region.
        var trust = await Assert.ThrowsAsync<RpcException>(() =>
            new ConsentClient(fixture.App, "RX3", "region-analyst").Service.GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest()).ResponseAsync);
        Assert.Equal(StatusCode.PermissionDenied, trust.StatusCode);
        Assert.Contains("names no trust", trust.Status.Detail);
        // A region token in another region role.
        var operatorCall = await Assert.ThrowsAsync<RpcException>(() => Region("region-operator").GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest()).ResponseAsync);
        Assert.Equal((StatusCode.PermissionDenied, CallPolicyInterceptor.RoleRequiredRule), (operatorCall.StatusCode, operatorCall.Trailers.GetValue(CallPolicyInterceptor.RuleTrailer)));
        // The region analyst's token counts no trust's own uses and lists no ward.
        Assert.Equal(StatusCode.PermissionDenied,
            (await Assert.ThrowsAsync<RpcException>(() => Region().CountActiveUsesAsync(new CountActiveUsesRequest()).ResponseAsync)).StatusCode);
        Assert.Equal(StatusCode.PermissionDenied,
            (await Assert.ThrowsAsync<RpcException>(() => Region().ListUsesAsync(new ListUsesRequest { WardCode = "OAK" }).ResponseAsync)).StatusCode);
    }
}

/// <summary>The region's threshold is the strictest trust's (ADR 0019, 0040), in an app of its own so no other test's trust moves it.</summary>
public sealed class RegionalThresholdGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task A_trust_that_raises_its_threshold_raises_it_for_every_trusts_row_and_none_may_set_it_below_5()
    {
        await fixture.App.KnowTrustsAsync(["RGT1", "RGT2"]);
        foreach (var trust in new[] { "RGT1", "RGT2" })
        {
            await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, trust, "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 6);
            await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, trust, "OAK", "acute-adult", Domain.LawfulBasisKind.BestInterests, 6);
        }
        var admin = new ConsentClient(fixture.App, "RGT2", "trust-admin");
        var policy = await admin.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()));
        Assert.Equal(5, policy.SuppressionThreshold);
        policy.SuppressionThreshold = 4;
        await admin.Refused(c => c.SetTrustPolicyAsync(policy), StatusCode.InvalidArgument, "trust-policy.suppression-threshold-range");
        policy.SuppressionThreshold = 7;
        Assert.Equal(7, (await admin.Call(c => c.SetTrustPolicyAsync(policy))).SuppressionThreshold);

        var region = fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(TestTokens.Shared.MintForTrusts([], ["region-analyst"]));
        await fixture.App.Services.GetRequiredService<UseCountPublisher>().PublishAsync();
        var counts = await region.GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest());

        Assert.Equal(7, counts.SuppressionThreshold);
        var byBasis = counts.Tables.Single(t => t.Dimension == "lawful-basis");
        var rgt1 = byBasis.Rows[counts.Trusts.IndexOf("RGT1")];
        // RGT1 kept 5: its six own-consent uses would be shown at 5, and are hidden at RGT2's 7; its total of 12 is not.
        Assert.True(rgt1.Cells[0].Suppressed && rgt1.Cells[2].Suppressed);
        Assert.Equal(12, rgt1.Total.Uses);
        Assert.Equal((12, 12), (byBasis.Rows[^1].Cells[0].Uses, byBasis.Rows[^1].Cells[2].Uses));
    }
}

/// <summary>
/// Overdue reviews across the region (issue 19, ADR 0040's amendment): a third linked table, trusts as rows, overdue or
/// not by the rule of <c>ListOverdueReviews</c> (a next review date set and passed), suppressed with the other two; and
/// each trust's own exact count in <c>CountActiveUses</c>. In an app of its own so these trusts are the only ones with uses.
/// </summary>
public sealed class RegionalOverdueReviewsGrpcTests(ConsentServiceFixture fixture) : IClassFixture<ConsentServiceFixture>
{
    [Fact]
    public async Task Overdue_reviews_are_counted_per_trust_by_the_overdue_list_rule_with_a_small_count_hidden_and_no_trusts_uses_in_anothers_row()
    {
        var past = DateTime.UtcNow.AddDays(-3);
        var future = DateTime.UtcNow.AddDays(30);
        await fixture.App.KnowTrustsAsync(["RVA", "RVB", "RVC"]);
        // RVA: 12 overdue, 9 due later. RVB: 3 overdue (a small count), 6 with no review date set. RVC: 20 overdue, 10 due later.
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RVA", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 12, nextReview: past);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RVA", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 9, nextReview: future);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RVB", "ELM", "picu", Domain.LawfulBasisKind.BestInterests, 3, nextReview: past);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RVB", "ELM", "picu", Domain.LawfulBasisKind.BestInterests, 6);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RVC", "FIR", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 20, nextReview: past);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RVC", "FIR", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 10, nextReview: future);
        // Past their review but not active uses: an ended use is in no list; a suspended one is in ListOverdueReviews
        // but not among the active uses counted, whose totals the review table shares.
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RVA", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 4, Domain.UseStatus.Ended, nextReview: past);
        await ActiveUseCountsGrpcTests.SeedAsync(fixture.App, "RVB", "ELM", "picu", Domain.LawfulBasisKind.BestInterests, 2, Domain.UseStatus.Suspended, nextReview: past);

        // Each trust's own staff: exact counts, the same uses its overdue list shows (less the suspended ones).
        foreach (var (trust, overdue, suspended) in new[] { ("RVA", 12, 0), ("RVB", 3, 2), ("RVC", 20, 0) })
        {
            var manager = new ConsentClient(fixture.App, trust, "ward-manager");
            var own = await manager.Call(c => c.CountActiveUsesAsync(new CountActiveUsesRequest()));
            Assert.Equal(overdue, own.OverdueReviews);
            Assert.Equal(overdue, Assert.Single(own.Wards).OverdueReviews);
            var listed = await manager.Call(c => c.ListOverdueReviewsAsync(new ListOverdueReviewsRequest { PageSize = 100 }));
            Assert.Equal(overdue + suspended, listed.Uses.Count);
            Assert.Equal(overdue, listed.Uses.Count(u => u.Use.Status == UseStatus.Active));
        }

        var region = fixture.App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(TestTokens.Shared.MintForTrusts([], ["region-analyst"]));
        await fixture.App.Services.GetRequiredService<UseCountPublisher>().PublishAsync();
        var counts = await region.GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest());

        var review = counts.Tables.Single(t => t.Dimension == "review");
        Assert.Equal(["overdue", "not-overdue"], review.Categories);
        Assert.Equal([.. counts.Trusts, ""], review.Rows.Select(r => r.OdsCode));
        RegionalUseCountRow Row(string ods) => review.Rows[counts.Trusts.IndexOf(ods)];
        // RVB's 3 overdue reviews are hidden, with whatever else would give them away.
        Assert.True(Row("RVB").Cells[0].Suppressed, "RVB's 3 overdue reviews are hidden");
        Assert.True(Row("RVB").Cells[1].Suppressed, "RVB's other 6 would give the 3 away from its total");
        // RVC's row is its own: 20 and 10, not another trust's uses added in (RVA's 12 would make 32; RVB's 3 23).
        Assert.Equal((20, 10, 30), (Row("RVC").Cells[0].Uses, Row("RVC").Cells[1].Uses, Row("RVC").Total.Uses));
        Assert.Equal(21, Row("RVA").Total.Uses);
        // The all-trusts row: 35 overdue of 60, the same total as the other tables'.
        Assert.Equal((35, 25, 60), (review.Rows[^1].Cells[0].Uses, review.Rows[^1].Cells[1].Uses, review.Rows[^1].Total.Uses));
        Assert.Equal(60, counts.Tables.Single(t => t.Dimension == "lawful-basis").Rows[^1].Total.Uses);

        // Every count shown is true; none from 1 to 4 is shown; no line holds a single hidden count.
        var truth = new Dictionary<string, int[]> { ["RVA"] = [12, 9, 21], ["RVB"] = [3, 6, 9], ["RVC"] = [20, 10, 30], [""] = [35, 25, 60] };
        foreach (var row in review.Rows)
        {
            var expected = truth.GetValueOrDefault(row.OdsCode) ?? [0, 0, 0];
            var shown = row.Cells.Append(row.Total).ToList();
            for (var i = 0; i < shown.Count; i++)
                if (!shown[i].Suppressed) Assert.True(shown[i].Uses == expected[i], $"review {row.OdsCode} column {i}: shown {shown[i].Uses}, true count {expected[i]}");
            Assert.All(shown, c => Assert.True(c.Suppressed || c.Uses == 0 || c.Uses >= 5, $"review {row.OdsCode}: a small count {c.Uses} was shown"));
            Assert.NotEqual(1, shown.Count(c => c.Suppressed));
        }
        for (var c = 0; c <= review.Categories.Count; c++)
            Assert.NotEqual(1, review.Rows.Count(r => (c < review.Categories.Count ? r.Cells[c] : r.Total).Suppressed));
    }
}
