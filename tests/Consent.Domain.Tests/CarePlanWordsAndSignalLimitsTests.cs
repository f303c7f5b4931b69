using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the first mutation run of CarePlanRecord.cs, TrustPolicy.cs and BlanketUseDetector.cs found): what
/// staff read when a care plan, a human-rights balancing or a safety proportionality record is refused (P1, P2, P6;
/// Human Rights Act 1998 Sch 1), the patient's copy of the care plan word for word under each basis (MCA 2005 s1-s4;
/// MHA 1983 s63), a trust policy limit of one day in words, and the blanket-use signal's edges (P2).
/// </summary>
public class CarePlanWordsAndSignalLimitsTests
{
    private static void Refused(Refusal? refusal, string rule, string message)
    {
        Assert.NotNull(refusal);
        Assert.Equal(RefusalKind.InvalidArgument, refusal.Kind);
        Assert.Equal((rule, message), (refusal.Rule, refusal.Message));
    }

    // ---- The care plan's eight items (P2) ----

    public static TheoryData<string, string, string> Items => new()
    {
        { "technology-name", "care-plan.technology-name-missing", "Name the specific digital technology in the care plan." },
        { "reason", "care-plan.reason-missing", "Record the reason this technology is being used for this patient." },
        { "when-and-how", "care-plan.when-and-how-missing", "Explain when and how the technology will be used." },
        { "information-given", "care-plan.information-given-missing", "Summarise the information given to the patient and/or their family and carers." },
        { "information-format", "care-plan.information-format-missing", "Record the accessible format the information was given in." },
        { "decision-making-process", "care-plan.decision-making-process-missing", "Record the decision-making process that led to using the technology." },
        { "data-use", "care-plan.data-use-missing", "Explain how the patient's data produced by the technology will be used." },
        { "next-review-date", "care-plan.next-review-date-missing", "Set the date of the next review." },
        { "review-covers", "care-plan.review-covers-missing", "Record what the next review will cover." },
        { "how-to-withdraw", "care-plan.how-to-withdraw-missing", "Explain how the patient (or the person acting for them) can withdraw consent." },
    };

    /// <summary>A complete plan built field by field, leaving <paramref name="left"/> as a fresh record has it (never sent).</summary>
    private static CarePlanRecord PlanWithout(string left)
    {
        var plan = new CarePlanRecord { Id = Guid.NewGuid() };
        if (left != "technology-name") plan.TechnologyName = "SleepSense bed sensor";
        if (left != "reason") plan.Reason = "Night-time falls";
        if (left != "when-and-how") plan.WhenAndHowUsed = "Under the mattress, 22:00 to 07:00";
        if (left != "information-given") plan.InformationGiven = "Easy-read leaflet";
        if (left != "information-format") plan.InformationFormat = AccessibleFormat.EasyRead;
        if (left != "decision-making-process") plan.DecisionMakingProcess = "Ward round with her and her daughter";
        if (left != "data-use") plan.DataUse = "Alerts only";
        if (left != "next-review-date") plan.NextReviewDate = Now.AddDays(14);
        if (left != "review-covers") plan.ReviewCovers = "Falls since start";
        if (left != "how-to-withdraw") plan.HowToWithdraw = "Tell any nurse";
        return plan;
    }

    [Theory]
    [MemberData(nameof(Items))]
    public void A_care_plan_item_never_sent_is_refused_naming_the_item_and_saying_what_to_record_P2(string item, string rule, string message)
    {
        Assert.Null(PlanWithout("none").Validate(Policy, Now));
        Refused(PlanWithout(item).Validate(Policy, Now), rule, message);
    }

