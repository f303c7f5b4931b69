using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the mutation run of TrustPolicy.cs, FreeText.cs and NhsNumber.cs found): a trust's settings are refused
/// naming the field and the limit, on the limit itself and just past it; free text is refused naming its field, its
/// limit and the character; an NHS number's check digit of 0.
/// </summary>
public class PolicyTextAndNumberTests
{
    private static readonly TrustPolicy Default = TrustPolicy.Default;

    private static void Refused(Refusal? refusal, string rule, string messageStart)
    {
        Assert.NotNull(refusal);
        Assert.Equal(RefusalKind.InvalidArgument, refusal.Kind);
        Assert.Equal(rule, refusal.Rule);
        Assert.StartsWith(messageStart, refusal.Message);
    }

    // ---- Trust policy ----

    public static TheoryData<string, Func<TimeSpan, TrustPolicy>, TimeSpan, bool> Periods => new()
    {
        { "capacity_regained_grace_period", t => Default with { CapacityRegainedGracePeriod = t }, TrustPolicy.PlatformLimits.CapacityRegainedGracePeriod, false },
        { "capacity_lost_transition", t => Default with { CapacityLostTransition = t }, TrustPolicy.PlatformLimits.CapacityLostTransition, false },
        { "fluctuating_assessment_max_age", t => Default with { FluctuatingAssessmentMaxAge = t }, TrustPolicy.PlatformLimits.FluctuatingAssessmentMaxAge, true },
        { "gillick_finding_max_age", t => Default with { GillickFindingMaxAge = t }, TrustPolicy.PlatformLimits.GillickFindingMaxAge, true },
        { "review_grace_period", t => Default with { ReviewGracePeriod = t }, TrustPolicy.PlatformLimits.ReviewGracePeriod, false },
        { "review_due_soon_notice", t => Default with { ReviewDueSoonNotice = t }, TrustPolicy.PlatformLimits.ReviewDueSoonNotice, false },
        { "max_review_interval", t => Default with { MaxReviewInterval = t }, TrustPolicy.PlatformLimits.MaxReviewInterval, true },
        { "objection_redecision_within", t => Default with { ObjectionRedecisionWithin = t }, TrustPolicy.PlatformLimits.ObjectionRedecisionWithin, true },
        { "deadline_warning_notice", t => Default with { DeadlineWarningNotice = t }, TrustPolicy.PlatformLimits.DeadlineWarningNotice, false },
        { "blanket_window", t => Default with { BlanketWindow = t }, TrustPolicy.PlatformLimits.BlanketWindow, true },
    };

    [Theory]
    [MemberData(nameof(Periods))]
    public void Each_period_is_refused_naming_its_field_when_negative_zero_where_it_must_run_or_past_the_platforms_limit(
        string field, Func<TimeSpan, TrustPolicy> with, TimeSpan limit, bool mustBePositive)
    {
        Assert.Null(with(limit).Validate());
        Refused(with(limit + TimeSpan.FromTicks(1)).Validate(), "trust-policy.above-platform-limit", $"{field}: the {field.Replace('_', ' ')} can be at most ");
        Refused(with(TimeSpan.FromTicks(-1)).Validate(), "trust-policy.negative-period", $"{field}: the {field.Replace('_', ' ')} cannot be negative.");
        if (mustBePositive) Refused(with(TimeSpan.Zero).Validate(), "trust-policy.period-required", $"{field}: the {field.Replace('_', ' ')} must be longer than zero.");
        else Assert.Null(with(TimeSpan.Zero).Validate());
        Assert.Null(with(TimeSpan.FromTicks(1)).Validate());

        // A stored value past the limit is read as the limit; one within it is kept.
        var bounded = with(limit + TimeSpan.FromDays(400)).WithinPlatformLimits();
        Assert.Null(bounded.Validate());
        Assert.Equal(with(limit), bounded);
        Assert.Equal(with(TimeSpan.FromTicks(1)), with(TimeSpan.FromTicks(1)).WithinPlatformLimits());
    }

