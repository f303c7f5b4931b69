using System.Text;
using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>
/// The eight items P2 requires in the care and treatment plan for a technology use. Its <see cref="Id"/> is the
/// care-plan record id the use check returns; the patient (or proxy) gets <see cref="PatientCopy"/>.
/// </summary>
public sealed class CarePlanRecord
{
    public Guid Id { get; init; }
    public string TechnologyName { get; set; } = "";
    public string Reason { get; set; } = "";
    public string WhenAndHowUsed { get; set; } = "";
    /// <summary>What was given to the patient and/or their family and carers.</summary>
    public string InformationGiven { get; set; } = "";
    public AccessibleFormat InformationFormat { get; set; }
    public string DecisionMakingProcess { get; set; } = "";
    public string DataUse { get; set; } = "";
    /// <summary>Purposes, besides the use's stated purpose, that its data may be used for; anything else needs a separate recorded basis.</summary>
    public PurposeSet DataUsePurposes { get; set; }
    public DateTime? NextReviewDate { get; set; }
    public string ReviewCovers { get; set; } = "";
    public string HowToWithdraw { get; set; } = "";

    /// <summary>Null when complete, else the first missing item by name.</summary>
    public Refusal? Validate(TrustPolicy policy, DateTime now)
    {
        if (Id == Guid.Empty) return Missing("record-id", "The care-plan record needs an id.");
        if (Blank(TechnologyName)) return Missing("technology-name", "Name the specific digital technology in the care plan.");
        if (Blank(Reason)) return Missing("reason", "Record the reason this technology is being used for this patient.");
        if (Blank(WhenAndHowUsed)) return Missing("when-and-how", "Explain when and how the technology will be used.");
        if (Blank(InformationGiven)) return Missing("information-given", "Summarise the information given to the patient and/or their family and carers.");
        if (InformationFormat == AccessibleFormat.Unspecified) return Missing("information-format", "Record the accessible format the information was given in.");
        if (Blank(DecisionMakingProcess)) return Missing("decision-making-process", "Record the decision-making process that led to using the technology.");
        if (Blank(DataUse)) return Missing("data-use", "Explain how the patient's data produced by the technology will be used.");
        if (NextReviewDate is not { } review) return Missing("next-review-date", "Set the date of the next review.");
        if (Blank(ReviewCovers)) return Missing("review-covers", "Record what the next review will cover.");
        if (Blank(HowToWithdraw)) return Missing("how-to-withdraw", "Explain how the patient (or the person acting for them) can withdraw consent.");
        if (review <= now) return Refusal.Invalid("care-plan.next-review-in-past", "The next review date must be in the future.");
        if (review - now > policy.MaxReviewInterval)
            return Refusal.Invalid("care-plan.next-review-too-far", $"The next review must be within {policy.MaxReviewInterval.TotalDays:0} days.");
        return null;
    }

    /// <summary>Copies the eight items (not the id or technology name) from a corrected plan.</summary>
    public void CopyItemsFrom(CarePlanRecord plan)
    {
        Reason = plan.Reason;
        WhenAndHowUsed = plan.WhenAndHowUsed;
        InformationGiven = plan.InformationGiven;
        InformationFormat = plan.InformationFormat;
        DecisionMakingProcess = plan.DecisionMakingProcess;
        DataUse = plan.DataUse;
        NextReviewDate = plan.NextReviewDate;
        ReviewCovers = plan.ReviewCovers;
        HowToWithdraw = plan.HowToWithdraw;
    }

    public Refusal? ValidateText() => FreeText.First(
        FreeText.Short("technology-name", TechnologyName), FreeText.Narrative("reason", Reason), FreeText.Narrative("when-and-how-used", WhenAndHowUsed),
        FreeText.Narrative("information-given", InformationGiven), FreeText.Narrative("decision-making-process", DecisionMakingProcess),
        FreeText.Narrative("data-use", DataUse), FreeText.Narrative("review-covers", ReviewCovers), FreeText.Narrative("how-to-withdraw", HowToWithdraw));