    [Fact]
    public void A_care_plan_without_a_record_id_and_with_a_review_date_out_of_range_is_refused_in_words_P2()
    {
        Refused(new CarePlanRecord().Validate(Policy, Now), "care-plan.record-id-missing", "The care-plan record needs an id.");
        var plan = PlanWithout("none");
        plan.NextReviewDate = Now;
        Refused(plan.Validate(Policy, Now), "care-plan.next-review-in-past", "The next review date must be in the future.");
        plan.NextReviewDate = Now + Policy.MaxReviewInterval + TimeSpan.FromTicks(1);
        Refused(plan.Validate(Policy, Now), "care-plan.next-review-too-far", "The next review must be within 92 days.");
    }

    [Theory]
    [InlineData("technology-name")]
    [InlineData("reason")]
    [InlineData("when-and-how-used")]
    [InlineData("information-given")]
    [InlineData("decision-making-process")]
    [InlineData("data-use")]
    [InlineData("review-covers")]
    [InlineData("how-to-withdraw")]
    public void Each_free_text_item_of_a_care_plan_is_checked_under_its_own_name(string field)
    {
        var plan = PlanWithout("none");
        Assert.Null(plan.ValidateText());
        const string bad = "Night\u0007time";
        switch (field)
        {
            case "technology-name": plan.TechnologyName = bad; break;
            case "reason": plan.Reason = bad; break;
            case "when-and-how-used": plan.WhenAndHowUsed = bad; break;
            case "information-given": plan.InformationGiven = bad; break;
            case "decision-making-process": plan.DecisionMakingProcess = bad; break;
            case "data-use": plan.DataUse = bad; break;
            case "review-covers": plan.ReviewCovers = bad; break;
            default: plan.HowToWithdraw = bad; break;
        }
        Assert.Equal($"{field}.control-characters", plan.ValidateText()?.Rule);
    }

    // ---- The patient's copy (P2), word for word ----

    private static CarePlanRecord Plan()
    {
        var plan = PlanWithout("none");
        plan.NextReviewDate = new DateTime(2026, 3, 16, 12, 0, 0, DateTimeKind.Utc);
        return plan;
    }

    [Fact]
    public void The_patients_copy_under_their_own_consent_reads_in_full_P2_MCA_2005_s1_2()
    {
        Assert.Equal(
            "Your care plan: using SleepSense bed sensor\n\n" +
            "What this is for\nNight-time falls\n\n" +
            "When and how it will be used\nUnder the mattress, 22:00 to 07:00\n\n" +
            "What we told you\nEasy-read leaflet We gave you this information as: easy read.\n\n" +
            "How the decision was made\nYou agreed to this. Ward round with her and her daughter\n\n" +
            "What happens to your information\nAlerts only\n\n" +
            "When we will look at this again\nWe will review this by 16 March 2026. At the review we will look at: Falls since start\n\n" +
            "How to say no or change your mind\nYou can change your mind at any time. If you do, we will stop using it straight away. Tell any nurse\n\n",
            Plan().PatientCopy(LawfulBasisKind.OwnConsent, ProxyKind.Unspecified));
    }

