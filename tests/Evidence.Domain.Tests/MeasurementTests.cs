using Platform.Domain;
using Platform.Evidence.Domain;
using Xunit;
using static Platform.Evidence.Domain.Tests.TestData;

namespace Platform.Evidence.Domain.Tests;

public class MeasurementTests
{
    private static readonly TechnologyUseRef Use = TechnologyUseRef.Create(Guid.NewGuid(), "5e1c0000-0000-4000-8000-000000000001", Technology, Setting).Value;

    private static MeasurementSubmission Core10(DateTime at, string? key = null) =>
        new(Use.UseId, key ?? Use.PatientKey, new Core10Responses([3, 1, 0, 2, 2, 0, 3, 3, 4, 1]), at);

    [Theory]
    [InlineData("9434765919")]
    [InlineData("943 476 5919")]
    [InlineData("943-476-5919")]
    [InlineData("pt-9434765919")]
    [InlineData("9434765918")]
    public void A_patient_key_that_looks_like_an_nhs_number_is_refused(string key)
    {
        var refusal = PatientKey.Parse(key).Refusal;
        Assert.Equal("patient-key.nhs-number", refusal?.Rule);
        Assert.Contains("never the NHS number", refusal!.Message);
    }

    [Theory]
    [InlineData("5e1c0000-0000-4000-8000-000000000001")]
    [InlineData("5e1c0000-0000-4000-8000-943476591912")]
    [InlineData("0a1b2c3d-e4f5-4a6b-8c7d-a9434765919b")]
    [InlineData("RX3-PT-000123")]
    [InlineData("k7Hq_29xLm")]
    public void A_pseudonymous_key_is_accepted(string key)
    {
        Assert.Equal(key, PatientKey.Parse(key).Value);
    }

    [Theory]
    [InlineData("", "patient-key.required")]
    [InlineData("short", "patient-key.format")]
    [InlineData("has spaces in it", "patient-key.format")]
    public void A_malformed_patient_key_is_refused(string key, string rule)
    {
        Assert.Equal(rule, PatientKey.Parse(key).Refusal?.Rule);
    }

    [Fact]
    public void A_measurement_is_scored_and_takes_its_technology_and_setting_from_the_use()
    {
        var measurement = OutcomeMeasurement.Record(Core10(Days(-1)), Use, Clinician, Guid.NewGuid(), Now).Value;
        Assert.Equal((Use.UseId, Technology, Setting, Instrument.Core10, 25.0, "rn-1042"),
            (measurement.UseId, measurement.TechnologyId, measurement.SettingCode, measurement.Instrument, measurement.Headline, measurement.RecordedBy));
    }

