namespace Platform.Procurement.Domain;

/// <summary>
/// Every gate a procurement case must pass before approval, from the principles' Procurement, Data protection,
/// Policy and Staff training sections and P3, P4 and P7.
/// </summary>
public enum GateKind
{
    Unspecified = 0,
    LegalProcurementCompliance = 1,
    LocalProcurementPolicy = 2,
    DtacClinicalSafety = 3,
    DtacDataProtection = 4,
    DtacTechnicalSecurity = 5,
    DtacInteroperability = 6,
    DtacUsabilityAndAccessibility = 7,
    EvidenceAppraisal = 8,
    EqualityAndHealthInequalitiesImpactAssessment = 9,
    DataProtectionImpactAssessment = 10,
    DataSharingAgreements = 11,
    PrivacyNotice = 12,
    InformationGovernanceSignOff = 13,
    CoProduction = 14,
    PolicyAndProcedure = 15,
    StaffTraining = 16,
}

/// <summary>Supplier-level evidence one trust may share with the region and another may reuse.</summary>
public enum SupplierEvidenceKind
{
    Unspecified = 0,
    /// <summary>The supplier's own DTAC answers for one section, and how the sharing trust judged them.</summary>
    DtacAnswers = 1,
    PenetrationTest = 2,
    /// <summary>The supplier's Data Security and Protection Toolkit status.</summary>
    DsptStatus = 3,
    /// <summary>A NICE Evidence Standards Framework appraisal of the product.</summary>
    EsfAppraisal = 4,
}

/// <summary>What each gate is called, who completes it, and which shared supplier evidence it can take in.</summary>
public sealed record GateDefinition(GateKind Kind, string Code, string Name, ProcurementRole CompletedBy, IReadOnlyList<SupplierEvidenceKind> Reusable);

public static class GateCatalogue
{
    public static IReadOnlyList<GateDefinition> All { get; } =
    [
        new(GateKind.LegalProcurementCompliance, "legal-procurement-compliance", "Legal procurement compliance", ProcurementRole.ProcurementLead, []),
        new(GateKind.LocalProcurementPolicy, "local-procurement-policy", "Local procurement policies and standard financial instructions", ProcurementRole.ProcurementLead, []),
        new(GateKind.DtacClinicalSafety, "dtac-c1-clinical-safety", "DTAC C1 clinical safety", ProcurementRole.ClinicalSafetyOfficer, [SupplierEvidenceKind.DtacAnswers]),
        new(GateKind.DtacDataProtection, "dtac-c2-data-protection", "DTAC C2 data protection", ProcurementRole.InformationGovernanceLead, [SupplierEvidenceKind.DtacAnswers, SupplierEvidenceKind.DsptStatus]),
        new(GateKind.DtacTechnicalSecurity, "dtac-c3-technical-security", "DTAC C3 technical security", ProcurementRole.InformationGovernanceLead, [SupplierEvidenceKind.DtacAnswers, SupplierEvidenceKind.PenetrationTest]),
        new(GateKind.DtacInteroperability, "dtac-c4-interoperability", "DTAC C4 interoperability", ProcurementRole.ProcurementLead, [SupplierEvidenceKind.DtacAnswers]),
        new(GateKind.DtacUsabilityAndAccessibility, "dtac-d1-usability-accessibility", "DTAC D1 usability and accessibility", ProcurementRole.ProcurementLead, [SupplierEvidenceKind.DtacAnswers]),
        new(GateKind.EvidenceAppraisal, "evidence-appraisal", "Critical review of the evidence base (P7)", ProcurementRole.EvidenceReviewer, [SupplierEvidenceKind.EsfAppraisal]),
        new(GateKind.EqualityAndHealthInequalitiesImpactAssessment, "ehia", "Equality and health inequalities impact assessment (P3)", ProcurementRole.ProcurementLead, []),
        new(GateKind.DataProtectionImpactAssessment, "dpia", "Data protection impact assessment", ProcurementRole.InformationGovernanceLead, []),
        new(GateKind.DataSharingAgreements, "data-sharing-agreements", "Data sharing agreements", ProcurementRole.InformationGovernanceLead, []),
        new(GateKind.PrivacyNotice, "privacy-notice", "Privacy notice and patient information", ProcurementRole.InformationGovernanceLead, []),
        new(GateKind.InformationGovernanceSignOff, "ig-sign-off", "Information governance sign-off", ProcurementRole.InformationGovernanceLead, []),
        new(GateKind.CoProduction, "co-production", "Co-production with people with lived experience (P4)", ProcurementRole.ProcurementLead, []),
        new(GateKind.PolicyAndProcedure, "policy-and-sop", "Policy and standard operating procedure", ProcurementRole.ProcurementLead, []),
        new(GateKind.StaffTraining, "staff-training", "Staff training plan", ProcurementRole.ProcurementLead, []),
    ];

    private static readonly Dictionary<GateKind, GateDefinition> ByKind = All.ToDictionary(d => d.Kind);

    public static GateDefinition Of(GateKind kind) =>
        ByKind.TryGetValue(kind, out var definition) ? definition : throw new ArgumentOutOfRangeException(nameof(kind), kind, "Not a gate.");

    public static bool IsGate(GateKind kind) => ByKind.ContainsKey(kind);
}
