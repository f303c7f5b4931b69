using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Application;

public sealed class UseCountPublicationOptions
{
    public const string Section = "Consent:UseCountPublication";

    /// <summary>Publish in the background (at start, then every <see cref="Interval"/>). <c>Consent:Schedules:Enabled=false</c> also stops it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Time between attempts, on the app's <see cref="TimeProvider"/>. Each attempt publishes today's date if it is not
    /// published yet, so the day's counts are taken within one interval of 00:00 UTC while the service runs.
    /// </summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>What one publication run did.</summary>
/// <param name="AsAt">The date it worked on (today, UTC).</param>
/// <param name="TrustsRecorded">Trusts whose counts this run recorded (0 when another run or replica had).</param>
/// <param name="Published">Whether the date is published after this run (by it or by an earlier one).</param>
/// <param name="FailedTrusts">Trusts whose counts could not be taken (logged; tried again next tick, the date unpublished until then).</param>
public sealed record UseCountPublicationResult(DateOnly AsAt, int TrustsRecorded, bool Published, IReadOnlyList<string> FailedTrusts);

/// <summary>
/// Publishes the region's active-use counts once a day (ADR 0047; ADR 0019's limit: figures for fixed dates, not "as
/// at now"). Each run works on today's date (UTC): every active known trust not yet recorded for it has its grouped
/// counts and threshold taken in its own tenant scope (row-level security) and written as one row, unique per trust
/// and date; once every active trust has its row, the date is published (a row naming them, unique per date). So:
/// <list type="bullet">
/// <item>a rerun, a restart or a second replica records nothing twice (the unique keys; a replica that loses the race
/// finds the winner's row and goes on);</item>
/// <item>nothing is lost on failure: a trust that fails is logged and retried next tick, and the date is not published
/// until every trust has its row, so the region never reads a day with a trust silently missing;</item>
/// <item>a day with no run (the service down all day, or a trust failing all day) is left missing, not filled
/// later: the store keeps no history to count a past day from, and a later state under an earlier date would be a
/// false figure. A request for it is NOT_FOUND.</item>
/// </list>
/// A trust's own <c>CountActiveUses</c> stays live: it is exact, for the roles that may list the same uses row by row.
/// </summary>
public sealed class UseCountPublisher(IServiceScopeFactory scopes, IOptions<UseCountPublicationOptions> options, IOptions<ConsentScheduleOptions> schedules,
    TimeProvider clock, ILogger<UseCountPublisher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !schedules.Value.Enabled) return;
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                var r = await PublishAsync(stoppingToken);
                if (r.TrustsRecorded > 0 || r.FailedTrusts.Count > 0)
                    logger.LogInformation("Regional use counts as at {AsAt}: {Recorded} trusts recorded, published {Published}; {Failed} trusts failed",
                        UseCountPublication.Format(r.AsAt), r.TrustsRecorded, r.Published, r.FailedTrusts.Count);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The trusts or the publication could not be read or written; nothing half-published, the next tick tries again.
                logger.LogError(ex, "Regional use count publication failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One run: records today's counts for every active trust not yet recorded, then publishes the date.</summary>
    public async Task<UseCountPublicationResult> PublishAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var asAt = UseCountPublication.DayOf(now);
        List<string> trusts;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            if (await db.UseCountPublications.AsNoTracking().AnyAsync(p => p.AsAt == asAt, ct)) return new UseCountPublicationResult(asAt, 0, true, []);
            trusts = await db.ActiveTrustCodesAsync(ct);
        }
        var run = await scopes.ForEachTrustAsync(trusts, (services, token) => RecordTrustAsync(services, asAt, now, token), logger, "Regional use count publication", ct);
        var recorded = run.Results.Count(r => r.Result);
        if (run.FailedTrusts.Count > 0) return new UseCountPublicationResult(asAt, recorded, false, run.FailedTrusts);

        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            db.UseCountPublications.Add(new UseCountPublicationRecord
            {
                AsAt = asAt,
                PublishedAt = clock.GetUtcNow().UtcDateTime,
                Trusts = [.. trusts.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)],
            });
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another run or replica published the date first (with the same trusts' rows); anything else is a real fault.
                db.ChangeTracker.Clear();
                if (!await db.UseCountPublications.AsNoTracking().AnyAsync(p => p.AsAt == asAt, ct)) throw;
            }
        }
        return new UseCountPublicationResult(asAt, recorded, true, []);
    }

    /// <summary>The current trust's counts for <paramref name="asAt"/>, unless already recorded: true when this run recorded them.</summary>
    private static async Task<bool> RecordTrustAsync(IServiceProvider services, DateOnly asAt, DateTime now, CancellationToken ct)
    {
        var db = services.GetRequiredService<ConsentDbContext>();
        if (await db.PublishedUseCounts.AsNoTracking().AnyAsync(p => p.AsAt == asAt, ct)) return false;
        var counts = services.GetRequiredService<UseCounts>();
        db.PublishedUseCounts.Add(new PublishedTrustUseCounts
        {
            Id = Guid.CreateVersion7(),
            AsAt = asAt,
            TakenAt = now,
            // A review is overdue as at the date's 00:00 UTC, whenever in the day the counts are taken.
            Groups = [.. await counts.GroupsAsync(null, ct, UseCountPublication.ReferenceInstant(asAt))],
            SuppressionThreshold = await counts.ThresholdAsync(ct),
            // The uses in "consent required" as at the same instant (ADR 0045 as amended): the deadline is a time, so
            // they are evaluated at the taking, as the uses themselves are; one row, so one publication covers both.
            ConsentRequired = ConsentRequiredGroup.From(await services.GetRequiredService<ConsentRequiredCounting>().FindingsAsync(null, now, ct)),
        });
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // A second replica recorded the trust's day first: its row stands, this one is not written.
            db.ChangeTracker.Clear();
            if (!await db.PublishedUseCounts.AsNoTracking().AnyAsync(p => p.AsAt == asAt, ct)) throw;
            return false;
        }
    }
}

