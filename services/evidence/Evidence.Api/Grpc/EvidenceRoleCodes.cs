using Grpc.Core;
using Platform.Grpc;
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

    /// <summary>Who is calling, as the domain sees them (<see cref="CallerRole.Of"/>).</summary>
    public static EvidenceActor Caller(ServerCallContext context, EvidenceRole wanted)
    {
        var (subject, role) = CallerRole.Of(context, wanted, EvidenceRoles.Parse);
        return new EvidenceActor(subject, role);
    }
}
