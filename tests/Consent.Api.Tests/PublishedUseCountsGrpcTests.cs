using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Testing;
using Xunit;
using Domain = Platform.Consent.Domain;

namespace Platform.Consent.Api.Tests;

/// <summary>
/// Consent on a fake clock with its schedules off, so each test publishes by hand at the instant it chooses. Each test
/// class gets its own (a publication is the region's, one per date: two classes' trusts would share it).
/// </summary>
public sealed class PublishedUseCountsFixture : IAsyncLifetime
{
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2027, 1, 11, 9, 0, 0, TimeSpan.Zero));
    public ServiceFactory<Program> App { get; private set; } = null!;

    public UseCountPublisher Publisher => App.Services.GetRequiredService<UseCountPublisher>();

    public async Task InitializeAsync() => App = await ServiceFactory<Program>.StartOnPostgresAsync("consent",
        new Dictionary<string, string?> { ["Consent:Schedules:Enabled"] = "false" },
        services => services.AddSingleton<TimeProvider>(Clock));

    public async Task DisposeAsync() => await App.DisposeAsync();

    public ConsentService.ConsentServiceClient Region() =>
        App.GrpcClientWithToken<ConsentService.ConsentServiceClient>(TestTokens.Shared.MintForTrusts([], ["region-analyst"]));

    public Task<RegionalActiveUseCounts> RegionAsync(string asAt = "") =>
        Region().GetRegionalActiveUseCountsAsync(new GetRegionalActiveUseCountsRequest { AsAt = asAt }).ResponseAsync;

    public async Task<RpcException> RefusedAsync(string asAt, StatusCode code, string rule)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => RegionAsync(asAt));
        Assert.Equal((code, rule), (error.StatusCode, error.Trailers.GetValue(Platform.Grpc.RefusalStatus.RuleTrailer)));
        return error;
    }

    /// <summary>Ends <paramref name="count"/> of the trust's active uses on a ward, as ending them through the commands would leave them.</summary>
    public Task EndUsesAsync(string tenant, string ward, int count) => App.InTenantAsync(tenant, async sp =>
    {
        var db = sp.GetRequiredService<ConsentDbContext>();
        var uses = db.TechnologyUses.Where(u => u.WardCode == ward && u.Status == Domain.UseStatus.Active).Take(count).ToList();
        foreach (var use in uses) use.Status = Domain.UseStatus.Ended;
        return await db.SaveChangesAsync();
    });

    public async Task<long> ScalarAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(App.Postgres.SuperuserConnectionString(App.Database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(App.Postgres.SuperuserConnectionString(App.Database));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>The shown count of a trust's row (or the all-trusts row, ods ""), column <paramref name="column"/> (the total when -1); null when hidden.</summary>
    public static int? Shown(RegionalActiveUseCounts counts, string dimension, string ods, int column = -1)
    {
        var table = counts.Tables.Single(t => t.Dimension == dimension);
        var row = table.Rows.Single(r => r.OdsCode == ods);
        var cell = column < 0 ? row.Total : row.Cells[column];
        return cell.Suppressed ? null : cell.Uses;
    }
}

/// <summary>
/// The region's counts are published for fixed dates, not counted "as at now" (issue 19; ADR 0047, closing ADR 0019's
/// limit "differences over time are not prevented by cell suppression: the API must publish for fixed reporting
/// periods (or as at fixed dates)"). Two calls a minute apart, around one patient's change, must give the same
/// figures: the change shows only in the next day's publication.
/// </summary>
public sealed class PublishedUseCountsGrpcTests(PublishedUseCountsFixture fixture) : IClassFixture<PublishedUseCountsFixture>
{
    [Fact]
    public async Task A_change_shows_only_in_the_next_days_publication_and_every_call_the_same_day_gives_the_same_figures()
    {
        var app = fixture.App;
        await app.KnowTrustsAsync(["PUA", "PUB", "PUC"]);
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PUA", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 12);
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PUA", "ASH", "picu", Domain.LawfulBasisKind.BestInterests, 6);
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PUB", "ELM", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 9);
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PUB", "YEW", "picu", Domain.LawfulBasisKind.BestInterests, 7);
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PUC", "FIR", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 10);
        // Reviews due at 06:00 on the 11th: not overdue as at the 11th's 00:00, though the counts are taken at 09:00.
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PUC", "FIR", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 5, nextReview: new DateTime(2027, 1, 11, 6, 0, 0, DateTimeKind.Utc));

        // Nothing published yet: the region gets no live count in its place.
        await fixture.RefusedAsync("", StatusCode.NotFound, "as-at.none-published");

        var run = await fixture.Publisher.PublishAsync();
        Assert.Equal((new DateOnly(2027, 1, 11), true), (run.AsAt, run.Published));
        Assert.Empty(run.FailedTrusts);

        var first = await fixture.RegionAsync();
        Assert.Equal("2027-01-11", first.AsAt);
        Assert.Equal(new DateTime(2027, 1, 11, 9, 0, 0, DateTimeKind.Utc), first.CountedAt.ToDateTime());
        Assert.Equal((12, 6, 18), (PublishedUseCountsFixture.Shown(first, "lawful-basis", "PUA", 0), PublishedUseCountsFixture.Shown(first, "lawful-basis", "PUA", 2), PublishedUseCountsFixture.Shown(first, "lawful-basis", "PUA")));
        Assert.Equal(16, PublishedUseCountsFixture.Shown(first, "lawful-basis", "PUB"));
        Assert.Equal((0, 15), (PublishedUseCountsFixture.Shown(first, "review", "PUC", 0), PublishedUseCountsFixture.Shown(first, "review", "PUC", 1)));

        // One patient's use at PUA ends and one at PUB begins, a minute later.
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));
        await fixture.EndUsesAsync("PUA", "OAK", 1);
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PUB", "YEW", "picu", Domain.LawfulBasisKind.BestInterests, 1);
        // The trust's own staff see it at once: their counts stay live and exact (they may list the same uses).
        var own = await new ConsentClient(app, "PUA", "ward-manager").Call(c => c.CountActiveUsesAsync(new CountActiveUsesRequest()));
        Assert.Equal(17, own.Uses);

        // The region sees the same figures all day, by default and by naming the date, and a rerun of the day's
        // publication changes nothing.
        var second = await fixture.RegionAsync();
        Assert.Equal(first, second);
        fixture.Clock.Advance(TimeSpan.FromHours(14));
        var rerun = await fixture.Publisher.PublishAsync();
        Assert.Equal((0, true), (rerun.TrustsRecorded, rerun.Published));
        Assert.Equal(first, await fixture.RegionAsync());
        Assert.Equal(first, await fixture.RegionAsync("2027-01-11"));

        // Past midnight, before the next publication: still the 11th's figures, and the 12th is not published yet.
        fixture.Clock.SetUtcNow(new DateTimeOffset(2027, 1, 12, 0, 0, 30, TimeSpan.Zero));
        Assert.Equal(first, await fixture.RegionAsync());
        await fixture.RefusedAsync("2027-01-12", StatusCode.NotFound, "as-at.not-published");

        // The 12th's publication carries the change, and the reviews due on the 11th are overdue as at its 00:00.
        fixture.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.True((await fixture.Publisher.PublishAsync()).Published);
        var next = await fixture.RegionAsync();
        Assert.Equal("2027-01-12", next.AsAt);
        Assert.Equal((11, 17), (PublishedUseCountsFixture.Shown(next, "lawful-basis", "PUA", 0), PublishedUseCountsFixture.Shown(next, "lawful-basis", "PUA")));
        Assert.Equal(17, PublishedUseCountsFixture.Shown(next, "lawful-basis", "PUB"));
        Assert.Equal((5, 10), (PublishedUseCountsFixture.Shown(next, "review", "PUC", 0), PublishedUseCountsFixture.Shown(next, "review", "PUC", 1)));
        // The 11th still answers as it did.
        Assert.Equal(first, await fixture.RegionAsync("2027-01-11"));
    }

    [Fact]
    public async Task A_date_that_is_not_a_calendar_date_is_invalid_argument_naming_as_at()
    {
        // A time, a window, a day out of range, another format: only a published day may be named, no other slicing.
        foreach (var bad in new[] { "2027-01-11T00:00:00Z", "2027-01-01/2027-01-31", "2027-02-30", "11/01/2027", "yesterday" })
        {
            var error = await fixture.RefusedAsync(bad, StatusCode.InvalidArgument, "as-at.not-a-date");
            Assert.Equal("as_at", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
        }
    }
}

