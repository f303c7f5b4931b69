using Grpc.Core;
using Platform.Grpc;
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
    /// <summary>The region's analyst, on a region token naming no trust (identity issues it only so).</summary>
    public const string RegionAnalyst = "region-analyst";

    /// <summary>Who is calling, as the domain sees them (<see cref="CallerRole.Of"/>).</summary>
    public static ProcurementActor Caller(ServerCallContext context, ProcurementRole wanted)
    {
        var (subject, role) = CallerRole.Of(context, wanted, ProcurementRoles.Parse);
        return new ProcurementActor(subject, role);
    }
}