    public static TheoryData<LawfulBasisKind, ProxyKind, string, string> Bases => new()
    {
        {
            LawfulBasisKind.ProxyConsent, ProxyKind.ParentalResponsibility, "A person with parental responsibility for you agreed to this for you.",
            "The person with parental responsibility who agreed can change their mind at any time, and if they do we will stop using it straight away. " +
            "If you do not want it, tell us or show us at any time. We will not just carry on: we will look at the decision again within 24 hours, " +
            "and only carry on if it is needed to keep you from harm and is the least restrictive way to help you. An advocate can help you say what you want."
        },
        {
            LawfulBasisKind.ProxyConsent, ProxyKind.LastingPowerOfAttorney, "Your attorney (under your Lasting Power of Attorney) agreed to this for you.",
            "Your attorney can change their mind at any time"
        },
        { LawfulBasisKind.ProxyConsent, ProxyKind.Deputy, "Your deputy, appointed by the court, agreed to this for you.", "Your deputy can change their mind at any time" },
        { LawfulBasisKind.ProxyConsent, ProxyKind.Unspecified, "Someone legally able to decide for you agreed to this.", "The person who agreed for you can change their mind" },
        {
            LawfulBasisKind.BestInterests, ProxyKind.Unspecified,
            "You were not able to make this decision at the time, so we made a best-interests decision, after talking with the people who know you and listening to your wishes.",
            "If you do not want it, tell us or show us at any time. We will not just carry on: we will look at the decision again within 24 hours, " +
            "with the people who know you, and only carry on if it is still best for you, needed to keep you from harm, and the least restrictive way to help you. " +
            "An advocate can help you say what you want. If you become able to decide this yourself, we will ask you, and it will be your decision."
        },
        {
            LawfulBasisKind.CourtOrder, ProxyKind.Unspecified, "A court made this decision.",
            "A court decided this, so we must follow its order. If you do not want it, tell us: we will listen, write down what you say, and tell the court if things change. " +
            "You, or someone for you, can ask the court to look at it again, and we will help you do that."
        },
        {
            LawfulBasisKind.MentalHealthActSection63, ProxyKind.Unspecified, "Your responsible clinician decided this as part of your treatment under the Mental Health Act.",
            "Your responsible clinician decided this under section 63 of the Mental Health Act, as part of your treatment. You can tell us you do not want it at any time: " +
            "we will talk it through with you and write down your views. Your Independent Mental Health Advocate can help you."
        },
    };

    [Theory]
    [MemberData(nameof(Bases))]
    public void The_patients_copy_says_who_decided_and_what_saying_no_does_under_each_basis_MCA_2005_s4_s6_MHA_1983_s63(
        LawfulBasisKind basis, ProxyKind proxy, string whoDecided, string sayingNo)
    {
        var copy = Plan().PatientCopy(basis, proxy);
        Assert.Contains($"\n\nHow the decision was made\n{whoDecided} Ward round with her and her daughter\n\n", copy);
        Assert.Contains($"\n\nHow to say no or change your mind\n{sayingNo}", copy);
        Assert.EndsWith(" Tell any nurse\n\n", copy);
    }

    [Fact]
    public void Under_a_basis_the_copy_does_not_know_it_says_only_how_the_decision_was_made()
    {
        Assert.Contains("\n\nHow the decision was made\nWard round with her and her daughter\n\n", Plan().PatientCopy(LawfulBasisKind.None, ProxyKind.Unspecified));
    }

    // ---- Human rights balancing (P1) and safety proportionality (P6) ----

    [Fact]
    public void A_human_rights_balancing_is_refused_saying_what_to_record_P1_Human_Rights_Act_1998_Sch_1()
    {
        var rights = Balancing();
        rights.RightsEngaged = HumanRight.None;
        Refused(rights.Validate(), "human-rights.rights-engaged-missing",
            "Record which rights are engaged: life; liberty and security; private and family life; freedom from inhuman or degrading treatment.");
        rights = Balancing();
        rights.HowBalanced = " ";
        Refused(rights.Validate(), "human-rights.balancing-missing", "Record how the rights engaged were balanced in deciding to use the technology.");
        rights = Balancing();
        rights.LegalAdviceSought = null;
        Refused(rights.Validate(), "human-rights.legal-advice-missing", "Record whether legal advice was sought.");
        rights = Balancing();
        rights.LegalAdviceSought = true;
        Refused(rights.Validate(), "human-rights.legal-advice-summary-missing", "Summarise the legal advice received.");
    }

    [Fact]
    public void A_safety_proportionality_record_is_refused_saying_what_to_record_P6()
    {
        var safety = Proportionate();
        safety.WhyProportionate = "";
        Refused(safety.Validate(), "safety.proportionality-missing", "Record why using this technology to manage the safety risk is proportionate to the need.");
        safety = Proportionate();
        safety.HowRelationalCareContinues = " ";
        Refused(safety.Validate(), "safety.relational-care-missing", "Record how relational care and therapeutic engagement continue alongside the technology.");
    }

    // ---- Trust policy ----