/// <summary>
/// The daily publication as a scheduled job (ADR 0047): once per trust and date however often and on however many
/// replicas it runs; a trust that fails holds the date back (never published with a trust missing) and is retried;
/// a day with no run is left missing. Its own app and clock.
/// </summary>
public sealed class UseCountPublicationSweepTests(PublishedUseCountsFixture fixture) : IClassFixture<PublishedUseCountsFixture>
{
    private async Task<long> RowsAsync(string asAt) => await fixture.ScalarAsync($"SELECT count(*) FROM published_use_counts WHERE as_at = DATE '{asAt}'");

    private async Task<long> DuplicatesAsync() =>
        await fixture.ScalarAsync("SELECT count(*) FROM (SELECT tenant_id, as_at FROM published_use_counts GROUP BY tenant_id, as_at HAVING count(*) > 1) d");

    [Fact]
    public async Task Publication_records_each_trust_once_per_day_holds_a_failing_trusts_day_back_until_it_is_recorded_and_leaves_a_missed_day_missing()
    {
        var app = fixture.App;
        fixture.Clock.SetUtcNow(new DateTimeOffset(2027, 2, 1, 0, 3, 0, TimeSpan.Zero));
        await app.KnowTrustsAsync(["PSA", "PSB"]);
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PSA", "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 10);
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PSB", "ELM", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 8);
        var trusts = (int)await fixture.ScalarAsync("SELECT count(*) FROM known_trusts WHERE active");

