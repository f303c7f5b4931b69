using Platform.Evidence.Domain;

namespace Platform.Evidence.Domain.Tests;

internal static class TestData
{
    public static readonly DateTime Now = new(2026, 3, 2, 12, 0, 0, DateTimeKind.Utc);
    public static readonly Guid Technology = new("7f1a9a52-0000-4000-8000-000000000001");
    public const string Setting = "acute-adult";
    public static readonly EvidenceActor Reviewer = new("rev-5", EvidenceRole.EvidenceReviewer);
    public static readonly EvidenceActor Clinician = new("rn-1042", EvidenceRole.Clinician);

    public static DateTime Days(double days) => Now.AddDays(days);

    public static EqualityProfile Profile(string key, Sex sex = Sex.NotStated, AgeGroup age = AgeGroup.NotStated, EthnicGroup ethnicGroup = EthnicGroup.NotStated,
        YesNoNotStated trauma = YesNoNotStated.NotStated) =>
        EqualityProfile.Record(new EqualityProfileSubmission(key, age, DisabilityStatus.NotStated, GenderIdentityStatus.NotStated, MarriageOrCivilPartnership.NotStated,
            PregnancyOrMaternity.NotStated, ethnicGroup, ReligionOrBelief.NotStated, sex, SexualOrientation.NotStated, trauma, YesNoNotStated.NotStated), Clinician, Now).Value;
}
