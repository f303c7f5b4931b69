namespace Platform.Audit.Api.Grpc;

/// <summary>The roles the audit service knows (design/domain.md): only auditors read the log; the region analyst reads its checkpoints' metadata (ADR 0042).</summary>
public static class AuditRoles
{
    public const string Auditor = "auditor";
    public const string RegionAnalyst = "region-analyst";
}