    [Fact]
    public void The_limit_is_said_in_days_when_whole_days_and_in_hours_otherwise()
    {
        Assert.Contains("can be at most 12 hours;", (Default with { CapacityLostTransition = TimeSpan.FromHours(13) }).Validate()!.Message);
        Assert.Contains("can be at most 3 days;", (Default with { ObjectionRedecisionWithin = TimeSpan.FromHours(73) }).Validate()!.Message);
        Assert.Contains("can be at most 14 days;", (Default with { ReviewGracePeriod = TimeSpan.FromDays(15) }).Validate()!.Message);
        Assert.Contains("can be at most 92 days;", (Default with { MaxReviewInterval = TimeSpan.FromDays(93) }).Validate()!.Message);
        Assert.EndsWith("so that enforcement cannot be switched off.", (Default with { MaxReviewInterval = TimeSpan.FromDays(93) }).Validate()!.Message);
    }

    [Theory]
    [InlineData("blanket_share_threshold")]
    [InlineData("rationale_similarity_threshold")]
    public void A_threshold_is_a_number_more_than_0_and_at_most_1(string field)
    {
        TrustPolicy With(double v) => field == "blanket_share_threshold" ? Default with { BlanketShareThreshold = v } : Default with { RationaleSimilarityThreshold = v };
        Assert.Null(With(1).Validate());
        Assert.Null(With(double.Epsilon).Validate());
        Refused(With(double.NaN).Validate(), "trust-policy.not-a-number", $"{field}: the {field.Replace('_', ' ')} must be a number between 0 and 1.");
        Refused(With(double.PositiveInfinity).Validate(), "trust-policy.not-a-number", $"{field}:");
        Refused(With(double.NegativeInfinity).Validate(), "trust-policy.not-a-number", $"{field}:");
        Refused(With(0).Validate(), "trust-policy.threshold-range", $"{field}: the {field.Replace('_', ' ')} must be more than 0 and at most 1.");
        Refused(With(-0.5).Validate(), "trust-policy.threshold-range", $"{field}:");
        Refused(With(1.0000001).Validate(), "trust-policy.threshold-range", $"{field}:");
    }

    [Fact]
    public void The_minimum_counts_of_the_blanket_use_signals_are_at_least_2()
    {
        Assert.Null((Default with { BlanketMinimumUses = 2, RationaleCopyMinimumUses = 2 }).Validate());
        Refused((Default with { BlanketMinimumUses = 1 }).Validate(), "trust-policy.minimum-uses", "blanket_minimum_uses:");
        Refused((Default with { RationaleCopyMinimumUses = 1 }).Validate(), "trust-policy.minimum-uses", "rationale_copy_minimum_uses:");
    }

    [Fact]
    public void A_policy_change_lists_each_field_changed_in_invariant_text_and_nothing_else()
    {
        var after = Default with
        {
            CapacityLostTransition = TimeSpan.FromHours(6), BlanketShareThreshold = 0.75, BlanketMinimumUses = 4, RationaleSimilarityThreshold = 0.85,
            RationaleCopyMinimumUses = 5,
        };
        var changed = TrustPolicy.Change(Default, after, "staff:admin-1", TestData.Now).Value;
        Assert.Equal(
        [
            new TrustPolicyFieldChange("capacity_lost_transition", "08:00:00", "06:00:00"),
            new TrustPolicyFieldChange("blanket_share_threshold", "0.5", "0.75"),
            new TrustPolicyFieldChange("blanket_minimum_uses", "3", "4"),
            new TrustPolicyFieldChange("rationale_similarity_threshold", "0.9", "0.85"),
            new TrustPolicyFieldChange("rationale_copy_minimum_uses", "3", "5"),
        ], changed.Changes);
        Assert.Empty(TrustPolicy.Change(Default, Default, "staff:admin-1", TestData.Now).Value.Changes);
    }

    // ---- Free text ----