    [Fact]
    public void A_limit_of_one_day_is_said_as_24_hours_not_1_days()
    {
        var refusal = (TrustPolicy.Default with { CapacityRegainedGracePeriod = TimeSpan.FromHours(25) }).Validate();
        Refused(refusal, "trust-policy.above-platform-limit",
            "capacity_regained_grace_period: the capacity regained grace period can be at most 24 hours; the platform sets this limit so that enforcement cannot be switched off.");
        Assert.Contains("can be at most 14 days;", (TrustPolicy.Default with { DeadlineWarningNotice = TimeSpan.FromDays(15) }).Validate()!.Message);
    }

    // ---- Blanket use (P2) ----

    [Fact]
    public void Similarity_counts_every_trigram_of_both_texts_including_the_last()
    {
        // "  abc " gives "  a", " ab", "abc", "bc "; "  abd " gives "  a", " ab", "abd", "bd ": 2 shared of 8, Dice 0.5.
        Assert.Equal(0.5, BlanketUseDetector.Similarity("abc", "abd"));
        Assert.Equal(0.5, BlanketUseDetector.Similarity("abd", "abc"));
    }

    [Fact]
    public void Reasons_with_no_letters_or_digits_are_not_copies_of_each_other()
    {
        var basis = OwnBasis(Own(ConsentDecision.Given, DaysAgo(2)));
        var uses = new[] { "...", "-", "?!" }.Select(r => ActiveUse(basis, DaysAgo(30), patient: Guid.NewGuid(), reason: r)).ToList();
        Assert.Empty(BlanketUseDetector.Detect(Ward, 20, uses, Policy, Now));
    }

    [Fact]
    public void A_clusters_similarity_is_its_least_similar_pair_even_when_that_pair_is_linked_first()
    {
        var basis = OwnBasis(Own(ConsentDecision.Given, DaysAgo(2)));
        string[] reasons =
        [
            "night time falls getting up to the toilet twice this week",
            "night time falls getting up to the toilet twice this month ok",
            "night time falls getting up to the toilet twice this week ok",
        ];
        var uses = reasons.Select(r => ActiveUse(basis, DaysAgo(30), patient: Guid.NewGuid(), reason: r)).ToList();
        double Sim(int i, int j) => BlanketUseDetector.Similarity(reasons[i], reasons[j]);
        var lowest = Math.Min(Sim(0, 1), Math.Min(Sim(0, 2), Sim(1, 2)));
        Assert.Equal(Sim(0, 1), lowest); // the first pair compared is the least similar
        Assert.True(Sim(0, 2) > lowest);

        var signal = Assert.Single(BlanketUseDetector.Detect(Ward, 20, uses, Policy with { RationaleSimilarityThreshold = lowest }, Now));
        Assert.Equal((3, lowest), (signal.UseCount, signal.MinimumSimilarity));
    }

    [Fact]
    public void A_ward_with_no_patients_counted_shows_a_share_of_0_not_a_division_by_zero_and_signals_come_in_technology_order()
    {
        var basis = OwnBasis(Own(ConsentDecision.Given, DaysAgo(2)));
        const string reason = "Night-time falls: two falls this admission while getting up to the toilet";
        var first = Technology < OtherTechnology ? Technology : OtherTechnology;
        var second = first == Technology ? OtherTechnology : Technology;
        var uses = Enumerable.Range(0, 3).SelectMany(_ => new[]
        {
            ActiveUse(basis, DaysAgo(30), patient: Guid.NewGuid(), reason: reason, technology: second),
            ActiveUse(basis, DaysAgo(30), patient: Guid.NewGuid(), reason: reason, technology: first),
        }).ToList();

        var signals = BlanketUseDetector.Detect(Ward, 0, uses, Policy, Now);
        Assert.Equal([first, second], signals.Select(s => s.TechnologyId));
        Assert.All(signals, s => Assert.Equal((BlanketSignalKind.NearIdenticalRationales, 0.0), (s.Kind, s.Share)));
    }
}
