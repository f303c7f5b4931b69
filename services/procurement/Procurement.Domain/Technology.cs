using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>The kinds of technology in the principles' scope (Definition and scope).</summary>
public enum TechnologyCategory
{
    Unspecified = 0,
    DirectCare = 1,
    PatientSafety = 2,
    Monitoring = 3,
    Communication = 4,
}

/// <summary>Why the trust wants the technology in a setting. The last two are never accepted (P5).</summary>
public enum StatedPurpose
{
    Unspecified = 0,
    DirectCareOrTreatment = 1,
    PatientSafety = 2,
    Monitoring = 3,
    CommunicationOrFeedback = 4,
    /// <summary>Freeing staff from administrative work so that they spend more time with patients.</summary>
    ReleasingTimeToCare = 5,
    ReduceStaffTimeWithPatients = 6,
    CoverLowStaffing = 7,
}

public sealed record TechnologyRegistration(
    string? Name, string? Supplier, string? IntendedUse, TechnologyCategory Category, bool IsSurveillance, bool ManagesSafetyRisk);

/// <summary>
/// A digital technology the trust considers, with the agreed intended use the principles ask for at procurement
/// ("providers must define what the agreed intended use of a tool is").
/// </summary>
public sealed class Technology : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public string Name { get; init; } = "";
    public string Supplier { get; init; } = "";
    public string IntendedUse { get; init; } = "";
    public TechnologyCategory Category { get; init; }
    /// <summary>Video or vision-based monitoring: a restriction that may breach human rights, so it gets extra scrutiny.</summary>
    public bool IsSurveillance { get; init; }
    /// <summary>Used to help manage safety risks (P6): each use records why it is proportionate.</summary>
    public bool ManagesSafetyRisk { get; init; }
    public DateTime RegisteredAt { get; init; }

    public static Outcome<Technology> Register(TechnologyRegistration registration, Guid id, DateTime now)
    {
        if (Validation.RequiredText("name", registration.Name, 200) is { } badName) return badName;
        if (Validation.RequiredText("supplier", registration.Supplier, 200) is { } badSupplier) return badSupplier;
        if (Validation.RequiredText("intended-use", registration.IntendedUse, 2000) is { } badUse) return badUse;
        if (Validation.Defined("category", registration.Category) is { } badCategory) return badCategory;
        return new Technology
        {
            Id = id,
            Name = registration.Name!.Trim(),
            Supplier = registration.Supplier!.Trim(),
            IntendedUse = registration.IntendedUse!.Trim(),
            Category = registration.Category,
            IsSurveillance = registration.IsSurveillance,
            ManagesSafetyRisk = registration.ManagesSafetyRisk || registration.Category == TechnologyCategory.PatientSafety,
            RegisteredAt = now,
        };
    }

    public static bool IsProhibitedPurpose(StatedPurpose purpose) =>
        purpose is StatedPurpose.ReduceStaffTimeWithPatients or StatedPurpose.CoverLowStaffing;

    internal bool IsFromSupplier(string supplier) =>
        string.Equals(Supplier.Trim(), supplier.Trim(), StringComparison.OrdinalIgnoreCase);
}
