using Platform.Evidence.Domain;
using Xunit;
using static Platform.Evidence.Domain.Tests.TestData;

namespace Platform.Evidence.Domain.Tests;

public class EqualityProfileTests
{
    [Fact]
    public void The_nine_protected_characteristics_and_trauma_and_paranoia_each_allow_not_stated()
    {
        Assert.Equal(
            ["age", "disability", "gender-reassignment", "marriage-civil-partnership", "pregnancy-maternity", "race", "religion-belief", "sex", "sexual-orientation", "trauma-history", "paranoia"],
            Characteristics.All.Select(c => c.Code));
        Assert.All(Characteristics.All, c => Assert.Single(c.Categories, category => category.IsNotStated));
        Assert.Equal(["under-16", "aged-16-to-17", "aged-18-to-25", "aged-26-to-64", "aged-65-and-over", "not-stated"], Characteristics.Of(Characteristic.Age).Categories.Select(c => c.Code));
        Assert.Equal("16–17", Characteristics.Of(Characteristic.Age).Categories[1].Label);
    }

    [Fact]
    public void Every_characteristic_must_be_recorded_and_not_stated_is_an_answer()
    {
        var all = new EqualityProfileSubmission("patient-0001", AgeGroup.NotStated, DisabilityStatus.NotStated, GenderIdentityStatus.NotStated, MarriageOrCivilPartnership.NotStated,
            PregnancyOrMaternity.NotStated, EthnicGroup.NotStated, ReligionOrBelief.NotStated, Sex.NotStated, SexualOrientation.NotStated, YesNoNotStated.NotStated, YesNoNotStated.NotStated);
        Assert.False(EqualityProfile.Record(all, Clinician, Now).IsRefused);
        Assert.Equal("religion-or-belief.required", EqualityProfile.Record(all with { ReligionOrBelief = ReligionOrBelief.Unspecified }, Clinician, Now).Refusal?.Rule);
        Assert.Equal("paranoia.required", EqualityProfile.Record(all with { Paranoia = YesNoNotStated.Unspecified }, Clinician, Now).Refusal?.Rule);
        Assert.Equal("patient-key.nhs-number", EqualityProfile.Record(all with { PatientKey = "943 476 5919" }, Clinician, Now).Refusal?.Rule);
    }

    public static TheoryData<string, Func<EqualityProfileSubmission, EqualityProfileSubmission>> EachCharacteristicLeftOut() => new()
    {
        { "age", s => s with { Age = AgeGroup.Unspecified } },
        { "disability", s => s with { Disability = DisabilityStatus.Unspecified } },
        { "gender-reassignment", s => s with { GenderReassignment = GenderIdentityStatus.Unspecified } },
        { "marriage-or-civil-partnership", s => s with { MarriageOrCivilPartnership = MarriageOrCivilPartnership.Unspecified } },
        { "pregnancy-or-maternity", s => s with { PregnancyOrMaternity = PregnancyOrMaternity.Unspecified } },
        { "ethnic-group", s => s with { EthnicGroup = EthnicGroup.Unspecified } },
        { "religion-or-belief", s => s with { ReligionOrBelief = ReligionOrBelief.Unspecified } },
        { "sex", s => s with { Sex = Sex.Unspecified } },
        { "sexual-orientation", s => s with { SexualOrientation = SexualOrientation.Unspecified } },
        { "trauma-history", s => s with { TraumaHistory = YesNoNotStated.Unspecified } },
        { "paranoia", s => s with { Paranoia = YesNoNotStated.Unspecified } },
    };

    [Theory]
    [MemberData(nameof(EachCharacteristicLeftOut))]
    public void A_characteristic_left_out_is_refused_by_name(string field, Func<EqualityProfileSubmission, EqualityProfileSubmission> leaveOut)
    {
        var all = Profile("patient-0001");
        var submission = new EqualityProfileSubmission(all.PatientKey, all.Age, all.Disability, all.GenderReassignment, all.MarriageOrCivilPartnership,
            all.PregnancyOrMaternity, all.EthnicGroup, all.ReligionOrBelief, all.Sex, all.SexualOrientation, all.TraumaHistory, all.Paranoia);
        var refusal = EqualityProfile.Record(leaveOut(submission), Clinician, Now).Refusal;
        Assert.Equal($"{field}.required", refusal?.Rule);
        Assert.Contains("NotStated", refusal!.Message);
    }

    [Fact]
    public void A_patient_without_a_profile_counts_as_not_stated_throughout()
    {
        var profile = EqualityProfile.NotStated("patient-0001");
        Assert.All(Characteristics.All, c => Assert.True(c.Categories.Single(category => category.Value == profile.CategoryOf(c.Characteristic)).IsNotStated));
    }

    [Fact]
    public void The_outcome_policy_cannot_lower_suppression_below_five()
    {
        Assert.Null(OutcomePolicy.Default.Validate());
        Assert.Equal("outcome-policy.threshold-too-low", (OutcomePolicy.Default with { SuppressionThreshold = 4 }).Validate()?.Rule);
        Assert.Null((OutcomePolicy.Default with { SuppressionThreshold = 10 }).Validate());
        Assert.Equal("outcome-policy.disparity-range", (OutcomePolicy.Default with { DisparityThresholdShareOfRange = 0 }).Validate()?.Rule);
        Assert.Equal("outcome-policy.no-benefit-minimum", (OutcomePolicy.Default with { NoBenefitMinimumPatients = 3 }).Validate()?.Rule);
        Assert.Equal("outcome-policy.no-benefit-range", (OutcomePolicy.Default with { NoBenefitMaximumImprovementShareOfRange = 0.6 }).Validate()?.Rule);
    }
}