    /// <summary>The plain-language copy for the patient (or the person acting for them), under the default policy.</summary>
    public string PatientCopy(LawfulBasisKind basis, ProxyKind proxyKind) => PatientCopy(basis, proxyKind, TrustPolicy.Default);

    /// <summary>
    /// The plain-language copy for the patient (or the person acting for them). Carries no names. What it says about
    /// saying no is what really happens under the basis: only the patient's own consent stops at once on their word.
    /// </summary>
    public string PatientCopy(LawfulBasisKind basis, ProxyKind proxyKind, TrustPolicy policy)
    {
        var text = new StringBuilder();
        text.Append("Your care plan: using ").Append(TechnologyName.Trim()).Append("\n\n");
        Section(text, "What this is for", Reason);
        Section(text, "When and how it will be used", WhenAndHowUsed);
        Section(text, "What we told you", $"{InformationGiven.Trim()} We gave you this information as: {FormatInWords(InformationFormat)}.");
        Section(text, "How the decision was made", $"{BasisInWords(basis, proxyKind)} {DecisionMakingProcess.Trim()}");
        Section(text, "What happens to your information", DataUse);
        Section(text, "When we will look at this again",
            $"We will review this by {NextReviewDate:d MMMM yyyy}. At the review we will look at: {ReviewCovers.Trim()}");
        Section(text, "How to say no or change your mind", $"{SayingNoInWords(basis, proxyKind, policy)} {HowToWithdraw.Trim()}");
        return text.ToString();
    }

    private static string SayingNoInWords(LawfulBasisKind basis, ProxyKind proxy, TrustPolicy policy)
    {
        var whole = Math.Max(1, (int)Math.Round(policy.ObjectionRedecisionWithin.TotalHours));
        var hours = whole == 1 ? "1 hour" : $"{whole} hours";
        return basis switch
        {
            LawfulBasisKind.OwnConsent => "You can change your mind at any time. If you do, we will stop using it straight away.",
            LawfulBasisKind.ProxyConsent =>
                $"{ProxyInWords(proxy)} can change their mind at any time, and if they do we will stop using it straight away. " +
                $"If you do not want it, tell us or show us at any time. We will not just carry on: we will look at the decision again within {hours}, " +
                "and only carry on if it is needed to keep you from harm and is the least restrictive way to help you. An advocate can help you say what you want.",
            LawfulBasisKind.BestInterests =>
                $"If you do not want it, tell us or show us at any time. We will not just carry on: we will look at the decision again within {hours}, " +
                "with the people who know you, and only carry on if it is still best for you, needed to keep you from harm, and the least restrictive way to help you. " +
                "An advocate can help you say what you want. If you become able to decide this yourself, we will ask you, and it will be your decision.",
            LawfulBasisKind.CourtOrder =>
                "A court decided this, so we must follow its order. If you do not want it, tell us: we will listen, write down what you say, and tell the court if things change. " +
                "You, or someone for you, can ask the court to look at it again, and we will help you do that.",
            LawfulBasisKind.MentalHealthActSection63 =>
                "Your responsible clinician decided this under section 63 of the Mental Health Act, as part of your treatment. You can tell us you do not want it at any time: " +
                "we will talk it through with you and write down your views. Your Independent Mental Health Advocate can help you.",
            _ => "You can tell us at any time that you do not want it, and we will look at the decision again with you.",
        };
    }

    private static string ProxyInWords(ProxyKind proxy) => proxy switch
    {
        ProxyKind.ParentalResponsibility => "The person with parental responsibility who agreed",
        ProxyKind.LastingPowerOfAttorney => "Your attorney",
        ProxyKind.Deputy => "Your deputy",
        _ => "The person who agreed for you",
    };

