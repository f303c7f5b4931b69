namespace Platform.Audit.Api.Grpc;

/// <summary>The roles the audit service knows (design/domain.md): only auditors read the log.</summary>
public static class AuditRoles
{
    public const string Auditor = "auditor";
}