        // PSB's rows cannot be read (a stored basis no longer known): its counts fail; PSA's are recorded; the date is
        // not published, so the region is not shown a day with PSB silently missing.
        await fixture.ExecuteAsync("UPDATE technology_uses SET lawful_basis_kind = 'NotABasis' WHERE id = (SELECT id FROM technology_uses WHERE tenant_id = 'PSB' LIMIT 1)");
        var failed = await fixture.Publisher.PublishAsync();
        await fixture.RefusedAsync("", StatusCode.NotFound, "as-at.none-published");
        await fixture.RefusedAsync("2027-02-01", StatusCode.NotFound, "as-at.not-published");
        Assert.Equal(["PSB"], failed.FailedTrusts);
        Assert.False(failed.Published);
        Assert.Equal(trusts - 1, failed.TrustsRecorded);

        // Mended, the next run records PSB alone (the others are not taken again) and publishes the date.
        await fixture.ExecuteAsync("UPDATE technology_uses SET lawful_basis_kind = 'OwnConsent' WHERE lawful_basis_kind = 'NotABasis'");
        fixture.Clock.Advance(TimeSpan.FromMinutes(5));
        var mended = await fixture.Publisher.PublishAsync();
        Assert.Equal((1, true), (mended.TrustsRecorded, mended.Published));
        var published = await fixture.RegionAsync();
        Assert.Equal("2027-02-01", published.AsAt);
        Assert.Equal((10, 8), (PublishedUseCountsFixture.Shown(published, "lawful-basis", "PSA"), PublishedUseCountsFixture.Shown(published, "lawful-basis", "PSB")));
        // PSA's row was taken by the first run (00:03), PSB's by the second (00:08): counted_at is the latest.
        Assert.Equal(new DateTime(2027, 2, 1, 0, 8, 0, DateTimeKind.Utc), published.CountedAt.ToDateTime());

        // Reruns and a second replica's run the same day record nothing.
        Assert.Equal(0, (await fixture.Publisher.PublishAsync()).TrustsRecorded);
        Assert.Equal(0, (await ActivatorUtilities.CreateInstance<UseCountPublisher>(app.Services).PublishAsync()).TrustsRecorded);
        Assert.Equal(trusts, await RowsAsync("2027-02-01"));

        // Two replicas at once on the next day: between them each trust is recorded once, and the date published once.
        fixture.Clock.SetUtcNow(new DateTimeOffset(2027, 2, 2, 0, 1, 0, TimeSpan.Zero));
        var replicas = await Task.WhenAll(fixture.Publisher.PublishAsync(), ActivatorUtilities.CreateInstance<UseCountPublisher>(app.Services).PublishAsync());
        Assert.All(replicas, r => Assert.True(r.Published && r.FailedTrusts.Count == 0));
        Assert.Equal(trusts, replicas.Sum(r => r.TrustsRecorded));
        Assert.Equal(trusts, await RowsAsync("2027-02-02"));
        Assert.Equal(0, await DuplicatesAsync());
        Assert.Equal(2, await fixture.ScalarAsync("SELECT count(*) FROM use_count_publications"));