    private static void Section(StringBuilder text, string heading, string body) =>
        text.Append(heading).Append('\n').Append(body.Trim()).Append("\n\n");

    private static string BasisInWords(LawfulBasisKind basis, ProxyKind proxy) => basis switch
    {
        LawfulBasisKind.OwnConsent => "You agreed to this.",
        LawfulBasisKind.ProxyConsent => proxy switch
        {
            ProxyKind.ParentalResponsibility => "A person with parental responsibility for you agreed to this for you.",
            ProxyKind.LastingPowerOfAttorney => "Your attorney (under your Lasting Power of Attorney) agreed to this for you.",
            ProxyKind.Deputy => "Your deputy, appointed by the court, agreed to this for you.",
            _ => "Someone legally able to decide for you agreed to this.",
        },
        LawfulBasisKind.BestInterests =>
            "You were not able to make this decision at the time, so we made a best-interests decision, after talking with the people who know you and listening to your wishes.",
        LawfulBasisKind.CourtOrder => "A court made this decision.",
        LawfulBasisKind.MentalHealthActSection63 => "Your responsible clinician decided this as part of your treatment under the Mental Health Act.",
        _ => "",
    };

    private static string FormatInWords(AccessibleFormat format) => format switch
    {
        AccessibleFormat.StandardWritten => "written information",
        AccessibleFormat.EasyRead => "easy read",
        AccessibleFormat.LargePrint => "large print",
        AccessibleFormat.Braille => "braille",
        AccessibleFormat.Audio => "audio",
        AccessibleFormat.Video => "video",
        AccessibleFormat.BritishSignLanguage => "British Sign Language",
        AccessibleFormat.SpokenLanguageInterpreter => "through an interpreter",
        AccessibleFormat.VerbalWithVisualAids => "talking it through with pictures",
        _ => "another format suited to you",
    };

    private static bool Blank(string? s) => string.IsNullOrWhiteSpace(s);
    private static Refusal Missing(string item, string message) => Refusal.Invalid($"care-plan.{item}-missing", message);
}

[Flags]
public enum HumanRight
{
    None = 0,
    Life = 1,
    LibertyAndSecurity = 2,
    PrivateAndFamilyLife = 4,
    FreedomFromInhumanOrDegradingTreatment = 8,
}

/// <summary>P1: the rights engaged by a use, how they were balanced, and whether legal advice was sought.</summary>
public sealed class HumanRightsBalancing
{
    public HumanRight RightsEngaged { get; set; }
    public string HowBalanced { get; set; } = "";
    /// <summary>Null = not recorded.</summary>
    public bool? LegalAdviceSought { get; set; }
    public string? LegalAdviceSummary { get; set; }

    public Refusal? ValidateText() => FreeText.First(FreeText.Narrative("how-balanced", HowBalanced), FreeText.Narrative("legal-advice-summary", LegalAdviceSummary));

    public Refusal? Validate()
    {
        if (RightsEngaged == HumanRight.None || (RightsEngaged & ~(HumanRight.Life | HumanRight.LibertyAndSecurity | HumanRight.PrivateAndFamilyLife | HumanRight.FreedomFromInhumanOrDegradingTreatment)) != 0)
            return Refusal.Invalid("human-rights.rights-engaged-missing",
                "Record which rights are engaged: life; liberty and security; private and family life; freedom from inhuman or degrading treatment.");
        if (string.IsNullOrWhiteSpace(HowBalanced))
            return Refusal.Invalid("human-rights.balancing-missing", "Record how the rights engaged were balanced in deciding to use the technology.");
        if (LegalAdviceSought is null)
            return Refusal.Invalid("human-rights.legal-advice-missing", "Record whether legal advice was sought.");
        if (LegalAdviceSought == true && string.IsNullOrWhiteSpace(LegalAdviceSummary))
            return Refusal.Invalid("human-rights.legal-advice-summary-missing", "Summarise the legal advice received.");
        return null;
    }
}

