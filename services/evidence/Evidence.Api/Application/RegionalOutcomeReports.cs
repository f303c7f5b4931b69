using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Evidence.Api.Data;
using Platform.Evidence.Domain;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Evidence.Api.Application;

/// <summary>A regional report as the domain built it, with the name and quarter it covers.</summary>
public sealed record RegionalReport(string TechnologyName, ReportingPeriod Period, OutcomeReport Report);

/// <summary>
/// The region analyst's outcome report (ADR 0034): one technology, by the name the trusts registered it under, across
/// every trust of the region (this deployment's active known trusts), with the trusts as the rows of one linked table
/// that <see cref="LinkedTableSuppression"/> protects as a whole (ADR 0019: never the trusts' own suppressed tables
/// added up). Each trust's rows are read in a scope of that trust, as the outcome flag sweep reads them, so row-level
/// security applies to every read; only the suppressed aggregate leaves.
/// </summary>
public sealed class RegionalOutcomeReports(EvidenceDbContext db, IServiceScopeFactory scopes, TimeProvider clock, ILogger<RegionalOutcomeReports> logger)
{
    public const int MaxNameLength = 200;

    public async Task<Outcome<RegionalReport>> ReportAsync(string? technologyName, Instrument instrument, string? period, CancellationToken ct = default)
    {
        var name = technologyName?.Trim() ?? "";
        if (name.Length == 0) return Refusal.Invalid("technology-name.required", "Name the technology (technology_name) as the trusts registered it.");
        if (name.Length > MaxNameLength) return Refusal.Invalid("technology-name.too-long", $"A technology's name is at most {MaxNameLength} characters.");
        if (Validation.Defined("instrument", instrument) is { } badInstrument) return badInstrument;
        var parsed = ReportingPeriod.Parse(period, clock.GetUtcNow().UtcDateTime);
        if (parsed.IsRefused) return parsed.Refusal!;
        // The authorization policy admits only a region token; a trust's scope here would be a wiring fault.
        if (db.CurrentTenant is not null) return Refusal.Denied("region.token-required", "The regional report is for a region token, which names no trust.");

        var trusts = await db.ActiveTrustCodesAsync(ct);
        var outcomes = new List<PatientOutcome>();
        var profiles = new Dictionary<string, EqualityProfile>(StringComparer.Ordinal);
        var threshold = OutcomePolicy.LowestSuppressionThreshold;
        var read = await scopes.ReadEachTrustAsync(trusts, (services, _, token) =>
            services.GetRequiredService<OutcomeReports>().TrustRowsForRegionAsync(name, instrument, parsed.Value, token), ct);
        foreach (var (trust, rows) in read)
        {
            if (rows.Outcomes.Count == 0) continue;
            // Every trust's own threshold holds for its row: the report uses the strictest of them.
            threshold = Math.Max(threshold, rows.Threshold);
            // Patient keys are the trusts' own; prefixed so that two trusts' keys can never meet.
            foreach (var o in rows.Outcomes) outcomes.Add(new PatientOutcome($"{trust}/{o.PatientKey}", trust, o.Value));
            foreach (var (key, profile) in rows.Profiles) profiles[$"{trust}/{key}"] = profile;
        }

        var report = OutcomeReport.Build(Guid.Empty, instrument, outcomes, profiles, OutcomePolicy.Default with { SuppressionThreshold = threshold });
        logger.LogInformation("Regional outcome report for {Period} over {Trusts} trusts with outcomes", parsed.Value.Code, report.Settings.Count);
        return new RegionalReport(name, parsed.Value, report);
    }
}
