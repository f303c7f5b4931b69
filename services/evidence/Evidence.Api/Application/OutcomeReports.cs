using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Evidence.Api.Data;
using Platform.Evidence.Domain;

namespace Platform.Evidence.Api.Application;

/// <summary>A calendar quarter that has ended: the only window reports are built for (ADR 0019: fixed periods, no arbitrary dates).</summary>
public sealed partial record ReportingPeriod(int Year, int Quarter)
{
    public DateTime Start => new(Year, (Quarter - 1) * 3 + 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public DateTime End => Start.AddMonths(3);
    public string Code => $"{Year}-Q{Quarter}";

    /// <summary>The calendar quarter before the one <paramref name="now"/> falls in: the latest a report may cover.</summary>
    public static ReportingPeriod LastEnded(DateTime now)
    {
        var quarter = (now.Month - 1) / 3 + 1;
        return quarter == 1 ? new ReportingPeriod(now.Year - 1, 4) : new ReportingPeriod(now.Year, quarter - 1);
    }

    [GeneratedRegex("^(\\d{4})-Q([1-4])$")]
    private static partial Regex Shape();

    public static Outcome<ReportingPeriod> Parse(string? value, DateTime now)
    {
        var match = Shape().Match(value?.Trim() ?? "");
        if (!match.Success) return Refusal.Invalid("period.format", "Period must be a calendar quarter written like 2026-Q3.");
        var period = new ReportingPeriod(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
        if (period.Year < 2000) return Refusal.Invalid("period.format", "Period must be a calendar quarter written like 2026-Q3.");
        // A quarter still running would change from one request to the next, and the differences would show small cells.
        if (period.End > now) return Refusal.Precondition("period.not-ended", $"Outcomes are reported for quarters that have ended; {period.Code} ends on {period.End:yyyy-MM-dd}.");
        return period;
    }
}

/// <summary>
/// Equality profiles, the outcome policy and the outcome report (P8): each technology's outcomes per setting and across
/// settings, broken down by every characteristic, with Evidence.Domain's linked-table suppression applied before
/// anything leaves.
/// </summary>
public sealed class OutcomeReports(EvidenceDbContext db, TimeProvider clock, ILogger<OutcomeReports> logger)
{
    public async Task<Outcome<EqualityProfile>> RecordProfileAsync(EqualityProfileSubmission submission, EvidenceActor actor, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var recorded = EqualityProfile.Record(submission, actor, now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond)));
        if (recorded.IsRefused) return recorded;
        var profile = recorded.Value;
        // A profile only describes a patient whose outcomes this trust measures: a key no use of the trust carries is
        // unknown here (NOT_FOUND, as another trust's patient is), never a new row about someone the trust never saw.
        if (!await db.TechnologyUses.AnyAsync(u => u.PatientKey == profile.PatientKey, ct))
            return Refusal.NotFound("patient-key.unknown",
                "No technology use of this trust has this patient_key: record the profile of a patient whose use the consent service authorised.");
        var existing = await db.EqualityProfiles.SingleOrDefaultAsync(p => p.PatientKey == profile.PatientKey, ct);
        if (existing is null) db.EqualityProfiles.Add(profile);
        else
        {
            profile.TenantId = existing.TenantId;
            db.Entry(existing).CurrentValues.SetValues(profile);
        }
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Equality profile recorded ({Change})", existing is null ? "new" : "replaced");
        return profile;
    }

    public async Task<OutcomePolicy> PolicyAsync(CancellationToken ct = default)
    {
        var row = await db.OutcomePolicies.AsNoTracking().SingleOrDefaultAsync(ct);
        return row is null
            ? OutcomePolicy.Default
            : new OutcomePolicy
            {
                SuppressionThreshold = row.SuppressionThreshold,
                DisparityThresholdShareOfRange = row.DisparityThresholdShareOfRange,
                NoBenefitMinimumPatients = row.NoBenefitMinimumPatients,
                NoBenefitMaximumImprovementShareOfRange = row.NoBenefitMaximumImprovementShareOfRange,
            };
    }

    public async Task<Outcome<OutcomePolicy>> SetPolicyAsync(OutcomePolicy policy, CancellationToken ct = default)
    {
        if (policy.Validate() is { } invalid) return invalid;
        var row = await db.OutcomePolicies.SingleOrDefaultAsync(ct);
        if (row is null) db.OutcomePolicies.Add(row = new OutcomePolicyRow());
        row.SuppressionThreshold = policy.SuppressionThreshold;
        row.DisparityThresholdShareOfRange = policy.DisparityThresholdShareOfRange;
        row.NoBenefitMinimumPatients = policy.NoBenefitMinimumPatients;
        row.NoBenefitMaximumImprovementShareOfRange = policy.NoBenefitMaximumImprovementShareOfRange;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Outcome policy set for {Tenant}", db.CurrentTenant);
        return policy;
    }

