using System.Security.Claims;
using Grpc.Core;
using Platform.Procurement.Domain;

namespace Platform.Procurement.Api.Grpc;

/// <summary>The role codes procurement's methods accept (the same strings as <see cref="ProcurementRoles.Code"/>).</summary>
public static class ProcurementRoleCodes
{
    public const string ProcurementLead = "procurement-lead";
    public const string IgLead = "ig-lead";
    public const string ClinicalSafetyOfficer = "clinical-safety-officer";
    public const string EvidenceReviewer = "evidence-reviewer";
    public const string TrustAdmin = "trust-admin";

    /// <summary>
    /// Who is calling, as the domain sees them: the token's subject and, of the token's roles, the one the operation
    /// needs when the caller holds it (else the first), so the domain checks the role again and names it when refusing.
    /// </summary>
    public static ProcurementActor Caller(ServerCallContext context, ProcurementRole wanted)
    {
        var user = context.GetHttpContext().User;
        var roles = user.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => ProcurementRoles.Parse(c.Value)).ToList();
        var role = roles.Contains(wanted) ? wanted : roles.FirstOrDefault();
        return new ProcurementActor(user.FindFirstValue("sub") ?? "", role);
    }
}
