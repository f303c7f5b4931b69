using System.Security.Claims;
using Grpc.Core;
using Platform.Evidence.Domain;

namespace Platform.Evidence.Api.Grpc;

/// <summary>The role codes evidence's methods accept (the same strings as <see cref="EvidenceRoles.Code"/>, plus trust-admin for policies).</summary>
public static class EvidenceRoleCodes
{
    public const string EvidenceReviewer = "evidence-reviewer";
    public const string ProcurementLead = "procurement-lead";
    public const string ClinicalSafetyOfficer = "clinical-safety-officer";
    public const string IgLead = "ig-lead";
    public const string Clinician = "clinician";
    public const string WardManager = "ward-manager";
    public const string TrustAdmin = "trust-admin";
    public const string RegionAnalyst = "region-analyst";

    /// <summary>
    /// Who is calling, as the domain sees them: the token's subject and, of the token's roles, the one the operation
    /// needs when the caller holds it (else the first), so the domain checks the role again and names it when refusing.
    /// </summary>
    public static EvidenceActor Caller(ServerCallContext context, EvidenceRole wanted)
    {
        var user = context.GetHttpContext().User;
        var roles = user.Identities.SelectMany(i => i.FindAll(i.RoleClaimType)).Select(c => EvidenceRoles.Parse(c.Value)).ToList();
        var role = roles.Contains(wanted) ? wanted : roles.FirstOrDefault();
        return new EvidenceActor(user.FindFirstValue("sub") ?? "", role);
    }
}