    [Fact]
    public void A_one_line_field_holds_up_to_200_characters_and_no_control_character_at_all()
    {
        Assert.Null(FreeText.Short("recorded-by", new string('a', FreeText.ShortLimit)));
        Assert.Null(FreeText.Short("recorded-by", null));
        Assert.Null(FreeText.Short("recorded-by", ""));
        var tooLong = FreeText.Short("recorded-by", new string('a', FreeText.ShortLimit + 1));
        Refused(tooLong, "recorded-by.too-long", "Recorded by must be at most 200 characters (it has 201).");
        Refused(FreeText.Short("recorded-by", "a\nb"), "recorded-by.control-characters", "Recorded by contains a control character (U+000A)");
        Refused(FreeText.Short("document-reference", "a\tb"), "document-reference.control-characters", "Document reference contains a control character (U+0009)");
        Refused(FreeText.Short("x", "\r"), "x.control-characters", "X contains a control character (U+000D)");
    }

    [Fact]
    public void A_narrative_holds_up_to_4000_characters_with_line_breaks_and_tabs_but_no_other_control_character()
    {
        Assert.Null(FreeText.Narrative("reasons", new string('a', FreeText.NarrativeLimit)));
        Refused(FreeText.Narrative("reasons", new string('a', FreeText.NarrativeLimit + 1)), "reasons.too-long", "Reasons must be at most 4000 characters (it has 4001).");
        Assert.Null(FreeText.Narrative("reasons", "line one\r\nline two\tand a tab"));
        Refused(FreeText.Narrative("reasons", "bell\u0007"), "reasons.control-characters", "Reasons contains a control character (U+0007)");
        Refused(FreeText.Narrative("reasons", "\u001b[2J"), "reasons.control-characters", "Reasons contains a control character (U+001B)");
    }

    [Fact]
    public void A_broken_character_is_refused_and_a_whole_one_outside_the_basic_plane_is_kept()
    {
        Assert.Null(FreeText.Short("reasons", "sleeps well \ud83d\ude00"));
        Assert.Null(FreeText.Short("reasons", "\ud83d\ude00"));
        Refused(FreeText.Short("reasons", "ends high \ud83d"), "reasons.invalid-characters", "Reasons contains a broken character");
        Refused(FreeText.Short("reasons", "\ud83dx"), "reasons.invalid-characters", "Reasons contains a broken character");
        Refused(FreeText.Short("reasons", "\ude00 starts low"), "reasons.invalid-characters", "Reasons contains a broken character");
        Refused(FreeText.Short("reasons", "x\ude00"), "reasons.invalid-characters", "Reasons contains a broken character");
        Refused(FreeText.Short("reasons", "\ude00\ud83d"), "reasons.invalid-characters", "Reasons contains a broken character");
    }

    [Fact]
    public void Of_several_checks_the_first_refusal_is_the_one_returned()
    {
        var first = FreeText.Short("a", "\u0007");
        var second = FreeText.Short("b", "\u0007");
        Assert.Same(first, FreeText.First(null, first, second));
        Assert.Same(second, FreeText.First(null, null, second));
        Assert.Null(FreeText.First(null, null));
        Assert.Null(FreeText.First());
    }

    // ---- NHS number ----

    [Fact]
    public void A_number_whose_check_works_out_as_11_has_the_check_digit_0()
    {
        Assert.Equal(0, NhsNumber.CheckDigit("828836075"));
        var parsed = NhsNumber.Parse("828 836 0750");
        Assert.False(parsed.IsRefused, parsed.Refusal?.Message);
        Assert.Equal("8288360750", parsed.Value.ToString());
        Assert.Equal("nhs-number.check-digit", NhsNumber.Parse("8288360751").Refusal?.Rule);
        Assert.Equal(9, NhsNumber.CheckDigit("943476591"));
    }

    [Theory]
    [InlineData("   ", "nhs-number.required", "NHS number is required.")]
    [InlineData("943.476.5919", "nhs-number.format", "NHS number must be 10 digits.")]
    [InlineData("943 476 591٩", "nhs-number.format", "NHS number must be 10 digits.")]
    [InlineData("2222222222", "nhs-number.format", "NHS number cannot be one digit repeated.")]
    public void Malformed_numbers_are_refused_saying_what_is_wrong(string input, string rule, string message)
    {
        var refusal = NhsNumber.Parse(input).Refusal;
        Assert.Equal((rule, message, RefusalKind.InvalidArgument), (refusal?.Rule, refusal?.Message, refusal?.Kind));
    }
}
