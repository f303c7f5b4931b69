using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>Age bands: the consent rules differ under 16, at 16–17 and from 18 (lawful-basis.md).</summary>
public enum AgeBand
{
    Unspecified = 0,
    Under16 = 1,
    Aged16To17 = 2,
    Aged18To25 = 3,
    Aged26To64 = 4,
    Aged65AndOver = 5,
}

/// <summary>The two birthdays on which the consent rules change: the MCA applies from 16, adulthood from 18.</summary>
public enum AgeThreshold
{
    Sixteen = 16,
    Eighteen = 18,
}

/// <summary>
/// A patient as the platform knows them: the minimum the Caldicott principles allow. No name is ever stored;
/// the internal <see cref="Id"/> is what events and other services use. The rules need only the days the patient turns
/// 16 and 18 (not the date of birth): <see cref="PatientAge.FromDateOfBirth"/> derives them when a date of birth is given.
/// </summary>
public sealed class Patient : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public string NhsNumber { get; init; } = "";
    public string WardCode { get; set; } = "";
    /// <summary>The band recorded at registration; for a patient under 18 with <see cref="Turns18On"/> it moves with time.</summary>
    public AgeBand AgeBand { get; set; }
    /// <summary>The UK calendar day the patient turns 16; null once 16 or when not known.</summary>
    public DateOnly? Turns16On { get; set; }
    /// <summary>The UK calendar day the patient turns 18; null when an adult at registration or not known.</summary>
    public DateOnly? Turns18On { get; set; }
    public DateTime RegisteredAt { get; init; }

    /// <summary>
    /// A patient registered with an age band only: the date of birth gives the days the patient turns 16 and 18, so
    /// the rules re-apply on them (MCA s2(5): the MCA from 16; Children Act 1989 s105(1): a child until 18) instead of a
    /// band frozen at registration. Keeps what registration would have kept: the thresholds still ahead when the patient
    /// was registered. The band recorded then must be the date of birth's; only the two days are stored.
    /// </summary>
    public Refusal? RecordDateOfBirth(DateOnly dateOfBirth, DateTime now)
    {
        if (Turns16On is not null || Turns18On is not null) return PatientRefusals.AgeAlreadyMoves;
        if (dateOfBirth > DateOnly.FromDateTime(now)) return PatientRefusals.BornInFuture;
        var (sixteen, eighteen) = PatientAge.FromDateOfBirth(dateOfBirth);
        var registeredOn = DateOnly.FromDateTime(RegisteredAt);
        DateOnly? turns16On = sixteen > registeredOn ? sixteen : null, turns18On = eighteen > registeredOn ? eighteen : null;
        // The band the date of birth gives at registration, from both days (a day already past still says which side of it).
        var band = PatientAge.BandAt(AgeBand, PatientAge.StartOfUkDay(sixteen), PatientAge.StartOfUkDay(eighteen), RegisteredAt);
        if (band != AgeBand && !(band.IsAdult() && AgeBand.IsAdult())) return PatientRefusals.BandNotTheDateOfBirth;
        if (turns18On is null) return PatientRefusals.AdultWhenRegistered;
        Turns16On = turns16On;
        Turns18On = turns18On;
        return null;
    }
}

internal static class PatientRefusals
{
    public static readonly Refusal AgeAlreadyMoves = Refusal.Precondition("patient.age-already-recorded",
        "The days this patient turns 16 and 18 are already recorded: the age moves with time.");
    public static readonly Refusal BornInFuture = Refusal.Invalid("date-of-birth.in-future", "Date of birth cannot be in the future.");
    public static readonly Refusal BandNotTheDateOfBirth = Refusal.Invalid("date-of-birth.not-the-age-band",
        "The date of birth does not match the age band recorded when the patient was registered.");
    public static readonly Refusal AdultWhenRegistered = Refusal.Precondition("patient.adult-when-registered",
        "The patient was an adult when registered: the rules need no date of birth (no age threshold is ahead).");
}

