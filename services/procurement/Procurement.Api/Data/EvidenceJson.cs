using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Platform.Procurement.Domain;

namespace Platform.Procurement.Api.Data;

/// <summary>
/// How gate evidence is stored in gate_records.evidence: System.Text.Json with the gate code as the type
/// discriminator, declared here so the domain types carry no serialisation attributes.
/// </summary>
public static class EvidenceJson
{
    private static readonly (Type Type, GateKind Gate)[] s_evidenceTypes =
    [
        (typeof(LegalProcurementComplianceEvidence), GateKind.LegalProcurementCompliance),
        (typeof(LocalProcurementPolicyEvidence), GateKind.LocalProcurementPolicy),
        (typeof(DtacClinicalSafetyEvidence), GateKind.DtacClinicalSafety),
        (typeof(DtacDataProtectionEvidence), GateKind.DtacDataProtection),
        (typeof(DtacTechnicalSecurityEvidence), GateKind.DtacTechnicalSecurity),
        (typeof(DtacInteroperabilityEvidence), GateKind.DtacInteroperability),
        (typeof(DtacUsabilityEvidence), GateKind.DtacUsabilityAndAccessibility),
        (typeof(EvidenceAppraisalEvidence), GateKind.EvidenceAppraisal),
        (typeof(EhiaEvidence), GateKind.EqualityAndHealthInequalitiesImpactAssessment),
        (typeof(DpiaEvidence), GateKind.DataProtectionImpactAssessment),
        (typeof(DataSharingEvidence), GateKind.DataSharingAgreements),
        (typeof(PrivacyNoticeEvidence), GateKind.PrivacyNotice),
        (typeof(InformationGovernanceSignOffEvidence), GateKind.InformationGovernanceSignOff),
        (typeof(CoProductionEvidence), GateKind.CoProduction),
        (typeof(PolicyAndProcedureEvidence), GateKind.PolicyAndProcedure),
        (typeof(StaffTrainingEvidence), GateKind.StaffTraining),
    ];

    private static readonly JsonSerializerOptions s_options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { DeclareGateEvidence } },
    };

    private static readonly (Type Type, SupplierEvidenceKind Kind)[] s_sharedTypes =
    [
        (typeof(DtacAnswersContent), SupplierEvidenceKind.DtacAnswers),
        (typeof(PenetrationTestContent), SupplierEvidenceKind.PenetrationTest),
        (typeof(DsptStatusContent), SupplierEvidenceKind.DsptStatus),
        (typeof(EsfAppraisalContent), SupplierEvidenceKind.EsfAppraisal),
    ];

    private static void DeclareGateEvidence(JsonTypeInfo info)
    {
        if (info.Type == typeof(SupplierEvidenceContent))
        {
            info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$kind" };
            foreach (var (type, kind) in s_sharedTypes) info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, kind.ToString()));
            return;
        }
        if (info.Type != typeof(GateEvidence)) return;
        info.PolymorphismOptions = new JsonPolymorphismOptions { TypeDiscriminatorPropertyName = "$gate" };
        foreach (var (type, gate) in s_evidenceTypes)
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(type, GateCatalogue.Of(gate).Code));
    }

    public static string Write(GateEvidence evidence) => JsonSerializer.Serialize(evidence, s_options);

    public static GateEvidence ReadEvidence(string json) =>
        JsonSerializer.Deserialize<GateEvidence>(json, s_options) ?? throw new InvalidOperationException("A gate record holds no evidence.");

    public static string Write(SupplierEvidenceContent content) => JsonSerializer.Serialize(content, s_options);

    public static SupplierEvidenceContent ReadShared(string json) =>
        JsonSerializer.Deserialize<SupplierEvidenceContent>(json, s_options) ?? throw new InvalidOperationException("A shared evidence row holds no content.");

    public static string? Write(IndependentEvaluationPlan? plan) => plan is null ? null : JsonSerializer.Serialize(plan, s_options);

    public static IndependentEvaluationPlan? ReadPlan(string? json) => json is null ? null : JsonSerializer.Deserialize<IndependentEvaluationPlan>(json, s_options);
}