        // No run on the 3rd (the service down all day): the 3rd stays missing, not filled with the 4th's state.
        fixture.Clock.SetUtcNow(new DateTimeOffset(2027, 2, 4, 0, 2, 0, TimeSpan.Zero));
        Assert.Equal(new DateOnly(2027, 2, 4), (await fixture.Publisher.PublishAsync()).AsAt);
        Assert.Equal("2027-02-04", (await fixture.RegionAsync()).AsAt);
        await fixture.RefusedAsync("2027-02-03", StatusCode.NotFound, "as-at.not-published");
        Assert.Equal(0, await RowsAsync("2027-02-03"));
        Assert.Equal("2027-02-02", (await fixture.RegionAsync("2027-02-02")).AsAt);

        // A trust's recorded counts are its own: row-level security hides them from another trust and from no trust.
        var id = await app.InTenantAsync("PSA", async sp =>
            (await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.SingleAsync(sp.GetRequiredService<ConsentDbContext>().PublishedUseCounts, p => p.AsAt == new DateOnly(2027, 2, 4))).Id);
        Assert.Equal(1L, await RowLevelSecurity.CountVisibleAsync(app.Postgres, app.Database, "published_use_counts", id, "PSA"));
        Assert.Equal(0L, await RowLevelSecurity.CountVisibleAsync(app.Postgres, app.Database, "published_use_counts", id, "PSB"));
        Assert.Equal(0L, await RowLevelSecurity.CountVisibleAsync(app.Postgres, app.Database, "published_use_counts", id, null));
    }
}

/// <summary>
/// Suppression is applied to a published day's rows exactly as before (LinkedTableSuppression at the strictest
/// trust's threshold), and the threshold is the one recorded that day: a trust raising its threshold changes the next
/// publication, not a published one (two suppression patterns over the same figures could be combined). Own app.
/// </summary>
public sealed class PublishedUseCountSuppressionTests(PublishedUseCountsFixture fixture) : IClassFixture<PublishedUseCountsFixture>
{
    [Fact]
    public async Task A_published_day_keeps_its_suppression_and_threshold_and_a_raised_threshold_applies_from_the_next_day()
    {
        var app = fixture.App;
        await app.KnowTrustsAsync(["PTA", "PTB"]);
        foreach (var trust in new[] { "PTA", "PTB" })
        {
            await ActiveUseCountsGrpcTests.SeedAsync(app, trust, "OAK", "acute-adult", Domain.LawfulBasisKind.OwnConsent, 6);
            await ActiveUseCountsGrpcTests.SeedAsync(app, trust, "OAK", "acute-adult", Domain.LawfulBasisKind.BestInterests, 6);
        }
        await ActiveUseCountsGrpcTests.SeedAsync(app, "PTB", "OAK", "acute-adult", Domain.LawfulBasisKind.CourtOrder, 2);
        Assert.True((await fixture.Publisher.PublishAsync()).Published);
        var day = await fixture.RegionAsync();
        Assert.Equal(5, day.SuppressionThreshold);
        // PTB's 2 court-order uses are hidden, with a complement on its line; PTA's 6 and 6 are shown at 5.
        Assert.Null(PublishedUseCountsFixture.Shown(day, "lawful-basis", "PTB", 3));
        Assert.Equal((6, 6), (PublishedUseCountsFixture.Shown(day, "lawful-basis", "PTA", 0), PublishedUseCountsFixture.Shown(day, "lawful-basis", "PTA", 2)));
        foreach (var table in day.Tables)
            foreach (var row in table.Rows)
            {
                var line = row.Cells.Append(row.Total).ToList();
                Assert.All(line, c => Assert.True(c.Suppressed || c.Uses == 0 || c.Uses >= 5, $"{table.Dimension} {row.OdsCode}: {c.Uses} shown"));
                Assert.NotEqual(1, line.Count(c => c.Suppressed));
            }

        // PTA raises its threshold to 7 the same day: the published day is unchanged.
        var admin = new ConsentClient(app, "PTA", "trust-admin");
        var policy = await admin.Call(c => c.GetTrustPolicyAsync(new GetTrustPolicyRequest()));
        policy.SuppressionThreshold = 7;
        await admin.Call(c => c.SetTrustPolicyAsync(policy));
        Assert.Equal(day, await fixture.RegionAsync());

        // The next day's publication takes it: PTA's sixes are hidden at 7.
        fixture.Clock.Advance(TimeSpan.FromDays(1));
        await fixture.Publisher.PublishAsync();
        var next = await fixture.RegionAsync();
        Assert.Equal((7, "2027-01-12"), (next.SuppressionThreshold, next.AsAt));
        Assert.Null(PublishedUseCountsFixture.Shown(next, "lawful-basis", "PTA", 0));
        Assert.Equal(day, await fixture.RegionAsync("2027-01-11"));
    }
}
