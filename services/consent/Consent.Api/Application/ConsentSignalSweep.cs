using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Consent.Api.Application;

public sealed class ConsentSignalSweepOptions
{
    public const string Section = "Consent:SignalSweep";

    /// <summary>Run the sweep in the background (at start, then every <see cref="Interval"/>). <c>Consent:Schedules:Enabled=false</c> also stops it.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between sweeps, on the app's <see cref="TimeProvider"/>.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>What one sweep raised, summed over the trusts, and the trusts whose sweep failed (tried again next tick).</summary>
public sealed record SignalSweepResult(int Trusts, int DeadlineWarnings, int DeadlinesPassed, int AgeThresholdsCrossed, int RefusalQuestionsDue,
    IReadOnlyList<string> FailedTrusts)
{
    public static SignalSweepResult operator +(SignalSweepResult a, SignalSweepResult b) => new(a.Trusts + b.Trusts, a.DeadlineWarnings + b.DeadlineWarnings,
        a.DeadlinesPassed + b.DeadlinesPassed, a.AgeThresholdsCrossed + b.AgeThresholdsCrossed, a.RefusalQuestionsDue + b.RefusalQuestionsDue, [.. a.FailedTrusts, .. b.FailedTrusts]);

    public static SignalSweepResult None { get; } = new(0, 0, 0, 0, 0, []);
}

/// <summary>
/// The signals the ward acts on before a check turns into a deny, derived from the records by the domain
/// (<see cref="ConsentSignals"/>) and published through the outbox, each exactly once:
/// <list type="bullet">
/// <item><c>deadline_warning</c> for each deadline of a live use within the trust's notice (<see cref="ConsentSignals.DeadlinesApproaching"/>),
/// once per use, kind and deadline; when a warned deadline passes, the use is re-evaluated and, if its check changed,
/// <c>use_reevaluated</c> (cause <c>deadline_passed</c>) and, for a safety use that stopped, <c>safety_alert</c> naming the fallback;</item>
/// <item><c>age_threshold_crossed</c> for each 16th and 18th birthday reached since the patient was registered and not
/// yet raised (<see cref="ConsentSignals.AtAgeThresholds"/>), with the uses re-evaluated at that instant as the
/// commands do (<c>use_reevaluated</c>, <c>safety_alert</c>, a move to a new valid basis);</item>
/// <item><c>refusal_question_due</c> for each refusal made with capacity whose "should it stand?" question is unanswered
/// (<see cref="ConsentSignals.RefusalQuestionsToAsk"/>).</item>
/// </list>
/// Every trust the directory onboarded and has not suspended is swept in its own tenant scope (row-level security) and
/// its own transaction; one trust's failure is logged and the others go on. What was raised is kept in
/// <c>raised_signals</c> (unique per trust and key), so a restart, a second sweep or a second replica raises nothing
/// twice; on PostgreSQL one replica at a time sweeps a trust (a transaction-scoped advisory lock).
/// </summary>
public sealed class ConsentSignalSweep(IServiceScopeFactory scopes, IOptions<ConsentSignalSweepOptions> options, IOptions<ConsentScheduleOptions> schedules,
    TimeProvider clock, ILogger<ConsentSignalSweep> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled || !schedules.Value.Enabled) return;
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            try
            {
                var r = await SweepAsync(stoppingToken);
                if (r.DeadlineWarnings + r.DeadlinesPassed + r.AgeThresholdsCrossed + r.RefusalQuestionsDue > 0 || r.FailedTrusts.Count > 0)
                    logger.LogInformation("Consent signal sweep over {Trusts} trusts: {Warnings} deadline warnings, {Passed} deadlines passed, {Ages} age thresholds, {Questions} refusal questions; {Failed} trusts failed",
                        r.Trusts, r.DeadlineWarnings, r.DeadlinesPassed, r.AgeThresholdsCrossed, r.RefusalQuestionsDue, r.FailedTrusts.Count);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // The list of trusts could not be read; the next tick tries again.
                logger.LogError(ex, "Consent signal sweep failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>One sweep over every active trust.</summary>
    public async Task<SignalSweepResult> SweepAsync(CancellationToken ct = default)
    {
        List<string> trusts;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            trusts = await db.ActiveTrustCodesAsync(ct);
        }
        // One trust's fault (its rows, its data) must not keep the other trusts' wards from their warnings.
        var run = await scopes.ForEachTrustAsync(trusts, (services, token) =>
        {
            services.GetRequiredService<ConsentEvents>().ActFor(ConsentScheduler.SchedulerActor);
            return SweepTrustAsync(services, token);
        }, logger, "Consent signal sweep", ct);
        var total = SignalSweepResult.None with { Trusts = trusts.Count, FailedTrusts = run.FailedTrusts };
        foreach (var (_, result) in run.Results) total += result;
        return total;
    }

    private async Task<SignalSweepResult> SweepTrustAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<ConsentDbContext>();
        var store = services.GetRequiredService<PatientRecordsStore>();
        var events = services.GetRequiredService<ConsentEvents>();
        // As the review sweep: on PostgreSQL the trust is taken under a lock held to the end of the transaction that
        // writes what was raised; SQLite (one process) needs neither.
        await using var transaction = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(ct) : null;
        if (transaction is not null && !await TakeTrustAsync(db, ct)) return SignalSweepResult.None;
        var now = clock.GetUtcNow().UtcDateTime;
        var trust = await store.GetTrustAsync(ct);
        var run = new Run(db, store, events, trust, now);

        var warnings = await run.WarnDeadlinesAsync(ct);
        var passed = await run.FollowUpPassedDeadlinesAsync(ct);
        var ages = await run.CrossAgeThresholdsAsync(ct);
        var questions = await run.AskRefusalQuestionsAsync(ct);
        if (run.Raised == 0) return SignalSweepResult.None;
        await db.SaveChangesAsync(ct);
        foreach (var patient in run.Changed) store.InvalidatePatientAfterCommit(db, patient);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return new SignalSweepResult(0, warnings, passed, ages, questions, []);
    }

