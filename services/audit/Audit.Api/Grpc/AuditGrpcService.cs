using Grpc.Core;
using Platform.Audit.Api.Application;
using Platform.Contracts.Audit.V1;
using Platform.Grpc;
using Data = Platform.Audit.Api.Data;

namespace Platform.Audit.Api.Grpc;

/// <summary>platform.audit.v1.AuditService. Who reads comes from the token, never from the request.</summary>
public sealed class AuditGrpcService(AuditLog log) : AuditService.AuditServiceBase
{
    public override async Task<AuditEntry> AppendEntry(AppendEntryRequest request, ServerCallContext context) =>
        ToMessage((await log.AppendAsync(new AppendAuditEntry(request.Type, (Data.AuditAction)request.Action, ToOutcome(request.Outcome),
            request.Agent?.Who, request.Agent?.Role, request.Agent?.PurposeOfUse, request.Entity?.What, request.Entity?.Type, request.SourceEventId),
            context.CancellationToken)).OrThrow());

    public override async Task<ListEntriesResponse> ListEntries(ListEntriesRequest request, ServerCallContext context)
    {
        var user = context.GetHttpContext().User;
        var reader = new AuditReader(user.FindFirst("sub")?.Value ?? "unknown", user.FindAll("roles").Select(c => c.Value).ToArray());
        var entries = (await log.ListAsync(reader, request.AfterSequence, request.PageSize, context.CancellationToken)).OrThrow();
        var response = new ListEntriesResponse();
        response.Entries.AddRange(entries.Select(ToMessage));
        return response;
    }

    // The proto enum counts 1..4 after UNSPECIFIED; FHIR's codes are 0, 4, 8, 12. Unspecified means success.
    private static Data.AuditOutcome ToOutcome(AuditOutcome o) => o switch
    {
        AuditOutcome.Unspecified or AuditOutcome.Success => Data.AuditOutcome.Success,
        AuditOutcome.MinorFailure => Data.AuditOutcome.MinorFailure,
        AuditOutcome.SeriousFailure => Data.AuditOutcome.SeriousFailure,
        AuditOutcome.MajorFailure => Data.AuditOutcome.MajorFailure,
        _ => (Data.AuditOutcome)(-1),
    };

    private static AuditOutcome FromOutcome(Data.AuditOutcome o) => o switch
    {
        Data.AuditOutcome.Success => AuditOutcome.Success,
        Data.AuditOutcome.MinorFailure => AuditOutcome.MinorFailure,
        Data.AuditOutcome.SeriousFailure => AuditOutcome.SeriousFailure,
        _ => AuditOutcome.MajorFailure,
    };

    private static AuditEntry ToMessage(Data.AuditEntry e) => new()
    {
        EntryId = e.Id.ToString(),
        Sequence = e.Sequence,
        Type = e.Type,
        Action = (AuditAction)e.Action,
        Outcome = FromOutcome(e.Outcome),
        Agent = new AuditAgent { Who = e.AgentWho, Role = e.AgentRole, PurposeOfUse = e.AgentPurposeOfUse },
        Entity = new AuditEntity { What = e.EntityWhat, Type = e.EntityType },
        Recorded = e.Recorded.ToTimestamp(),
        SourceEventId = e.SourceEventId ?? "",
        LeafHash = e.LeafHash,
    };
}
