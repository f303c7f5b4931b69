using Platform.Domain;

namespace Platform.Consent.Domain;

public enum ConsentDecision
{
    Unspecified = 0,
    Given = 1,
    Refused = 2,
}

/// <summary>The format the information was given in, tailored to the person's communication needs (P2).</summary>
public enum AccessibleFormat
{
    Unspecified = 0,
    StandardWritten = 1,
    EasyRead = 2,
    LargePrint = 3,
    Braille = 4,
    Audio = 5,
    Video = 6,
    BritishSignLanguage = 7,
    SpokenLanguageInterpreter = 8,
    VerbalWithVisualAids = 9,
    Other = 10,
}

/// <summary>The patient's own consent to (or refusal of) one technology.</summary>
public sealed class OwnConsent : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    public ConsentDecision Decision { get; set; }
    /// <summary>Summary of what was explained: function, purpose, and how data is collected, stored and used.</summary>
    public string InformationGiven { get; set; } = "";
    public AccessibleFormat InformationFormat { get; set; }
    public DateTime RecordedAt { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTime? WithdrawnAt { get; set; }
    /// <summary>
    /// A patient who refuses with capacity is asked whether the refusal should stand if they later lose capacity.
    /// Null = not yet asked. Yes, from an adult, is an advance decision to refuse (MCA s24); either way a later
    /// best-interests decision must weigh the refusal (s4(6)(a)).
    /// </summary>
    public bool? RefusalStandsIfCapacityLost { get; set; }

    public bool IsWithdrawn(DateTime now) => WithdrawnAt is { } w && w <= now;

    public Refusal? Validate() => ConsentRecord.Validate(Decision, InformationGiven, InformationFormat, RecordedAt, RecordedBy);

    public Refusal? ValidateText() => ConsentRecord.ValidateText(InformationGiven, RecordedBy);

    /// <summary>Withdrawal takes effect at once; withdrawing twice keeps the first time.</summary>
    public void Withdraw(DateTime now) => WithdrawnAt ??= now;

    /// <summary>Records the patient's answer to "should this refusal stand if you lose capacity?"; only a refusal is asked.</summary>
    public Refusal? AnswerRefusalQuestion(bool stands)
    {
        if (Decision != ConsentDecision.Refused) return ConsentRecord.NotARefusal;
        RefusalStandsIfCapacityLost = stands;
        return null;
    }
}

/// <summary>Consent (or refusal) given for the patient by someone holding a <see cref="ProxyAuthority"/>.</summary>
public sealed class ProxyConsent : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    public Guid ProxyAuthorityId { get; init; }
    public ConsentDecision Decision { get; set; }
    public string InformationGiven { get; set; } = "";
    public AccessibleFormat InformationFormat { get; set; }
    public DateTime RecordedAt { get; set; }
    public string RecordedBy { get; set; } = "";
    public DateTime? WithdrawnAt { get; set; }

    public bool IsWithdrawn(DateTime now) => WithdrawnAt is { } w && w <= now;

    public Refusal? Validate() =>
        ProxyAuthorityId == Guid.Empty
            ? Refusal.Invalid("consent.proxy-authority-missing", "Name the verified proxy authority this consent was given under.")
            : ConsentRecord.Validate(Decision, InformationGiven, InformationFormat, RecordedAt, RecordedBy);

    public Refusal? ValidateText() => ConsentRecord.ValidateText(InformationGiven, RecordedBy);

    public void Withdraw(DateTime now) => WithdrawnAt ??= now;
}

internal static class ConsentRecord
{
    private static readonly Refusal DecisionMissing = Refusal.Invalid("consent.decision-missing", "Record whether consent was given or refused.");
    private static readonly Refusal InformationMissing = Refusal.Invalid("consent.information-given-missing",
        "Record the information given about the technology's function and purpose and how the patient's data will be collected, stored and used.");
    private static readonly Refusal FormatMissing = Refusal.Invalid("consent.accessible-format-missing",
        "Record the format the information was given in, tailored to the person's communication needs.");
    private static readonly Refusal RecordedAtMissing = Refusal.Invalid("consent.recorded-at-missing", "Record when the decision was made.");
    private static readonly Refusal RecordedByMissing = Refusal.Invalid("consent.recorded-by-missing", "Record who took the consent.");
    public static readonly Refusal NotARefusal = Refusal.Precondition("consent.not-a-refusal",
        "Only a refusal is asked whether it should stand if capacity is lost; this record is a consent.");

    public static Refusal? ValidateText(string? information, string? recordedBy) =>
        FreeText.First(FreeText.Narrative("information-given", information), FreeText.Short("recorded-by", recordedBy));

    public static Refusal? Validate(ConsentDecision decision, string? information, AccessibleFormat format, DateTime recordedAt, string? recordedBy)
    {
        if (decision == ConsentDecision.Unspecified) return DecisionMissing;
        if (recordedAt == default) return RecordedAtMissing;
        if (string.IsNullOrWhiteSpace(recordedBy)) return RecordedByMissing;
        // A refusal stands whatever was explained; consent is only informed if the information is recorded.
        if (decision == ConsentDecision.Refused) return null;
        if (string.IsNullOrWhiteSpace(information)) return InformationMissing;
        if (format == AccessibleFormat.Unspecified) return FormatMissing;
        return null;
    }
}