    [Fact]
    public void A_measurement_is_refused_for_an_unknown_use_another_patient_an_nhs_number_or_a_future_date()
    {
        Assert.Equal(("measurement.use-not-found", RefusalKind.NotFound), (OutcomeMeasurement.Record(Core10(Days(-1)), null, Clinician, Guid.NewGuid(), Now).Refusal?.Rule,
            OutcomeMeasurement.Record(Core10(Days(-1)), null, Clinician, Guid.NewGuid(), Now).Refusal?.Kind));
        Assert.Equal("responses.required", OutcomeMeasurement.Record(Core10(Days(-1)) with { Responses = null }, Use, Clinician, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("measured-at.required", OutcomeMeasurement.Record(Core10(default), Use, Clinician, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("actor.required", OutcomeMeasurement.Record(Core10(Days(-1)), Use, Clinician with { Subject = "" }, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("measurement.patient-key-mismatch", OutcomeMeasurement.Record(Core10(Days(-1), "another-patient-key"), Use, Clinician, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("patient-key.nhs-number", OutcomeMeasurement.Record(Core10(Days(-1), "9434765919"), Use, Clinician, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("measured-at.in-future", OutcomeMeasurement.Record(Core10(Days(1)), Use, Clinician, Guid.NewGuid(), Now).Refusal?.Rule);
        Assert.Equal("core-10.item-count", OutcomeMeasurement.Record(Core10(Days(-1)) with { Responses = new Core10Responses([1]) }, Use, Clinician, Guid.NewGuid(), Now).Refusal?.Rule);
    }

    [Fact]
    public void A_use_learned_from_consent_is_refused_if_its_key_looks_like_an_nhs_number()
    {
        Assert.Equal("patient-key.nhs-number", TechnologyUseRef.Create(Guid.NewGuid(), "9434765919", Technology, Setting).Refusal?.Rule);
        Assert.Equal("use-id.required", TechnologyUseRef.Create(Guid.Empty, "patient-0001", Technology, Setting).Refusal?.Rule);
        Assert.Equal("technology-id.required", TechnologyUseRef.Create(Guid.NewGuid(), "patient-0001", Guid.Empty, Setting).Refusal?.Rule);
        Assert.Equal("setting.required", TechnologyUseRef.Create(Guid.NewGuid(), "patient-0001", Technology, " ").Refusal?.Rule);
    }

    [Theory]
    [InlineData(EvidenceRole.Device)]
    [InlineData(EvidenceRole.EvidenceReviewer)]
    [InlineData(EvidenceRole.RegionAnalyst)]
    public void Only_a_clinician_records_outcomes(EvidenceRole role)
    {
        var refusal = OutcomeMeasurement.Record(Core10(Days(-1)), Use, new EvidenceActor("x", role), Guid.NewGuid(), Now).Refusal;
        Assert.Equal(("evidence.role-required", RefusalKind.PermissionDenied), (refusal?.Rule, refusal?.Kind));
    }

    private static OutcomeMeasurement Measure(InstrumentResponses responses, DateTime at, string key = "patient-0001", string setting = Setting)
    {
        var use = TechnologyUseRef.Create(Guid.NewGuid(), key, Technology, setting).Value;
        return OutcomeMeasurement.Record(new MeasurementSubmission(use.UseId, key, responses, at), use, Clinician, Guid.NewGuid(), Now).Value;
    }

    [Fact]
    public void Benefit_is_the_change_from_first_to_latest_score_signed_so_that_improvement_is_positive()
    {
        var core = PatientOutcomes.From(
        [
            Measure(new Core10Responses([2, 4, 4, 2, 1, 0, 2, 1, 1, 1]), Days(-10)),      // 10, the latest
            Measure(new Core10Responses([3, 1, 0, 2, 2, 0, 3, 3, 4, 1]), Days(-60)),      // 25, the first
            Measure(new Core10Responses([3, 1, 0, 2, 2, 0, 3, 3, 4, 1]), Days(-30)),
        ], Instrument.Core10);
        Assert.Equal(15.0, Assert.Single(core).Value);

        var reqol = PatientOutcomes.From(
        [
            Measure(new ReQoL10Responses([2, 1, 3, 2, 1, 0, 2, 1, 3, 2]), Days(-60)),     // 17
            Measure(new ReQoL10Responses(Enumerable.Repeat(4, 10).ToList()), Days(-5)),   // 24
        ], Instrument.ReQoL10);
        Assert.Equal(7.0, Assert.Single(reqol).Value);
    }

    [Fact]
    public void A_single_measurement_shows_no_change_and_each_setting_is_its_own_series()
    {
        var outcomes = PatientOutcomes.From(
        [
            Measure(new Core10Responses([3, 1, 0, 2, 2, 0, 3, 3, 4, 1]), Days(-60)),
            Measure(new Core10Responses([2, 4, 4, 2, 1, 0, 2, 1, 1, 1]), Days(-10), setting: "picu"),
        ], Instrument.Core10);
        Assert.Empty(outcomes);
    }

    [Fact]
    public void Patient_experience_is_read_at_the_latest_answer()
    {
        var outcomes = PatientOutcomes.From(
        [
            Measure(new PatientExperienceResponse(ExperienceRating.Poor), Days(-60)),
            Measure(new PatientExperienceResponse(ExperienceRating.VeryGood), Days(-5)),
            Measure(new PatientExperienceResponse(ExperienceRating.DontKnow), Days(-1)),
        ], Instrument.PatientExperience);
        Assert.Equal(1.0, Assert.Single(outcomes).Value);
    }
}
