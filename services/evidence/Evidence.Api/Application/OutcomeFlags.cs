using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Evidence.Api.Data;
using Platform.Evidence.Domain;
using Platform.Messaging.Outbox;
using Published = Platform.Contracts.Evidence.V1;

namespace Platform.Evidence.Api.Application;

/// <summary>What one trust's flag review found: reports built, flags new this time.</summary>
public sealed record FlagReview(int Reports, int Raised);

/// <summary>
/// The trust's outcome flags (P8): raising those of the last ended quarter's reports, and listing them. Each report is
/// built by <see cref="OutcomeReports.ReportAsync"/>, the path GetOutcomeReport answers with, so a flag says nothing
/// the report would not show. A new flag is stored and published (evidence.outcome_flag_raised.v1) in one transaction;
/// one already stored for the quarter is not raised again.
/// </summary>
public sealed class OutcomeFlags(EvidenceDbContext db, OutcomeReports reports, IEventPublisher events, TimeProvider clock, ILogger<OutcomeFlags> logger)
{
    public const int MaxListed = 500;

    /// <summary>Builds the report of every technology and instrument measured in the last ended quarter, and raises its new flags.</summary>
    public async Task<FlagReview> RaiseForLastEndedQuarterAsync(CancellationToken ct = default)
    {
        var period = ReportingPeriod.LastEnded(clock.GetUtcNow().UtcDateTime);
        var (start, end) = (period.Start, period.End);
        var measured = await db.Measurements.AsNoTracking()
            .Where(m => m.MeasuredAt >= start && m.MeasuredAt < end && m.Headline != null)
            .Select(m => new { m.TechnologyId, m.Instrument }).Distinct().ToListAsync(ct);
        var found = new List<OutcomeFlag>();
        var built = 0;
        foreach (var pair in measured.OrderBy(p => p.TechnologyId).ThenBy(p => p.Instrument))
        {
            var report = await reports.ReportAsync(pair.TechnologyId.ToString(), pair.Instrument, period.Code, ct);
            if (report.IsRefused)
            {
                // A use of a technology procurement never registered here: nothing to report until it is known.
                logger.LogWarning("No outcome report for technology {TechnologyId} on {Instrument} in {Period}: {Rule}",
                    pair.TechnologyId, pair.Instrument, period.Code, report.Refusal!.Rule);
                continue;
            }
            built++;
            found.AddRange(report.Value.Report.Flags);
        }
        if (found.Count == 0) return new FlagReview(built, 0);
        return new FlagReview(built, await RaiseAsync(found, period, ct));
    }