    private static Task<bool> TakeTrustAsync(ConsentDbContext db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<bool>(
            "SELECT pg_try_advisory_xact_lock(hashtextextended('consent.signal-sweep/' || {0}, 0)) AS \"Value\"", db.CurrentTenant!).SingleAsync(ct);

    /// <summary>One trust's sweep at one instant.</summary>
    private sealed class Run(ConsentDbContext db, PatientRecordsStore store, ConsentEvents events, TrustConsentSettings trust, DateTime now)
    {
        private readonly Dictionary<Guid, PatientConsentRecords?> _records = [];

        public int Raised { get; private set; }

        /// <summary>Patients whose uses moved to a new basis: their cached snapshots are dropped after the commit.</summary>
        public HashSet<Guid> Changed { get; } = [];

        private async Task<PatientConsentRecords?> RecordsAsync(Guid patientId, CancellationToken ct)
        {
            if (!_records.TryGetValue(patientId, out var records)) _records[patientId] = records = await store.GetAsync(patientId, ct);
            return records;
        }

        private void Remember(ConsentSignalKind kind, Guid patientId, Guid subjectId, int detail, DateTime? deadline)
        {
            db.RaisedSignals.Add(new RaisedConsentSignal
            {
                Id = Guid.CreateVersion7(),
                Kind = kind,
                PatientId = patientId,
                SubjectId = subjectId,
                Detail = detail,
                Deadline = deadline,
                RaisedAt = now,
                SignalKey = RaisedConsentSignal.KeyOf(kind, subjectId, detail, deadline),
            });
            Raised++;
        }

        public async Task<int> WarnDeadlinesAsync(CancellationToken ct)
        {
            var patients = await db.TechnologyUses.AsNoTracking()
                .Where(u => u.Status == UseStatus.Active || u.Status == UseStatus.Suspended)
                .Select(u => u.PatientId).Distinct().ToListAsync(ct);
            if (patients.Count == 0) return 0;
            // Only deadlines still ahead can be warned of, so only their keys are looked up.
            var known = (await db.RaisedSignals.AsNoTracking()
                    .Where(r => r.Kind == ConsentSignalKind.DeadlineWarning && r.Deadline > now).Select(r => r.SignalKey).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
            var raised = 0;
            foreach (var patientId in patients)
            {
                if (await RecordsAsync(patientId, ct) is not { } records) continue;
                foreach (var warning in ConsentSignals.DeadlinesApproaching(records, trust.Approvals, trust.Policy, now))
                {
                    if (!known.Add(RaisedConsentSignal.KeyOf(ConsentSignalKind.DeadlineWarning, warning.UseId, (int)warning.Kind, warning.Deadline))) continue;
                    Remember(ConsentSignalKind.DeadlineWarning, warning.PatientId, warning.UseId, (int)warning.Kind, warning.Deadline);
                    events.DeadlineWarning(warning);
                    raised++;
                }
            }
            return raised;
        }

        /// <summary>
        /// A warned deadline has passed: the use is checked as it was just before the deadline and as it is now; a change
        /// is published as the commands publish it (a safety use that stopped raises its alert, naming the fallback).
        /// The birthdays are left to <see cref="CrossAgeThresholdsAsync"/>.
        /// </summary>
        public async Task<int> FollowUpPassedDeadlinesAsync(CancellationToken ct)
        {
            var due = await db.RaisedSignals.AsNoTracking()
                .Where(r => r.Kind == ConsentSignalKind.DeadlineWarning && r.Deadline <= now &&
                            r.Detail != (int)DeadlineKind.TurnsSixteen && r.Detail != (int)DeadlineKind.TurnsEighteen &&
                            !db.RaisedSignals.Any(p => p.Kind == ConsentSignalKind.DeadlinePassed && p.SubjectId == r.SubjectId && p.Detail == r.Detail && p.Deadline == r.Deadline))
                .OrderBy(r => r.Deadline).ToListAsync(ct);
            var changed = 0;
            foreach (var warned in due)
            {
                Remember(ConsentSignalKind.DeadlinePassed, warned.PatientId, warned.SubjectId, warned.Detail, warned.Deadline);
                if (await RecordsAsync(warned.PatientId, ct) is not { } records) continue;
                var use = Array.Find(records.Uses, u => u.Id == warned.SubjectId);
                if (use is not { Status: UseStatus.Active or UseStatus.Suspended }) continue;
                var before = UseCheck.Evaluate(records, use.TechnologyId, use.WardCode, use.Purpose, trust.Approvals, trust.Policy, warned.Deadline!.Value.AddTicks(-1));
                var after = UseCheck.Evaluate(records, use.TechnologyId, use.WardCode, use.Purpose, trust.Approvals, trust.Policy, now);
                if (before.Decision == after.Decision && before.DenyReasons == after.DenyReasons && before.LawfulBasis == after.LawfulBasis) continue;
                await PublishAsync([new UseReevaluation(use, before, after)], use.Id, "deadline_passed", ct);
                changed++;
            }
            return changed;
        }

        public async Task<int> CrossAgeThresholdsAsync(CancellationToken ct)
        {
            // A birthday starts at midnight UK time, up to an hour before midnight UTC: tomorrow's date may have begun.
            var tomorrow = DateOnly.FromDateTime(now).AddDays(1);
            var minors = await db.Patients.AsNoTracking()
                .Where(p => (p.Turns16On != null && p.Turns16On <= tomorrow) || (p.Turns18On != null && p.Turns18On <= tomorrow))
                .Select(p => new { p.Id, p.RegisteredAt }).ToListAsync(ct);
            if (minors.Count == 0) return 0;
            var ids = minors.Select(p => p.Id).ToList();
            var known = (await db.RaisedSignals.AsNoTracking()
                    .Where(r => r.Kind == ConsentSignalKind.AgeThresholdCrossed && ids.Contains(r.SubjectId)).Select(r => r.SignalKey).ToListAsync(ct))
                .ToHashSet(StringComparer.Ordinal);
            var raised = 0;
            foreach (var patient in minors)
            {
                if (await RecordsAsync(patient.Id, ct) is not { } records) continue;
                // Every threshold since registration not yet raised: the ones crossed since the last sweep, and any a
                // failed or missed sweep left behind.
                foreach (var transition in ConsentSignals.AtAgeThresholds(records, trust.Approvals, trust.Policy, patient.RegisteredAt, now))
                {
                    var age = (int)transition.Threshold;
                    if (!known.Add(RaisedConsentSignal.KeyOf(ConsentSignalKind.AgeThresholdCrossed, patient.Id, age, transition.At))) continue;
                    Remember(ConsentSignalKind.AgeThresholdCrossed, patient.Id, patient.Id, age, transition.At);
                    await PublishAsync(transition.Uses, patient.Id, "age_threshold_crossed", ct);
                    events.AgeThresholdCrossed(patient.Id, transition);
                    raised++;
                }
            }
            return raised;
        }

        public async Task<int> AskRefusalQuestionsAsync(CancellationToken ct)
        {
            var open = await db.OwnConsents.AsNoTracking()
                .Where(c => c.Decision == ConsentDecision.Refused && c.RefusalStandsIfCapacityLost == null &&
                            !db.RaisedSignals.Any(r => r.Kind == ConsentSignalKind.RefusalQuestionDue && r.SubjectId == c.Id))
                .Select(c => new { c.Id, c.PatientId }).ToListAsync(ct);
            var raised = 0;
            var candidates = open.Select(c => c.Id).ToHashSet();
            foreach (var patientId in open.Select(c => c.PatientId).Distinct())
            {
                if (await RecordsAsync(patientId, ct) is not { } records) continue;
                foreach (var refusal in ConsentSignals.RefusalQuestionsToAsk(records, trust.Policy, now))
                {
                    if (!candidates.Remove(refusal.Id)) continue;
                    Remember(ConsentSignalKind.RefusalQuestionDue, patientId, refusal.Id, 0, null);
                    events.RefusalQuestionDue(refusal);
                    raised++;
                }
            }
            return raised;
        }

        /// <summary>As a command publishes a change: use_reevaluated each, a safety alert for a safety use that stopped, and a move to a new valid basis.</summary>
        private async Task PublishAsync(IReadOnlyList<UseReevaluation> changes, Guid cause, string causeName, CancellationToken ct)
        {
            events.Reevaluated(changes, cause, causeName);
            foreach (var change in changes)
            {
                if (change.RebaseTo is not { } basis) continue;
                var use = await db.TechnologyUses.SingleAsync(u => u.Id == change.Use.Id, ct);
                if (use.Rebase(basis) is null && use.Status == UseStatus.Active) events.UseAuthorised(use);
                Changed.Add(use.PatientId);
            }
        }
    }
}