/// <summary>P6: why using the technology to manage a safety risk is proportionate, and how relational care continues.</summary>
public sealed class SafetyProportionality
{
    public string WhyProportionate { get; set; } = "";
    public string HowRelationalCareContinues { get; set; } = "";

    public Refusal? ValidateText() => FreeText.First(FreeText.Narrative("why-proportionate", WhyProportionate), FreeText.Narrative("how-relational-care-continues", HowRelationalCareContinues));

    public Refusal? Validate()
    {
        if (string.IsNullOrWhiteSpace(WhyProportionate))
            return Refusal.Invalid("safety.proportionality-missing", "Record why using this technology to manage the safety risk is proportionate to the need.");
        if (string.IsNullOrWhiteSpace(HowRelationalCareContinues))
            return Refusal.Invalid("safety.relational-care-missing", "Record how relational care and therapeutic engagement continue alongside the technology.");
        return null;
    }
}

/// <summary>The layouts of the patient's copy the service generates itself.</summary>
public enum PatientCopyLayout
{
    PlainLanguage = 1,
    LargePrint = 2,
    EasyRead = 3,
}

/// <summary>
/// The patient's copy in the accessible format recorded on the care plan (P2; Accessible Information Standard,
/// DCB1605, which requires information in the format a person needs). Plain language, large print and an easy-read
/// layout are generated; any other format (braille, audio, video, British Sign Language, another spoken language
/// through an interpreter, talking it through with pictures, or another format) cannot be, so the copy is generated in
/// the nearest layout for staff and the format is named for staff to arrange, and the request is recorded.
/// </summary>
public static class PatientCopyFormat
{
    /// <summary>The layout to generate for <paramref name="recorded"/>, and the format staff must arrange (Unspecified: none).</summary>
    public static (PatientCopyLayout Layout, AccessibleFormat ToArrange) For(AccessibleFormat recorded) => recorded switch
    {
        AccessibleFormat.LargePrint => (PatientCopyLayout.LargePrint, AccessibleFormat.Unspecified),
        AccessibleFormat.EasyRead => (PatientCopyLayout.EasyRead, AccessibleFormat.Unspecified),
        // Pictures and talking it through: the easy-read layout is the nearest, and a person still has to go through it.
        AccessibleFormat.VerbalWithVisualAids => (PatientCopyLayout.EasyRead, AccessibleFormat.VerbalWithVisualAids),
        // Braille is produced from large print's text by a transcription service, never from a plain page layout.
        AccessibleFormat.Braille => (PatientCopyLayout.LargePrint, AccessibleFormat.Braille),
        AccessibleFormat.Audio or AccessibleFormat.Video or AccessibleFormat.BritishSignLanguage
            or AccessibleFormat.SpokenLanguageInterpreter or AccessibleFormat.Other => (PatientCopyLayout.PlainLanguage, recorded),
        _ => (PatientCopyLayout.PlainLanguage, AccessibleFormat.Unspecified),
    };

    /// <summary>What staff are asked to arrange, in words for the ward (null when the generated copy is the format).</summary>
    public static string? ToArrangeInWords(AccessibleFormat toArrange) => toArrange switch
    {
        AccessibleFormat.Braille => "Arrange a braille copy (the large-print copy is the text to transcribe).",
        AccessibleFormat.Audio => "Arrange an audio recording of the copy.",
        AccessibleFormat.Video => "Arrange a video of the copy.",
        AccessibleFormat.BritishSignLanguage => "Arrange a British Sign Language version or a BSL interpreter to go through the copy.",
        AccessibleFormat.SpokenLanguageInterpreter => "Arrange an interpreter (or a translation) in the patient's language to go through the copy.",
        AccessibleFormat.VerbalWithVisualAids => "Go through the easy-read copy with the patient, with pictures.",
        AccessibleFormat.Other => "Arrange the copy in the format recorded for the patient.",
        _ => null,
    };
}
