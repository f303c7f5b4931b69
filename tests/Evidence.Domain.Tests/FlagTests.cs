using Platform.Evidence.Domain;
using Xunit;
using static Platform.Evidence.Domain.Tests.TestData;

namespace Platform.Evidence.Domain.Tests;

public class FlagTests
{
    private static readonly OutcomePolicy Policy = OutcomePolicy.Default;
    private readonly List<PatientOutcome> _outcomes = [];
    private readonly Dictionary<string, EqualityProfile> _profiles = [];

    private FlagTests Add(string setting, int count, Sex sex, double value)
    {
        for (var i = 0; i < count; i++)
        {
            var key = $"patient-{_outcomes.Count:D5}";
            _outcomes.Add(new PatientOutcome(key, setting, value));
            _profiles[key] = Profile(key, sex);
        }
        return this;
    }

    private IReadOnlyList<OutcomeFlag> Flags(Instrument instrument = Instrument.Core10) => OutcomeReport.Build(Technology, instrument, _outcomes, _profiles, Policy).Flags;

    [Fact]
    public void A_difference_in_benefit_between_groups_beyond_the_threshold_is_flagged()
    {
        // CORE-10's range is 40, so the default threshold is 4 points of improvement.
        Add(Setting, 10, Sex.Female, 8).Add(Setting, 10, Sex.Male, 1);
        var flag = Assert.Single(Flags(), f => f.Kind == OutcomeFlagKind.BenefitDisparity && f.SettingCode == Setting);
        Assert.Equal((Characteristic.Sex, "male", 1.0, "female", 8.0, 4.0),
            (flag.Characteristic, flag.LowerGroup!.Category, flag.LowerGroup.Mean, flag.HigherGroup!.Category, flag.HigherGroup.Mean, flag.Threshold));
        Assert.Contains(Flags(), f => f.Kind == OutcomeFlagKind.BenefitDisparity && f.SettingCode is null && f.Characteristic == Characteristic.Sex);
    }

    [Fact]
    public void A_difference_under_the_threshold_is_not_flagged()
    {
        Add(Setting, 10, Sex.Female, 4.5).Add(Setting, 10, Sex.Male, 1);
        Assert.DoesNotContain(Flags(), f => f.Kind == OutcomeFlagKind.BenefitDisparity);
    }

    [Fact]
    public void Not_stated_is_not_a_group_to_compare()
    {
        Add(Setting, 10, Sex.Female, 8).Add(Setting, 10, Sex.Male, 7).Add(Setting, 10, Sex.NotStated, 0);
        Assert.DoesNotContain(Flags(), f => f.Kind == OutcomeFlagKind.BenefitDisparity && f.Characteristic == Characteristic.Sex);
    }

    [Fact]
    public void A_suppressed_group_is_never_compared_so_no_flag_gives_it_away()
    {
        Add(Setting, 20, Sex.Female, 8).Add(Setting, 3, Sex.Male, -10).Add(Setting, 20, Sex.NotStated, 8);
        var flags = Flags();
        Assert.DoesNotContain(flags, f => f.LowerGroup?.Category == "male" || f.HigherGroup?.Category == "male");
    }

    [Fact]
    public void A_technology_that_shows_no_benefit_is_flagged_per_setting_and_across_settings()
    {
        Add(Setting, 6, Sex.Female, -1).Add(Setting, 6, Sex.Male, 0).Add("picu", 12, Sex.Female, 3);
        var flags = Flags().Where(f => f.Kind == OutcomeFlagKind.NoBenefit).ToList();
        var acute = Assert.Single(flags);
        Assert.Equal((Setting, -0.5, 12), (acute.SettingCode, acute.MeanImprovement, acute.Patients));
    }

    [Fact]
    public void No_improvement_at_all_counts_as_no_benefit()
    {
        Add(Setting, 12, Sex.Female, 0);
        Assert.Contains(Flags(), f => f.Kind == OutcomeFlagKind.NoBenefit && f.SettingCode == Setting && f.MeanImprovement == 0);
    }

    [Fact]
    public void No_benefit_is_flagged_across_settings_when_the_settings_together_show_none()
    {
        Add(Setting, 12, Sex.Female, -1).Add("picu", 12, Sex.Female, 0.5);
        Assert.Contains(Flags(), f => f.Kind == OutcomeFlagKind.NoBenefit && f.SettingCode is null && f.Patients == 24);
    }

    [Fact]
    public void A_no_benefit_finding_needs_the_trusts_minimum_of_patients_and_never_comes_from_patient_experience()
    {
        Add(Setting, 8, Sex.Female, -1);
        Assert.DoesNotContain(Flags(), f => f.Kind == OutcomeFlagKind.NoBenefit);
        Add(Setting, 4, Sex.Female, -1);
        Assert.Contains(Flags(), f => f.Kind == OutcomeFlagKind.NoBenefit);
        Assert.DoesNotContain(Flags(Instrument.PatientExperience), f => f.Kind == OutcomeFlagKind.NoBenefit);
    }

    [Fact]
    public void Patient_experience_is_compared_between_groups_as_the_share_of_positive_answers()
    {
        Add(Setting, 9, Sex.Female, 1).Add(Setting, 1, Sex.Female, 0).Add(Setting, 5, Sex.Male, 1).Add(Setting, 5, Sex.Male, 0);
        var flag = Assert.Single(Flags(Instrument.PatientExperience), f => f.SettingCode == Setting);
        Assert.Equal((0.5, 0.9, 0.1), (flag.LowerGroup!.Mean, flag.HigherGroup!.Mean, flag.Threshold));
    }

    [Fact]
    public void Each_finding_has_a_stable_key_so_it_is_raised_once()
    {
        Add(Setting, 10, Sex.Female, 8).Add(Setting, 10, Sex.Male, 1);
        var first = Flags().Select(f => f.Key).ToList();
        Add(Setting, 1, Sex.Female, 8);
        Assert.Equal(first, Flags().Select(f => f.Key).ToList());
        Assert.Equal(first.Count, first.Distinct().Count());
    }
}
