using Platform.Domain;

namespace Platform.Consent.Domain;

/// <summary>A patient's status under the Mental Health Act 1983: informal, the section they are detained under, or a CTO.</summary>
public enum MentalHealthActStatus
{
    Unspecified = 0,
    Informal = 1,
    Section2 = 2,
    Section3 = 3,
    Section4 = 4,
    Section5Of2 = 5,
    Section5Of4 = 6,
    Section35 = 7,
    Section36 = 8,
    Section37 = 9,
    Section38 = 10,
    Section45A = 11,
    Section47 = 12,
    Section48 = 13,
    Section135 = 14,
    Section136 = 15,
    /// <summary>A community treatment order (s17A), not recalled: Part 4A applies, not Part 4.</summary>
    CommunityTreatmentOrder = 16,
    /// <summary>A community patient recalled to hospital (s17E): Part 4 applies again (s56(4)).</summary>
    CommunityTreatmentOrderRecalled = 17,
}

/// <summary>
/// Whether, for a technology that is treatment for mental disorder, the trust relies on the patient's consent or on
/// an s63 record by the responsible clinician where Part 4 applies. Chosen per technology approval, and audited.
/// </summary>
public enum MentalDisorderTreatmentRoute
{
    /// <summary>The technology is not treatment for mental disorder: the Mental Health Act plays no part in its basis.</summary>
    NotTreatmentForMentalDisorder = 0,
    /// <summary>The patient's own consent with capacity; the MCA routes are removed by MCA s28, so without it there is no basis.</summary>
    ConsentFirst = 1,
    /// <summary>The patient's own consent, else a record by the responsible clinician under s63.</summary>
    Section63Record = 2,
}

/// <summary>A period of a Mental Health Act status, as the Mental Health Act office records it.</summary>
public sealed class MentalHealthActRecord : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public MentalHealthActStatus Status { get; set; }
    public DateTime From { get; set; }
    public DateTime? Until { get; set; }
    public string RecordedBy { get; set; } = "";

    public bool InForce(DateTime now) => From <= now && !(Until is { } until && until <= now);

    /// <summary>Detained in hospital under a section (including places of safety and a recalled CTO).</summary>
    public bool IsDetained => Status is not (MentalHealthActStatus.Unspecified or MentalHealthActStatus.Informal or MentalHealthActStatus.CommunityTreatmentOrder);

    /// <summary>
    /// Part 4 (consent to treatment) applies (s56): not to the short-term powers (ss4, 5(2), 5(4), 35, 135, 136) nor to
    /// a community patient who has not been recalled (Part 4A applies instead).
    /// </summary>
    public bool Part4Applies => Status is MentalHealthActStatus.Section2 or MentalHealthActStatus.Section3 or MentalHealthActStatus.Section36 or
        MentalHealthActStatus.Section37 or MentalHealthActStatus.Section38 or MentalHealthActStatus.Section45A or MentalHealthActStatus.Section47 or
        MentalHealthActStatus.Section48 or MentalHealthActStatus.CommunityTreatmentOrderRecalled;

    public Refusal? Validate()
    {
        if (Status == MentalHealthActStatus.Unspecified || !Enum.IsDefined(Status))
            return Refusal.Invalid("mental-health-act.status-missing", "Record the patient's Mental Health Act status: informal, the section, or a community treatment order.");
        if (From == default) return Refusal.Invalid("mental-health-act.from-missing", "Record when this Mental Health Act status began.");
        if (Until is { } until && until <= From) return Refusal.Invalid("mental-health-act.until-before-from", "The status must end after it began.");
        if (string.IsNullOrWhiteSpace(RecordedBy)) return Refusal.Invalid("mental-health-act.recorded-by-missing", "Record who recorded the status.");
        return FreeText.Short("recorded-by", RecordedBy);
    }
}

