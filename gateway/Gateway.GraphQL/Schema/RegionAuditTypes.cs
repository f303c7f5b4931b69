using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Audit.V1;
using Platform.Gateway.GraphQL.Loading;

namespace Platform.Gateway.GraphQL.Schema;

// The region's audit volume and checkpoint status (issue 19, ADR 0042): audit's GetRegionalCheckpoints, one call per
// request through the request's BatchLoader. Each trust's latest checkpoint: size, time, cosignatures; no entry, no
// note, no person, no patient.

public static class RegionAuditFields
{
    /// <summary>Adds <c>auditCheckpoints</c> to the region's dashboard.</summary>
    public static void AddAuditCheckpoints(ObjectGraphType<RegionScope> region) =>
        region.Field<NonNullGraphType<ListGraphType<NonNullGraphType<RegionAuditCheckpointType>>>>("auditCheckpoints")
            .Description("Each of the region's active trusts' audit log at its latest signed checkpoint: its volume (entries), when it was signed and how many witnesses cosigned it, in ODS code order (audit service; region analysts). Checkpoint metadata, not patient data: not suppressed, and reading it is not itself recorded (ADR 0042).")
            // A list of trusts, sized as the region's other trust lists (ReportSizes.TrustRows).
            .WithComplexityImpact(1, ReportSizes.TrustRows)
            .Resolve(c => c.RequestServices!.GetRequiredService<RegionAuditLoaders>().Region.Load(true));
}

public sealed class RegionAuditCheckpointType : ObjectGraphType<TrustCheckpoint>
{
    public RegionAuditCheckpointType()
    {
        Name = "RegionAuditCheckpoint";
        Description = "One trust's audit log at its latest signed checkpoint (c2sp.org/tlog-checkpoint); the size and time are null while its log has none.";
        Field<NonNullGraphType<StringGraphType>>("odsCode").Description("The trust's ODS code.").Resolve(c => c.Source.OdsCode);
        Field<LongGraphType>("treeSize").Description("How many entries the trust's log holds at its latest checkpoint; null before its first is signed.")
            .Resolve(c => c.Source.HasCheckpoint ? c.Source.TreeSize : null);
        Field<DateTimeGraphType>("signedAt").Description("When the log signed that checkpoint (UTC); null before its first is signed.").Resolve(c => Times.Of(c.Source.SignedAt));
        Field<NonNullGraphType<IntGraphType>>("cosignatures").Description("How many witnesses have cosigned that checkpoint; 0 when it is not witnessed yet.").Resolve(c => c.Source.Cosignatures);
    }
}
