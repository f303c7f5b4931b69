using Platform.Evidence.Domain;
using Xunit;

namespace Platform.Evidence.Domain.Tests;

public class InstrumentScoringTests
{
    private static T Scored<T>(InstrumentResponses responses) where T : InstrumentScore => Assert.IsType<T>(responses.Score().Value);
    private static string? Refused(InstrumentResponses responses) => responses.Score().Refusal?.Rule;

    // HoNOS

    [Fact]
    public void Honos_adds_the_known_items_and_leaves_out_those_rated_9()
    {
        // Items:           1  2  3  4  5  6  7  8  9 10 11 12
        var score = Scored<HonosScore>(new HonosResponses([2, 0, 1, 9, 0, 3, 2, 1, 9, 2, 1, 0], HonosProblemType.B_Anxiety));
        Assert.Equal((12, 10), (score.Total, score.KnownItems));
        Assert.Equal((3, 0, 6, 3), (score.Behaviour, score.Impairment, score.Symptoms, score.Social));
        Assert.Equal(12, score.Headline);
    }

    [Fact]
    public void Honos_runs_from_0_to_48()
    {
        Assert.Equal(0, Scored<HonosScore>(new HonosResponses(Enumerable.Repeat(0, 12).ToList())).Total);
        var worst = Scored<HonosScore>(new HonosResponses(Enumerable.Repeat(4, 12).ToList(), HonosProblemType.H_Sleep));
        Assert.Equal((48, 12, 8, 12, 16), (worst.Total, worst.Behaviour, worst.Impairment, worst.Symptoms, worst.Social));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(-1)]
    [InlineData(8)]
    public void A_honos_rating_outside_0_to_4_or_9_is_refused_naming_the_item(int rating)
    {
        var ratings = Enumerable.Repeat(1, 12).ToList();
        ratings[6] = rating;
        var refusal = new HonosResponses(ratings, HonosProblemType.A_Phobic).Score().Refusal;
        Assert.Equal("honos.item-range", refusal?.Rule);
        Assert.Contains("item 7 (problems with depressed mood)", refusal!.Message);
    }

    [Fact]
    public void Honos_needs_twelve_ratings_something_known_and_the_kind_of_problem_at_item_8()
    {
        Assert.Equal("honos.item-count", Refused(new HonosResponses([1, 2, 3])));
        Assert.Equal("honos.nothing-known", Refused(new HonosResponses(Enumerable.Repeat(9, 12).ToList())));
        var item8Problem = Enumerable.Repeat(0, 12).ToList();
        item8Problem[7] = 2;
        Assert.Equal("honos.item-8-type-missing", Refused(new HonosResponses(item8Problem)));
        Assert.Equal("honos.item-8-type-without-problem", Refused(new HonosResponses(Enumerable.Repeat(0, 12).ToList(), HonosProblemType.G_Eating)));
    }

    // CORE-10

    [Fact]
    public void Core10_reverses_items_2_and_3_and_adds_the_ten()
    {
        // As ticked: 3 1 0 2 2 0 3 3 4 1. Items 2 and 3 score 4-1=3 and 4-0=4: 3+3+4+2+2+0+3+3+4+1 = 25.
        var score = Scored<Core10Score>(new Core10Responses([3, 1, 0, 2, 2, 0, 3, 3, 4, 1]));
        Assert.Equal((25.0, false, true, false), (score.ClinicalScore, score.Prorated, score.InClinicalRange, score.RiskItemEndorsed));
    }

    [Fact]
    public void Answering_not_at_all_to_every_core10_item_scores_8_because_the_support_and_coping_items_are_reversed()
    {
        Assert.Equal(8.0, Scored<Core10Score>(new Core10Responses(Enumerable.Repeat<int?>(0, 10).ToList())).ClinicalScore);
        Assert.Equal(32.0, Scored<Core10Score>(new Core10Responses(Enumerable.Repeat<int?>(4, 10).ToList())).ClinicalScore);
        Assert.Equal(40.0, Scored<Core10Score>(new Core10Responses([4, 0, 0, 4, 4, 4, 4, 4, 4, 4])).ClinicalScore);
    }