    public async Task<Outcome<(OutcomeReport Report, ReportingPeriod Period)>> ReportAsync(string? technologyId, Instrument instrument, string? period, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(technologyId, out var technology)) return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
        if (Validation.Defined("instrument", instrument) is { } badInstrument) return badInstrument;
        var parsed = ReportingPeriod.Parse(period, clock.GetUtcNow().UtcDateTime);
        if (parsed.IsRefused) return parsed.Refusal!;
        if (!await db.Technologies.AnyAsync(t => t.Id == technology, ct)) return EvidenceLibrary.TechnologyNotFound;
        return (await BuildAsync(technology, instrument, parsed.Value, await PolicyAsync(ct), ct), parsed.Value);
    }

    /// <summary>The report over the measurements taken in <paramref name="period"/>, in the current trust.</summary>
    public async Task<OutcomeReport> BuildAsync(Guid technology, Instrument instrument, ReportingPeriod period, OutcomePolicy policy, CancellationToken ct = default)
    {
        var (start, end) = (period.Start, period.End);
        // Only what an outcome is worked out from: the answers and score (JSON) are neither read nor parsed, which saved
        // about a fifth of the service's CPU per report (tools/bench/OutcomeReportBench).
        var scores = await db.Measurements.AsNoTracking()
            .Where(m => m.TechnologyId == technology && m.Instrument == instrument && m.MeasuredAt >= start && m.MeasuredAt < end && m.Headline != null)
            .Select(m => new HeadlineScore(m.PatientKey, m.SettingCode, m.Instrument, m.MeasuredAt, m.Headline))
            .ToListAsync(ct);
        var outcomes = PatientOutcomes.From(scores, instrument);
        var keys = outcomes.Select(o => o.PatientKey).Distinct().ToList();
        var profiles = await db.EqualityProfiles.AsNoTracking().Where(p => keys.Contains(p.PatientKey)).ToDictionaryAsync(p => p.PatientKey, StringComparer.Ordinal, ct);
        return OutcomeReport.Build(technology, instrument, outcomes, profiles, policy);
    }

    /// <summary>
    /// For the regional report (<see cref="RegionalOutcomeReports"/>): the current trust's patient outcomes on the
    /// instrument in <paramref name="period"/> for every technology it registered under <paramref name="technologyName"/>
    /// (ignoring case and outer spaces), one per patient across the trust's settings, with their profiles and the
    /// trust's threshold. Read under the trust's own tenant scope; the rows never leave the service.
    /// </summary>
    internal async Task<(IReadOnlyList<PatientOutcome> Outcomes, IReadOnlyDictionary<string, EqualityProfile> Profiles, int Threshold)> TrustRowsForRegionAsync(
        string technologyName, Instrument instrument, ReportingPeriod period, CancellationToken ct = default)
    {
        var name = technologyName.Trim().ToLowerInvariant();
        var technologies = await db.Technologies.AsNoTracking().Where(t => t.Name.Trim().ToLower() == name).Select(t => t.Id).ToListAsync(ct);
        if (technologies.Count == 0) return ([], new Dictionary<string, EqualityProfile>(), OutcomePolicy.LowestSuppressionThreshold);
        var (start, end) = (period.Start, period.End);
        var trust = db.CurrentTenant ?? throw new InvalidOperationException("A trust's rows are read only in that trust's scope.");
        // The trust is the row: a patient's outcome is taken across the trust's settings, once per patient.
        var scores = await db.Measurements.AsNoTracking()
            .Where(m => technologies.Contains(m.TechnologyId) && m.Instrument == instrument && m.MeasuredAt >= start && m.MeasuredAt < end && m.Headline != null)
            .Select(m => new HeadlineScore(m.PatientKey, trust, m.Instrument, m.MeasuredAt, m.Headline))
            .ToListAsync(ct);
        var outcomes = PatientOutcomes.From(scores, instrument);
        var keys = outcomes.Select(o => o.PatientKey).Distinct().ToList();
        var profiles = await db.EqualityProfiles.AsNoTracking().Where(p => keys.Contains(p.PatientKey)).ToDictionaryAsync(p => p.PatientKey, StringComparer.Ordinal, ct);
        return (outcomes, profiles, (await PolicyAsync(ct)).SuppressionThreshold);
    }
}