/// <summary>
/// The responsible clinician's record that a technology, as treatment for mental disorder, is given under s63 to a
/// patient to whom Part 4 applies. Used only where the trust's approval chose <see cref="MentalDisorderTreatmentRoute.Section63Record"/>.
/// </summary>
public sealed class Section63Record : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    /// <summary>The responsible clinician, by staff identifier.</summary>
    public string ResponsibleClinician { get; set; } = "";
    public DateTime RecordedAt { get; set; }
    /// <summary>Why this technology is treatment for the patient's mental disorder (s145(4)).</summary>
    public string WhyTreatmentForMentalDisorder { get; set; } = "";
    /// <summary>Whether the patient's consent was sought first, and what they said (Code of Practice ch. 24).</summary>
    public bool? ConsentSought { get; set; }
    public string PatientViews { get; set; } = "";
    public DateTime? EndedAt { get; set; }

    public bool InForce(DateTime now) => RecordedAt <= now && !(EndedAt is { } ended && ended <= now);

    /// <summary>
    /// Whether s63 can be what this record says it is, before it is written: the technology's approval (for the
    /// patient's setting) must be one the trust chose the s63 route for, the technology must not monitor or restrict
    /// (detention alone is never a basis for monitoring or surveillance: MHA 1983 s63 authorises treatment for mental
    /// disorder, s145(4), and MCA s28 removes only the MCA routes), and Part 4 must apply to the patient when it is made (s56).
    /// </summary>
    public Refusal? ValidateFor(PatientConsentRecords records, TechnologyApproval? approval)
    {
        if (Validate() is { } incomplete) return incomplete;
        if (approval is null || approval.TechnologyId != TechnologyId || approval.IsWithdrawn(RecordedAt)) return Section63Refusals.NotApproved;
        if (approval.IsMonitoring) return Section63Refusals.DetentionNotABasisForMonitoring;
        if (approval.MentalDisorderTreatmentRoute != MentalDisorderTreatmentRoute.Section63Record) return Section63Refusals.RouteNotChosen;
        if (records.MentalHealthActAt(RecordedAt) is not { Part4Applies: true }) return Section63Refusals.Part4DoesNotApply;
        return null;
    }

    /// <summary>The responsible clinician ends the s63 record (treatment stopped, or the patient now consents).</summary>
    public Refusal? End(DateTime at)
    {
        if (EndedAt is not null) return Section63Refusals.AlreadyEnded;
        if (at < RecordedAt) return Section63Refusals.EndBeforeRecorded;
        EndedAt = at;
        return null;
    }

    public Refusal? Validate()
    {
        if (TechnologyId == Guid.Empty) return Refusal.Invalid("section-63.technology-missing", "Name the technology the s63 record is for.");
        if (string.IsNullOrWhiteSpace(ResponsibleClinician)) return Refusal.Invalid("section-63.responsible-clinician-missing", "Record the responsible clinician who made the s63 record.");
        if (RecordedAt == default) return Refusal.Invalid("section-63.recorded-at-missing", "Record when the s63 record was made.");
        if (string.IsNullOrWhiteSpace(WhyTreatmentForMentalDisorder))
            return Refusal.Invalid("section-63.treatment-reason-missing", "Record why this technology is treatment for the patient's mental disorder (MHA s145(4)).");
        if (ConsentSought is null) return Refusal.Invalid("section-63.consent-sought-missing", "Record whether the patient's consent was sought first.");
        if (string.IsNullOrWhiteSpace(PatientViews)) return Refusal.Invalid("section-63.patient-views-missing", "Record the patient's views on the technology.");
        return FreeText.First(FreeText.Short("responsible-clinician", ResponsibleClinician),
            FreeText.Narrative("why-treatment-for-mental-disorder", WhyTreatmentForMentalDisorder), FreeText.Narrative("patient-views", PatientViews));
    }
}

internal static class Section63Refusals
{
    public static readonly Refusal NotApproved = Refusal.Precondition("section-63.technology-not-approved",
        "The technology has no approval in force for the patient's setting: an s63 record cannot make it available.");
    public static readonly Refusal DetentionNotABasisForMonitoring = Refusal.Precondition("section-63.detention-not-a-basis-for-monitoring",
        "This technology monitors, watches or restricts: it is not treatment for mental disorder that s63 of the Mental Health Act could authorise. Detention alone is never a basis for monitoring or surveillance.");
    public static readonly Refusal RouteNotChosen = Refusal.Precondition("section-63.route-not-chosen",
        "The trust's approval of this technology relies on the patient's consent first, not on an s63 record: the trust chooses the route per approval.");
    public static readonly Refusal Part4DoesNotApply = Refusal.Precondition("section-63.part-4-does-not-apply",
        "Part 4 of the Mental Health Act does not apply to the patient (informal, a short-term power, or a community treatment order not recalled): s63 cannot authorise treatment.");
    public static readonly Refusal AlreadyEnded = Refusal.Precondition("section-63.already-ended", "This s63 record has already ended.");
    public static readonly Refusal EndBeforeRecorded = Refusal.Invalid("section-63.ended-before-recorded", "An s63 record cannot end before it was made.");
}
