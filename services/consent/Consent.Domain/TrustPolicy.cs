using System.Globalization;
using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// A trust's settings for the consent rules. Stored once per tenant; every value has a safe default, and every period
/// has an upper limit the platform sets (<see cref="PlatformLimits"/>) so that no trust can switch enforcement off.
/// </summary>
public sealed record TrustPolicy
{
    /// <summary>
    /// How long a proxy or best-interests basis may continue after a newer assessment shows capacity, while the
    /// patient's own consent is sought: about one shift, since the person can now decide for themselves (P2).
    /// </summary>
    public TimeSpan CapacityRegainedGracePeriod { get; init; } = TimeSpan.FromHours(12);
    /// <summary>How long a consented safety use may continue after capacity is lost, while a best-interests decision is made.</summary>
    public TimeSpan CapacityLostTransition { get; init; } = TimeSpan.FromHours(8);
    /// <summary>A fluctuating-capacity assessment older than this is stale.</summary>
    public TimeSpan FluctuatingAssessmentMaxAge { get; init; } = TimeSpan.FromDays(7);
    /// <summary>A Gillick finding with no reassess-by date is stale after this; a reassess-by date may be at most this far ahead.</summary>
    public TimeSpan GillickFindingMaxAge { get; init; } = TimeSpan.FromDays(28);
    /// <summary>How long after its review date a use may continue (visibly overdue) before the use check denies it.</summary>
    public TimeSpan ReviewGracePeriod { get; init; } = TimeSpan.FromDays(3);
    /// <summary>A review is "due soon" this long before its date.</summary>
    public TimeSpan ReviewDueSoonNotice { get; init; } = TimeSpan.FromDays(7);
    /// <summary>The next review may be set at most this far ahead.</summary>
    public TimeSpan MaxReviewInterval { get; init; } = TimeSpan.FromDays(92);
    /// <summary>How soon after a patient lacking capacity objects the use must be re-decided.</summary>
    public TimeSpan ObjectionRedecisionWithin { get; init; } = TimeSpan.FromHours(24);
    /// <summary>How long before any other deadline (reassess-by, a grace period, an authorisation's expiry) the ward is warned.</summary>
    public TimeSpan DeadlineWarningNotice { get; init; } = TimeSpan.FromHours(48);
    /// <summary>Blanket-use signal: share of a ward's patients on one technology above which a ward is flagged.</summary>
    public double BlanketShareThreshold { get; init; } = 0.5;
    /// <summary>Blanket-use signal: the window in which those uses started.</summary>
    public TimeSpan BlanketWindow { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Blanket-use signal: fewer uses than this are never flagged on share alone (tiny wards).</summary>
    public int BlanketMinimumUses { get; init; } = 3;
    /// <summary>Rationales at or above this normalised similarity (0..1) count as copies.</summary>
    public double RationaleSimilarityThreshold { get; init; } = 0.9;
    /// <summary>How many near-identical rationales on one ward raise a signal.</summary>
    public int RationaleCopyMinimumUses { get; init; } = 3;
    /// <summary>
    /// Counts of the trust's uses in the region's tables from 1 to one below this are never shown (ADR 0019, 0040);
    /// domain.md: "fewer than 5 → not shown". A trust may raise it, not lower it; the region's tables use the strictest.
    /// </summary>
    public int SuppressionThreshold { get; init; } = LowestSuppressionThreshold;

    /// <summary>The lowest small-number threshold a trust may set.</summary>
    public const int LowestSuppressionThreshold = 5;
    /// <summary>The highest: above it the region's tables would hide nearly everything.</summary>
    public const int HighestSuppressionThreshold = 100;

    public static TrustPolicy Default { get; } = new();

    /// <summary>The upper limits a trust's periods may not exceed.</summary>
    public static class PlatformLimits
    {
        public static readonly TimeSpan CapacityRegainedGracePeriod = TimeSpan.FromHours(24);
        public static readonly TimeSpan CapacityLostTransition = TimeSpan.FromHours(12);
        public static readonly TimeSpan FluctuatingAssessmentMaxAge = TimeSpan.FromDays(28);
        public static readonly TimeSpan GillickFindingMaxAge = TimeSpan.FromDays(92);
        public static readonly TimeSpan ReviewGracePeriod = TimeSpan.FromDays(14);
        public static readonly TimeSpan ReviewDueSoonNotice = TimeSpan.FromDays(28);
        public static readonly TimeSpan MaxReviewInterval = TimeSpan.FromDays(92);
        public static readonly TimeSpan ObjectionRedecisionWithin = TimeSpan.FromHours(72);
        public static readonly TimeSpan DeadlineWarningNotice = TimeSpan.FromDays(14);
        public static readonly TimeSpan BlanketWindow = TimeSpan.FromDays(92);
    }

    private readonly record struct Period(string Field, TimeSpan Value, TimeSpan Limit, bool MustBePositive);

    private Period[] Periods() =>
    [
        new("capacity_regained_grace_period", CapacityRegainedGracePeriod, PlatformLimits.CapacityRegainedGracePeriod, false),
        new("capacity_lost_transition", CapacityLostTransition, PlatformLimits.CapacityLostTransition, false),
        new("fluctuating_assessment_max_age", FluctuatingAssessmentMaxAge, PlatformLimits.FluctuatingAssessmentMaxAge, true),
        new("gillick_finding_max_age", GillickFindingMaxAge, PlatformLimits.GillickFindingMaxAge, true),
        new("review_grace_period", ReviewGracePeriod, PlatformLimits.ReviewGracePeriod, false),
        new("review_due_soon_notice", ReviewDueSoonNotice, PlatformLimits.ReviewDueSoonNotice, false),
        new("max_review_interval", MaxReviewInterval, PlatformLimits.MaxReviewInterval, true),
        new("objection_redecision_within", ObjectionRedecisionWithin, PlatformLimits.ObjectionRedecisionWithin, true),
        new("deadline_warning_notice", DeadlineWarningNotice, PlatformLimits.DeadlineWarningNotice, false),
        new("blanket_window", BlanketWindow, PlatformLimits.BlanketWindow, true),
    ];

    /// <summary>Null when every value is a number within its range and the platform's limits; else a refusal naming the field.</summary>
    public Refusal? Validate()
    {
        foreach (var p in Periods())
        {
            if (p.Value < TimeSpan.Zero)
                return Refusal.Invalid("trust-policy.negative-period", $"{p.Field}: {Words(p.Field)} cannot be negative.") with { Field = p.Field };
            if (p.MustBePositive && p.Value == TimeSpan.Zero)
                return Refusal.Invalid("trust-policy.period-required", $"{p.Field}: {Words(p.Field)} must be longer than zero.") with { Field = p.Field };
            if (p.Value > p.Limit)
                return Refusal.Invalid("trust-policy.above-platform-limit",
                    $"{p.Field}: {Words(p.Field)} can be at most {InWords(p.Limit)}; the platform sets this limit so that enforcement cannot be switched off.") with { Field = p.Field };
        }
        foreach (var (field, value) in new[] { ("blanket_share_threshold", BlanketShareThreshold), ("rationale_similarity_threshold", RationaleSimilarityThreshold) })
        {
            if (double.IsNaN(value) || double.IsInfinity(value))
                return Refusal.Invalid("trust-policy.not-a-number", $"{field}: {Words(field)} must be a number between 0 and 1.") with { Field = field };
            if (value is <= 0 or > 1)
                return Refusal.Invalid("trust-policy.threshold-range", $"{field}: {Words(field)} must be more than 0 and at most 1.") with { Field = field };
        }
        if (BlanketMinimumUses < 2)
            return Refusal.Invalid("trust-policy.minimum-uses", "blanket_minimum_uses: the blanket-use minimum count must be at least 2.") with { Field = "blanket_minimum_uses" };
        if (SuppressionThreshold is < LowestSuppressionThreshold or > HighestSuppressionThreshold)
            return Refusal.Invalid("trust-policy.suppression-threshold-range",
                $"suppression_threshold: small-number suppression must be from {LowestSuppressionThreshold} to {HighestSuppressionThreshold}; it cannot be set below {LowestSuppressionThreshold}.") with { Field = "suppression_threshold" };
        if (RationaleCopyMinimumUses < 2)
            return Refusal.Invalid("trust-policy.minimum-uses", "rationale_copy_minimum_uses: the copied-rationale minimum count must be at least 2.") with { Field = "rationale_copy_minimum_uses" };
        return null;
    }

    /// <summary>
    /// This policy with every period brought within the platform's limits: a row stored before a limit was set (or
    /// lowered) cannot hold enforcement off.
    /// </summary>
    public TrustPolicy WithinPlatformLimits() => this with
    {
        CapacityRegainedGracePeriod = Clamp(CapacityRegainedGracePeriod, PlatformLimits.CapacityRegainedGracePeriod),
        CapacityLostTransition = Clamp(CapacityLostTransition, PlatformLimits.CapacityLostTransition),
        FluctuatingAssessmentMaxAge = Clamp(FluctuatingAssessmentMaxAge, PlatformLimits.FluctuatingAssessmentMaxAge),
        GillickFindingMaxAge = Clamp(GillickFindingMaxAge, PlatformLimits.GillickFindingMaxAge),
        ReviewGracePeriod = Clamp(ReviewGracePeriod, PlatformLimits.ReviewGracePeriod),
        ReviewDueSoonNotice = Clamp(ReviewDueSoonNotice, PlatformLimits.ReviewDueSoonNotice),
        MaxReviewInterval = Clamp(MaxReviewInterval, PlatformLimits.MaxReviewInterval),
        ObjectionRedecisionWithin = Clamp(ObjectionRedecisionWithin, PlatformLimits.ObjectionRedecisionWithin),
        DeadlineWarningNotice = Clamp(DeadlineWarningNotice, PlatformLimits.DeadlineWarningNotice),
        BlanketWindow = Clamp(BlanketWindow, PlatformLimits.BlanketWindow),
    };

    /// <summary>
    /// A change of policy by <paramref name="actor"/>: refused (naming the field) unless <paramref name="after"/> is
    /// valid, else the event with each changed field's value before and after.
    /// </summary>
    public static Outcome<TrustPolicyChanged> Change(TrustPolicy before, TrustPolicy after, string actor, DateTime at)
    {
        if (after.Validate() is { } refusal) return refusal;
        var changes = new List<TrustPolicyFieldChange>();
        var old = before.Fields();
        var now = after.Fields();
        for (var i = 0; i < old.Length; i++)
            if (old[i].Value != now[i].Value) changes.Add(new TrustPolicyFieldChange(old[i].Field, old[i].Value, now[i].Value));
        return new TrustPolicyChanged(actor, at, changes);
    }

    private (string Field, string Value)[] Fields()
    {
        var fields = new List<(string, string)>();
        foreach (var p in Periods()) fields.Add((p.Field, p.Value.ToString("c", CultureInfo.InvariantCulture)));
        fields.Add(("blanket_share_threshold", BlanketShareThreshold.ToString("R", CultureInfo.InvariantCulture)));
        fields.Add(("blanket_minimum_uses", BlanketMinimumUses.ToString(CultureInfo.InvariantCulture)));
        fields.Add(("rationale_similarity_threshold", RationaleSimilarityThreshold.ToString("R", CultureInfo.InvariantCulture)));
        fields.Add(("rationale_copy_minimum_uses", RationaleCopyMinimumUses.ToString(CultureInfo.InvariantCulture)));
        fields.Add(("suppression_threshold", SuppressionThreshold.ToString(CultureInfo.InvariantCulture)));
        return [.. fields];
    }

    private static TimeSpan Clamp(TimeSpan value, TimeSpan limit) => value > limit ? limit : value;

    private static string Words(string field) => "the " + field.Replace('_', ' ');

    private static string InWords(TimeSpan t) =>
        t.TotalDays >= 2 && t.TotalDays == Math.Floor(t.TotalDays) ? $"{t.TotalDays:0} days" : $"{t.TotalHours:0.#} hours";
}

/// <summary>One field of a trust policy change: its value before and after (invariant text).</summary>
public sealed record TrustPolicyFieldChange(string Field, string Before, string After);

/// <summary>The domain event for a trust policy change: who changed it, when, and what each changed field was and became.</summary>
public sealed record TrustPolicyChanged(string Actor, DateTime At, IReadOnlyList<TrustPolicyFieldChange> Changes);
