using Platform.Domain;

namespace Platform.Consent.Domain;

public enum CourtKind
{
    Unspecified = 0,
    /// <summary>A decision of the Court of Protection (MCA s16(2)(a)), for a person of 16 or over lacking capacity.</summary>
    CourtOfProtection = 1,
    /// <summary>The High Court's inherent jurisdiction over a child.</summary>
    HighCourtInherentJurisdiction = 2,
    /// <summary>A specific issue or prohibited steps order (Children Act 1989 s8).</summary>
    FamilyCourtSection8Order = 3,
}

public enum CourtOrderEffect
{
    Unspecified = 0,
    AuthorisesUse = 1,
    ForbidsUse = 2,
}

/// <summary>
/// A court's order about this technology for this patient. It is a lawful basis of its own, checked before every other
/// route: a court that authorises the use decides it, and one that forbids it forbids it.
/// </summary>
public sealed class CourtOrder : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid PatientId { get; init; }
    public Guid TechnologyId { get; init; }
    public CourtKind Court { get; set; }
    public string Reference { get; set; } = "";
    public CourtOrderEffect Effect { get; set; }
    /// <summary>The order also authorises the deprivation of liberty the use brings (MCA s4A(3), s16(2)(a); inherent jurisdiction).</summary>
    public bool AuthorisesDeprivationOfLiberty { get; set; }
    public DateTime MadeAt { get; set; }
    public DateTime? ExpiresAt { get; set; }
    public DateTime? DischargedAt { get; set; }
    public string? VerifiedBy { get; set; }
    public DateTime? VerifiedAt { get; set; }
    /// <summary>The discharging order's reference and who verified it (set with <see cref="DischargedAt"/>).</summary>
    public string? DischargeReference { get; set; }
    public string? DischargeVerifiedBy { get; set; }

    public Refusal? Validate()
    {
        if (TechnologyId == Guid.Empty) return CourtOrderRefusals.TechnologyMissing;
        if (Court == CourtKind.Unspecified || !Enum.IsDefined(Court)) return CourtOrderRefusals.CourtMissing;
        if (string.IsNullOrWhiteSpace(Reference)) return CourtOrderRefusals.ReferenceMissing;
        if (Effect == CourtOrderEffect.Unspecified || !Enum.IsDefined(Effect)) return CourtOrderRefusals.EffectMissing;
        if (MadeAt == default) return CourtOrderRefusals.MadeAtMissing;
        if (string.IsNullOrWhiteSpace(VerifiedBy) || VerifiedAt is null) return CourtOrderRefusals.Unverified;
        return null;
    }

    /// <summary>
    /// The court discharged its order (MCA s16(7)): from <paramref name="at"/> the order is no basis and forbids
    /// nothing. The discharge is the court's act, so it carries its own reference and who verified it, as the order did;
    /// it cannot precede the order, and an order is discharged once.
    /// </summary>
    public Refusal? Discharge(DateTime at, string? reference, string? verifiedBy)
    {
        if (at == default) return CourtOrderRefusals.DischargedAtMissing;
        if (at < MadeAt) return CourtOrderRefusals.DischargedBeforeMade;
        if (string.IsNullOrWhiteSpace(reference)) return CourtOrderRefusals.DischargeReferenceMissing;
        if (FreeText.First(FreeText.Short("reference", reference), FreeText.Short("verified-by", verifiedBy)) is { } bad) return bad;
        if (string.IsNullOrWhiteSpace(verifiedBy)) return CourtOrderRefusals.DischargeUnverified;
        if (DischargedAt is not null) return CourtOrderRefusals.AlreadyDischarged;
        DischargedAt = at;
        DischargeReference = reference.Trim();
        DischargeVerifiedBy = verifiedBy.Trim();
        return null;
    }

    public Refusal? ValidateText() => FreeText.First(FreeText.Short("reference", Reference), FreeText.Short("verified-by", VerifiedBy));

    public bool InForce(DateTime now) =>
        MadeAt <= now && VerifiedAt is { } verified && verified <= now &&
        !(ExpiresAt is { } expires && expires <= now) && !(DischargedAt is { } discharged && discharged <= now);

    /// <summary>
    /// Whether this court can decide for a patient in <paramref name="band"/>: the Court of Protection from 16 (MCA
    /// s2(5)); the High Court's inherent jurisdiction and s8 orders for children only (a court cannot consent for an
    /// adult who has capacity, and for an adult lacking it the Court of Protection decides).
    /// </summary>
    public bool AvailableFor(AgeBand band) => Court switch
    {
        CourtKind.CourtOfProtection => band != AgeBand.Under16,
        CourtKind.HighCourtInherentJurisdiction or CourtKind.FamilyCourtSection8Order => !band.IsAdult(),
        _ => false,
    };
}

internal static class CourtOrderRefusals
{
    public static readonly Refusal TechnologyMissing = Refusal.Invalid("court-order.technology-missing", "Name the technology the court order is about.");
    public static readonly Refusal CourtMissing = Refusal.Invalid("court-order.court-missing",
        "Record which court made the order: the Court of Protection, the High Court's inherent jurisdiction, or a Children Act s8 order.");
    public static readonly Refusal ReferenceMissing = Refusal.Invalid("court-order.reference-missing", "Record the court order's reference.");
    public static readonly Refusal EffectMissing = Refusal.Invalid("court-order.effect-missing", "Record whether the order authorises or forbids the use.");
    public static readonly Refusal MadeAtMissing = Refusal.Invalid("court-order.made-at-missing", "Record when the order was made.");
    public static readonly Refusal Unverified = Refusal.Precondition("court-order.unverified", "Verify the sealed order: record who verified it and when.");
    public static readonly Refusal DischargedAtMissing = Refusal.Invalid("discharged-at.missing", "Record when the court's discharge took effect.");
    public static readonly Refusal DischargedBeforeMade = Refusal.Invalid("discharged-at.before-the-order", "A discharge cannot take effect before the order was made.");
    public static readonly Refusal DischargeReferenceMissing = Refusal.Invalid("reference.missing", "Record the discharging order's reference.");
    public static readonly Refusal DischargeUnverified = Refusal.Precondition("court-order.discharge-unverified", "Verify the sealed discharge: record who verified it.");
    public static readonly Refusal AlreadyDischarged = Refusal.Precondition("court-order.already-discharged", "This court order has already been discharged.");
}