    [Fact]
    public void Core10_pro_rates_one_missing_item_as_the_mean_of_the_nine_times_ten()
    {
        // The nine answered score 3+3+4+2+2+0+3+3+4 = 24: 24 / 9 x 10 = 26.67.
        var score = Scored<Core10Score>(new Core10Responses([3, 1, 0, 2, 2, 0, 3, 3, 4, null]));
        Assert.Equal((26.67, true, 9), (Math.Round(score.ClinicalScore, 2), score.Prorated, score.ItemsAnswered));
    }

    [Fact]
    public void Core10_is_not_scored_with_two_items_missing()
    {
        Assert.Equal("core-10.too-many-missing", Refused(new Core10Responses([3, 1, 0, 2, 2, 0, 3, 3, null, null])));
    }

    [Fact]
    public void The_core10_clinical_range_starts_at_11()
    {
        var ten = Scored<Core10Score>(new Core10Responses([2, 4, 4, 2, 1, 0, 2, 1, 1, 1]));
        var eleven = Scored<Core10Score>(new Core10Responses([2, 4, 4, 2, 1, 0, 2, 1, 1, 2]));
        Assert.Equal((10.0, false), (ten.ClinicalScore, ten.InClinicalRange));
        Assert.Equal((11.0, true), (eleven.ClinicalScore, eleven.InClinicalRange));
    }

    [Fact]
    public void Any_answer_but_not_at_all_to_the_core10_risk_item_is_flagged()
    {
        Assert.True(Scored<Core10Score>(new Core10Responses([0, 4, 4, 0, 0, 1, 0, 0, 0, 0])).RiskItemEndorsed);
    }

    [Fact]
    public void A_core10_answer_outside_0_to_4_is_refused_naming_the_item()
    {
        var refusal = new Core10Responses([0, 4, 4, 0, 5, 0, 0, 0, 0, 0]).Score().Refusal;
        Assert.Equal("core-10.item-range", refusal?.Rule);
        Assert.Contains("item 5", refusal!.Message);
        Assert.Equal("core-10.item-count", Refused(new Core10Responses([0, 1])));
    }

    // ReQoL-10

    [Fact]
    public void Reqol10_reverses_its_four_negatively_worded_items_so_a_higher_total_is_better()
    {
        // Best: every positive item "most or all of the time" (4), every negative one "none of the time" (0).
        Assert.Equal(40, Scored<ReQoL10Score>(new ReQoL10Responses([0, 4, 0, 4, 4, 0, 4, 4, 0, 4])).Total);
        Assert.Equal(0, Scored<ReQoL10Score>(new ReQoL10Responses([4, 0, 4, 0, 0, 4, 0, 0, 4, 0])).Total);
        // "Most or all of the time" to everything: six positives at 4 and four negatives at 0.
        Assert.Equal(24, Scored<ReQoL10Score>(new ReQoL10Responses(Enumerable.Repeat(4, 10).ToList())).Total);
    }

    [Fact]
    public void Reqol10_scores_a_mixed_set_of_answers()
    {
        // Answers 2 1 3 2 1 0 2 1 3 2; negatives (1, 3, 6, 9) score 4-2, 4-3, 4-0, 4-3 = 2+1+4+1 = 8; positives 1+2+1+2+1+2 = 9.
        var score = Scored<ReQoL10Score>(new ReQoL10Responses([2, 1, 3, 2, 1, 0, 2, 1, 3, 2], PhysicalHealth: 3));
        Assert.Equal((17, 3), (score.Total, score.PhysicalHealth));
    }