/// <summary>The region's counts as published for <paramref name="AsAt"/>, with when the latest trust's were taken.</summary>
public sealed record PublishedRegionalUseCounts(DateOnly AsAt, DateTime TakenAt, RegionalUseCounts Counts);

/// <summary>The region's uses in "consent required" as published for <paramref name="AsAt"/> (ADR 0045 as amended).</summary>
public sealed record PublishedRegionalConsentRequired(DateOnly AsAt, DateTime TakenAt, RegionalConsentRequiredCounts Counts);

/// <summary>
/// The region's published counts (ADR 0047): a published date's trusts' recorded rows, each read in the trust's own
/// tenant scope, built into the linked tables by <see cref="RegionalUseCounts.Build"/> at the strictest of the
/// thresholds recorded that day. The same date gives the same figures however often it is asked for, whatever has
/// changed since: the rows and thresholds are the day's, and the suppression is deterministic over them.
/// </summary>
public sealed class PublishedUseCounts(ConsentDbContext db, IServiceScopeFactory scopes, ILogger<PublishedUseCounts> logger)
{
    /// <summary>The published counts as at <paramref name="asAt"/> (<c>yyyy-MM-dd</c>), or the latest published when none is given.</summary>
    public async Task<Outcome<PublishedRegionalUseCounts>> RegionAsync(string? asAt, CancellationToken ct = default)
    {
        var day = await ReadDayAsync(asAt, ct);
        if (day.IsRefused) return day.Refusal!;
        var (date, read) = day.Value;
        var rows = read.Select(r => (r.Trust, (IReadOnlyList<ActiveUseGroup>)r.Result.Groups)).ToList();
        logger.LogInformation("Regional active-use counts as at {AsAt} over {Trusts} trusts", UseCountPublication.Format(date.AsAt), rows.Count);
        return new PublishedRegionalUseCounts(date.AsAt, TakenAt(date, read), RegionalUseCounts.Build(rows, Threshold(read)));
    }

