using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>A trust's settings for the procurement rules. Stored once per tenant; every value has a safe default.</summary>
public sealed record ProcurementPolicy
{
    /// <summary>How long an approval stands after evidence behind one of its gates runs out, while it is renewed.</summary>
    public TimeSpan ExpiryGracePeriod { get; init; } = TimeSpan.FromDays(30);
    /// <summary>The longest a trial approval may run before it must become a full approval or end.</summary>
    public TimeSpan MaxTrialLength { get; init; } = TimeSpan.FromDays(365);
    /// <summary>The EHIA must be reviewed at least this often (P3: "regularly reviewed").</summary>
    public TimeSpan MaxEhiaReviewInterval { get; init; } = TimeSpan.FromDays(365);
    /// <summary>Refresher training must come round at least this often.</summary>
    public int MaxRefresherIntervalMonths { get; init; } = 12;
    /// <summary>The lowest DTAC D1 usability and accessibility score (percent) the trust accepts; 0 accepts any recorded score.</summary>
    public int MinimumUsabilityScorePercent { get; init; }

    public static ProcurementPolicy Default { get; } = new();

    public Refusal? Validate()
    {
        if (ExpiryGracePeriod < TimeSpan.Zero || ExpiryGracePeriod > TimeSpan.FromDays(90))
            return Refusal.Invalid("procurement-policy.grace-period-range", "The grace period for expired evidence must be between 0 and 90 days.");
        if (MaxTrialLength <= TimeSpan.Zero || MaxEhiaReviewInterval <= TimeSpan.Zero)
            return Refusal.Invalid("procurement-policy.period-required", "The longest trial and the EHIA review interval must be positive.");
        if (MaxRefresherIntervalMonths is < 1 or > 36)
            return Refusal.Invalid("procurement-policy.refresher-range", "Refresher training must come round between every month and every 36 months.");
        if (MinimumUsabilityScorePercent is < 0 or > 100)
            return Refusal.Invalid("procurement-policy.usability-range", "The minimum usability and accessibility score must be a percentage from 0 to 100.");
        return null;
    }
}