    [Fact]
    public void The_reqol_physical_health_item_stays_outside_the_total()
    {
        var answers = new[] { 2, 1, 3, 2, 1, 0, 2, 1, 3, 2 };
        Assert.Equal(Scored<ReQoL10Score>(new ReQoL10Responses(answers, 0)).Total, Scored<ReQoL10Score>(new ReQoL10Responses(answers, 4)).Total);
        Assert.Equal("reqol-10.physical-health-range", Refused(new ReQoL10Responses(answers, 5)));
    }

    [Fact]
    public void Reqol10_needs_all_ten_answers_within_0_to_4()
    {
        Assert.Equal("reqol-10.item-count", Refused(new ReQoL10Responses([1, 2, 3, 4, 0, 1, 2, 3, 4])));
        Assert.Equal("reqol-10.item-range", Refused(new ReQoL10Responses([1, 2, 3, 4, 0, 1, 2, 3, 4, 7])));
    }

    // DIALOG

    [Fact]
    public void Dialog_scores_quality_of_life_over_eight_life_domains_and_treatment_satisfaction_over_three_aspects()
    {
        // Life domains 4 5 2 6 3 5 4 6 = 35 / 8; treatment aspects 5, (none), 6 = 11 / 2.
        var score = Scored<DialogScore>(new DialogResponses([4, 5, 2, 6, 3, 5, 4, 6, 5, null, 6],
            [false, false, true, false, false, false, true, false, false, false, false]));
        Assert.Equal((4.375, 5.5, 8, 2), (score.SubjectiveQualityOfLife, score.TreatmentSatisfaction, score.LifeDomainsRated, score.TreatmentAspectsRated));
        Assert.Equal([3, 7], score.MoreHelpWantedItems);
        Assert.Equal(4.375, score.Headline);
    }

    [Fact]
    public void Dialog_leaves_unrated_items_out_of_their_mean()
    {
        var score = Scored<DialogScore>(new DialogResponses([null, null, null, null, null, null, null, null, 7, 6, 5]));
        Assert.Null(score.SubjectiveQualityOfLife);
        Assert.Equal(6.0, score.TreatmentSatisfaction);
        Assert.Null(score.Headline);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    public void A_dialog_rating_outside_1_to_7_is_refused_naming_the_item(int rating)
    {
        var refusal = new DialogResponses([4, 4, 4, 4, rating, 4, 4, 4, 4, 4, 4]).Score().Refusal;
        Assert.Equal("dialog.item-range", refusal?.Rule);
        Assert.Contains("item 5 (leisure activities)", refusal!.Message);
    }

    [Fact]
    public void Dialog_needs_eleven_items_something_rated_and_help_answers_for_all_or_none()
    {
        Assert.Equal("dialog.item-count", Refused(new DialogResponses([4, 4, 4])));
        Assert.Equal("dialog.nothing-rated", Refused(new DialogResponses(Enumerable.Repeat<int?>(null, 11).ToList())));
        Assert.Equal("dialog.help-count", Refused(new DialogResponses(Enumerable.Repeat<int?>(4, 11).ToList(), [true])));
    }

    // Patient experience

    [Theory]
    [InlineData(ExperienceRating.VeryGood, 1.0)]
    [InlineData(ExperienceRating.Good, 1.0)]
    [InlineData(ExperienceRating.NeitherGoodNorPoor, 0.0)]
    [InlineData(ExperienceRating.Poor, 0.0)]
    [InlineData(ExperienceRating.VeryPoor, 0.0)]
    [InlineData(ExperienceRating.DontKnow, null)]
    public void Patient_experience_counts_very_good_and_good_as_positive_and_leaves_out_dont_know(ExperienceRating rating, double? headline)
    {
        Assert.Equal(headline, new PatientExperienceResponse(rating).Score().Value.Headline);
    }

    [Fact]
    public void Patient_experience_needs_an_answer()
    {
        Assert.Equal("patient-experience.rating-required", Refused(new PatientExperienceResponse(ExperienceRating.Unspecified)));
    }
}