    /// <summary>
    /// The region's uses in "consent required" as published for <paramref name="asAt"/>, or the latest published date
    /// (ADR 0045 as amended): the same date, trusts, rows and threshold as <see cref="RegionAsync"/>. A published date
    /// whose rows were recorded before these counts were is NOT_FOUND, as a date not published.
    /// </summary>
    public async Task<Outcome<PublishedRegionalConsentRequired>> ConsentRequiredAsync(string? asAt, CancellationToken ct = default)
    {
        var day = await ReadDayAsync(asAt, ct);
        if (day.IsRefused) return day.Refusal!;
        var (date, read) = day.Value;
        if (read.Any(r => r.Result.ConsentRequired is null))
            return Refusal.NotFound("as-at.not-published",
                $"No regional consent-required counts were published as at {UseCountPublication.Format(date.AsAt)}: its counts were taken before these were recorded.");
        var rows = read.Select(r => (r.Trust, (IReadOnlyList<ConsentRequiredFinding>)ConsentRequiredGroup.Findings(r.Result.ConsentRequired!))).ToList();
        logger.LogInformation("Regional consent-required counts as at {AsAt} over {Trusts} trusts", UseCountPublication.Format(date.AsAt), rows.Count);
        return new PublishedRegionalConsentRequired(date.AsAt, TakenAt(date, read), RegionalConsentRequiredCounts.Build(rows, Threshold(read)));
    }

    // Every trust's own threshold that day holds for its row: the region's is the strictest of them.
    private static int Threshold(IReadOnlyList<(string Trust, PublishedTrustUseCounts Result)> read) =>
        read.Select(r => r.Result.SuppressionThreshold).Append(RegionalUseCounts.LowestSuppressionThreshold).Max();

    private static DateTime TakenAt(UseCountPublicationRecord publication, IReadOnlyList<(string Trust, PublishedTrustUseCounts Result)> read) =>
        read.Count == 0 ? publication.PublishedAt : read.Max(r => r.Result.TakenAt);

    /// <summary>The publication asked for (a date, or the latest) and each of its trusts' rows, read in the trust's own scope.</summary>
    private async Task<Outcome<(UseCountPublicationRecord Publication, IReadOnlyList<(string Trust, PublishedTrustUseCounts Result)> Read)>> ReadDayAsync(string? asAt, CancellationToken ct)
    {
        // The authorization policy admits only a region token; a trust's scope here would be a wiring fault.
        if (db.CurrentTenant is not null) return Refusal.Denied("region.token-required", "The region's counts are for a region token, which names no trust.");
        var parsed = UseCountPublication.ParseAsAt(asAt);
        if (parsed.IsRefused) return parsed.Refusal!;
        var query = db.UseCountPublications.AsNoTracking();
        var publication = parsed.Value is { } date
            ? await query.SingleOrDefaultAsync(p => p.AsAt == date, ct)
            : await query.OrderByDescending(p => p.AsAt).FirstOrDefaultAsync(ct);
        if (publication is null) return parsed.Value is { } missing ? UseCountPublication.NotPublished(missing) : UseCountPublication.NothingPublished;

        var day = publication.AsAt;
        var read = await scopes.ReadEachTrustAsync(publication.Trusts, async (services, trust, token) =>
            await services.GetRequiredService<ConsentDbContext>().PublishedUseCounts.AsNoTracking().SingleOrDefaultAsync(p => p.AsAt == day, token)
            // Published only once every trust had its row, and rows are never deleted: a missing one is a fault, not a gap to skip.
            ?? throw new InvalidOperationException($"Trust {trust} has no recorded counts for published date {UseCountPublication.Format(day)}."), ct);
        return (publication, read);
    }
}