    private async Task<int> RaiseAsync(List<OutcomeFlag> found, ReportingPeriod period, CancellationToken ct)
    {
        var code = period.Code;
        var known = (await db.OutcomeFlags.AsNoTracking().Where(f => f.Period == code).Select(f => f.Key).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var now = clock.GetUtcNow().UtcDateTime;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        var raised = new List<OutcomeFlagRow>();
        foreach (var flag in found)
        {
            if (!known.Add(flag.Key)) continue;
            var row = ToRow(flag, code, now);
            db.OutcomeFlags.Add(row);
            events.Publish(ToEvent(row), db.CurrentTenant!, row.TechnologyId.ToString());
            raised.Add(row);
        }
        if (raised.Count == 0) return 0;
        try
        {
            // The flags and their events commit together, or neither does.
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another replica sweeping at the same moment stored some first (the unique key on tenant, period and key):
            // nothing of this attempt was committed, and the next sweep raises whatever it left. Anything else is a fault.
            if (!await RaisedElsewhereAsync(code, raised, ct)) throw;
            logger.LogInformation("Outcome flags for {Period} were raised by another sweep at the same time", code);
            return 0;
        }
        foreach (var row in raised)
            logger.LogInformation("Outcome flag {FlagId} raised: {Kind} for technology {TechnologyId} on {Instrument} in {SettingCode}, {Period}",
                row.FlagId, row.Kind, row.TechnologyId, row.Instrument, row.SettingCode ?? "all settings", row.Period);
        return raised.Count;
    }

    private async Task<bool> RaisedElsewhereAsync(string period, List<OutcomeFlagRow> attempted, CancellationToken ct)
    {
        var keys = attempted.Select(r => r.Key).ToList();
        return await db.OutcomeFlags.AsNoTracking().AnyAsync(f => f.Period == period && keys.Contains(f.Key), ct);
    }

    public async Task<Outcome<IReadOnlyList<OutcomeFlagRow>>> ListAsync(string? technologyId, string? period, OutcomeFlagKind kind, CancellationToken ct = default)
    {
        var query = db.OutcomeFlags.AsNoTracking();
        if (!string.IsNullOrEmpty(technologyId))
        {
            if (!Validation.TryParseId(technologyId, out var technology)) return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
            if (!await db.Technologies.AnyAsync(t => t.Id == technology, ct)) return EvidenceLibrary.TechnologyNotFound;
            query = query.Where(f => f.TechnologyId == technology);
        }
        if (!string.IsNullOrEmpty(period))
        {
            var parsed = ReportingPeriod.Parse(period, clock.GetUtcNow().UtcDateTime);
            if (parsed.IsRefused) return parsed.Refusal!;
            var code = parsed.Value.Code;
            query = query.Where(f => f.Period == code);
        }
        if (kind != OutcomeFlagKind.Unspecified)
        {
            if (Validation.Defined("kind", kind) is { } badKind) return badKind;
            query = query.Where(f => f.Kind == kind);
        }
        var rows = await query.OrderByDescending(f => f.RaisedAt).ThenBy(f => f.Key).Take(MaxListed).ToListAsync(ct);
        return rows;
    }

    private static OutcomeFlagRow ToRow(OutcomeFlag flag, string period, DateTime now) => new()
    {
        FlagId = Guid.CreateVersion7(),
        Key = flag.Key,
        Kind = flag.Kind,
        TechnologyId = flag.TechnologyId,
        SettingCode = flag.SettingCode,
        Instrument = flag.Instrument,
        Characteristic = flag.Characteristic,
        LowerGroupCategory = flag.LowerGroup?.Category,
        LowerGroupLabel = flag.LowerGroup?.Label,
        LowerGroupPatients = flag.LowerGroup?.Patients,
        LowerGroupMean = flag.LowerGroup?.Mean,
        HigherGroupCategory = flag.HigherGroup?.Category,
        HigherGroupLabel = flag.HigherGroup?.Label,
        HigherGroupPatients = flag.HigherGroup?.Patients,
        HigherGroupMean = flag.HigherGroup?.Mean,
        MeanImprovement = flag.MeanImprovement,
        Patients = flag.Patients,
        // A share of the range times the range (0.1 x 48 = 4.800000000000001): to the precision the report's means have, and a little more.
        Threshold = Math.Round(flag.Threshold, 4, MidpointRounding.AwayFromZero),
        Period = period,
        RaisedAt = now,
    };

    /// <summary>The event: the row's fields and nothing else (no patient key, no suppressed cell).</summary>
    public static Published.OutcomeFlagRaised ToEvent(OutcomeFlagRow row)
    {
        var message = new Published.OutcomeFlagRaised
        {
            FlagId = row.FlagId.ToString(),
            Key = row.Key,
            Kind = (Published.OutcomeFlagKind)row.Kind,
            TechnologyId = row.TechnologyId.ToString(),
            SettingCode = row.SettingCode ?? "",
            Instrument = Instruments.Of(row.Instrument).Code,
            Characteristic = row.Characteristic == Characteristic.Unspecified ? "" : Characteristics.Of(row.Characteristic).Code,
            LowerGroup = Group(row.LowerGroupCategory, row.LowerGroupLabel, row.LowerGroupPatients, row.LowerGroupMean),
            HigherGroup = Group(row.HigherGroupCategory, row.HigherGroupLabel, row.HigherGroupPatients, row.HigherGroupMean),
            MeanImprovement = row.MeanImprovement ?? 0,
            Patients = row.Patients ?? 0,
            Threshold = row.Threshold,
            Period = row.Period,
            RaisedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.SpecifyKind(row.RaisedAt, DateTimeKind.Utc)),
        };
        return message;
    }

    private static Published.OutcomeGroup? Group(string? category, string? label, int? patients, double? mean) =>
        category is null ? null : new Published.OutcomeGroup { Category = category, Label = label ?? "", Patients = patients ?? 0, Mean = mean ?? 0 };
}
