namespace Platform.Audit.Export;

/// <summary>The code systems, identifier systems and extensions the export uses (docs/audit/export-bundle.md).</summary>
public static class AuditFhir
{
    /// <summary>The platform's canonical base for its own FHIR definitions.</summary>
    public const string Base = "https://platform.example/fhir";

    public const string EventTypeSystem = Base + "/CodeSystem/audit-event-type";
    public const string RoleSystem = Base + "/CodeSystem/role";
    public const string EntityTypeSystem = Base + "/CodeSystem/audit-entity-type";
    public const string ActorSystem = Base + "/NamingSystem/actor";
    public const string OdsCodeSystem = "https://fhir.nhs.uk/Id/ods-organization-code";
    public const string PurposeOfUseSystem = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
    public const string ObjectRoleSystem = "http://terminology.hl7.org/CodeSystem/object-role";
    public const string PatientObjectRole = "1";

    public const string SequenceExtension = Base + "/StructureDefinition/audit-log-sequence";
    public const string InclusionProofExtension = Base + "/StructureDefinition/audit-log-inclusion-proof";
    public const string SourceEventExtension = Base + "/StructureDefinition/audit-source-event";

    /// <summary>Names of the parameters of the export's Parameters resource (the bundle's first entry).</summary>
    public static class Parameters
    {
        public const string Tenant = "tenant";
        public const string FirstSequence = "first-sequence";
        public const string LastSequence = "last-sequence";
        public const string Checkpoint = "checkpoint";
    }
}