/// <summary>
/// Ages that move: the band a patient is in at an instant, from the days they turn 16 and 18. A birthday starts at
/// midnight UK time (Family Law Reform Act 1969 s9: a person attains an age at the start of the anniversary).
/// </summary>
public static class PatientAge
{
    private static readonly TimeZoneInfo? s_uk = FindUk();

    private static TimeZoneInfo? FindUk()
    {
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById("Europe/London");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }

    /// <summary>The days a patient born on <paramref name="dateOfBirth"/> turns 16 and 18. Born on 29 February: 1 March in other years.</summary>
    public static (DateOnly Turns16On, DateOnly Turns18On) FromDateOfBirth(DateOnly dateOfBirth) =>
        (Anniversary(dateOfBirth, 16), Anniversary(dateOfBirth, 18));

    private static DateOnly Anniversary(DateOnly born, int years)
    {
        var year = born.Year + years;
        if (born.Month == 2 && born.Day == 29 && !DateTime.IsLeapYear(year)) return new DateOnly(year, 3, 1);
        return new DateOnly(year, born.Month, born.Day);
    }

    /// <summary>
    /// The UTC instant a UK calendar day starts. Without the system's time-zone data the earliest the day can start
    /// (23:00 UTC the evening before, in summer time) is taken, so an age is never reached late.
    /// </summary>
    public static DateTime StartOfUkDay(DateOnly day)
    {
        var midnight = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        if (s_uk is null) return DateTime.SpecifyKind(midnight.AddHours(-1), DateTimeKind.Utc);
        // Midnight is never skipped or repeated in the UK (the clocks change at 01:00 and 02:00).
        return TimeZoneInfo.ConvertTimeToUtc(midnight, s_uk);
    }

    /// <summary>The day the patient turns 18, from the day they turn 16.</summary>
    public static DateOnly EighteenFromSixteen(DateOnly turns16On) => Anniversary(turns16On, 2);

    /// <summary>
    /// The band at <paramref name="now"/>: from the threshold instants where they are known, else the recorded band. A
    /// recorded adult band is kept once 18 (its subdivisions are for outcome reporting); a minor who turns 18 is 18–25.
    /// </summary>
    public static AgeBand BandAt(AgeBand recorded, DateTime? turns16At, DateTime? turns18At, DateTime now)
    {
        if (turns18At is { } eighteen && now >= eighteen) return recorded.IsAdult() ? recorded : AgeBand.Aged18To25;
        if (turns16At is { } sixteen) return now >= sixteen ? AgeBand.Aged16To17 : AgeBand.Under16;
        // A minor whose 16th birthday is not recorded stays in the band recorded until they turn 18.
        if (turns18At is not null) return recorded.IsAdult() ? AgeBand.Aged16To17 : recorded;
        return recorded;
    }

    /// <summary>The thresholds crossed in (<paramref name="from"/>, <paramref name="to"/>], in order: the rules re-apply at each.</summary>
    public static IReadOnlyList<(AgeThreshold Threshold, DateTime At)> ThresholdsCrossed(PatientConsentRecords records, DateTime from, DateTime to)
    {
        var crossed = new List<(AgeThreshold, DateTime)>(2);
        if (records.Turns16At is { } s && s > from && s <= to) crossed.Add((AgeThreshold.Sixteen, s));
        if (records.Turns18At is { } e && e > from && e <= to) crossed.Add((AgeThreshold.Eighteen, e));
        return crossed;
    }

    /// <summary>The next threshold after <paramref name="now"/>, if the patient has one still to reach.</summary>
    public static (AgeThreshold Threshold, DateTime At)? NextThreshold(PatientConsentRecords records, DateTime now)
    {
        if (records.Turns16At is { } s && s > now) return (AgeThreshold.Sixteen, s);
        if (records.Turns18At is { } e && e > now) return (AgeThreshold.Eighteen, e);
        return null;
    }
}
