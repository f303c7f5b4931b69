using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.Audit.Api.Application;
using Platform.Audit.Api.Checkpoints;
using Platform.Audit.Api.Data;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Platform.Audit.Domain.Notes;
using Platform.Audit.Export;
using Platform.Contracts.Audit.V1;
using Platform.Domain;
using Platform.Grpc;
using Platform.ServiceDefaults.Auth;
using Entries = Platform.Audit.Domain.Entries;
using Proto = Platform.Contracts.Audit.V1;

namespace Platform.Audit.Api.Grpc;

/// <summary>
/// platform.audit.v1.AuditService: reads only, auditors only, the trust and the reader from the token. Every call
/// but the key listing is entered in the log as an <c>audit-log-read</c> by the reader. The one region method,
/// <see cref="GetRegionalCheckpoints"/>, takes a region analyst's token and reads checkpoint metadata only (ADR 0042).
/// </summary>
public sealed class AuditGrpcService(AuditLog log, AuditDbContext db, AuditKeys keys, TimeProvider clock, RegionalCheckpoints regional) : AuditService.AuditServiceBase
{
    public const int MaxExport = 10_000;
    private static readonly string[] AccessTypes = ["patient-record-read", "use-check"];

    [RequiresRole(AuditRoles.Auditor)]
    public override async Task<ListEntriesResponse> ListEntries(ListEntriesRequest request, ServerCallContext context)
    {
        var query = new AuditQuery(request.AfterSequence, request.PageSize, Blank(request.Patient), Blank(request.AgentWho), Blank(request.Type),
            request.RecordedFrom?.ToDateTimeOffset(), request.RecordedBefore?.ToDateTimeOffset());
        var page = (await log.ListAsync(query, context.CancellationToken)).OrThrow();
        await RecordReadAsync(context, "AuditLog/entries", query.Patient);
        return ToResponse(page);
    }

    [RequiresRole(AuditRoles.Auditor)]
    public override async Task<ListEntriesResponse> ListPatientAccesses(ListPatientAccessesRequest request, ServerCallContext context)
    {
        if (string.IsNullOrWhiteSpace(request.Patient) || !request.Patient.StartsWith("Patient/", StringComparison.Ordinal))
        {
            throw Refusal.Invalid("patient.required", "Patient is required, as Patient/<internal key>.").ToException();
        }

        var page = (await log.ListAsync(new AuditQuery(request.AfterSequence, request.PageSize, request.Patient.Trim(), Types: AccessTypes), context.CancellationToken)).OrThrow();
        await RecordReadAsync(context, "AuditLog/patient-accesses", request.Patient.Trim());
        return ToResponse(page);
    }

    [RequiresRole(AuditRoles.Auditor)]
    public override async Task<Proto.Checkpoint> GetCheckpoint(GetCheckpointRequest request, ServerCallContext context)
    {
        if (request.TreeSize < 0) throw Refusal.Invalid("tree-size.range", "Tree size cannot be negative.").ToException();
        var note = await Checkpointer.SignedNoteAsync(db, request.TreeSize == 0 ? null : request.TreeSize, context.CancellationToken)
            ?? throw Refusal.NotFound("checkpoint.not-found", request.TreeSize == 0 ? "This trust's log has no checkpoint yet." : $"No checkpoint was signed at size {request.TreeSize}.").ToException();
        await RecordReadAsync(context, "AuditLog/checkpoint");
        return new Proto.Checkpoint { TreeSize = SizeOf(note), SignedNote = note };
    }

    [RequiresRole(AuditRoles.Auditor)]
    public override Task<VerifierKeys> GetVerifierKeys(GetVerifierKeysRequest request, ServerCallContext context)
    {
        var tenant = TenantOf(context);
        var response = new VerifierKeys { Origin = keys.OriginOf(tenant) };
        response.LogKeys.AddRange(keys.LogKeysOf(tenant).Select(k => k.ToString()));
        response.WitnessKeys.AddRange(keys.Witnesses.Select(w => w.Key.ToString()));
        return Task.FromResult(response);
    }

    [RequiresRole(AuditRoles.Auditor)]
    public override async Task<Proof> GetInclusionProof(GetInclusionProofRequest request, ServerCallContext context)
    {
        var size = await CheckpointedSizeAsync(request.TreeSize, "tree-size", context.CancellationToken);
        if (request.Sequence < 1 || request.Sequence > size)
        {
            throw Refusal.Invalid("sequence.range", $"Sequence must be between 1 and the checkpoint's size {size}.").ToException();
        }

        var tree = log.Tree();
        var hashes = await tree.InclusionProofAsync(request.Sequence - 1, size, context.CancellationToken);
        var leafId = new Domain.Tree.NodeId(0, request.Sequence - 1);
        var leaf = (await log.TreeStore().ReadAsync([leafId], context.CancellationToken))[leafId];
        await RecordReadAsync(context, "AuditLog/inclusion-proof");
        var proof = new Proof { TreeSize = size, LeafIndex = request.Sequence - 1, LeafHash = Convert.ToBase64String(leaf) };
        proof.Hashes.AddRange(hashes.Select(Convert.ToBase64String));
        return proof;
    }

    [RequiresRole(AuditRoles.Auditor)]
    public override async Task<Proof> GetConsistencyProof(GetConsistencyProofRequest request, ServerCallContext context)
    {
        var second = await CheckpointedSizeAsync(request.SecondTreeSize, "second-tree-size", context.CancellationToken, latestWhenZero: false);
        var first = await CheckpointedSizeAsync(request.FirstTreeSize, "first-tree-size", context.CancellationToken, latestWhenZero: false);
        if (first > second) throw Refusal.Invalid("first-tree-size.range", "The first tree size must not be larger than the second.").ToException();
        var hashes = await log.Tree().ConsistencyProofAsync(first, second, context.CancellationToken);
        await RecordReadAsync(context, "AuditLog/consistency-proof");
        var proof = new Proof { TreeSize = second };
        proof.Hashes.AddRange(hashes.Select(Convert.ToBase64String));
        return proof;
    }

    [RequiresRole(AuditRoles.Auditor)]
    public override async Task<ExportRangeResponse> ExportRange(ExportRangeRequest request, ServerCallContext context)
    {
        var size = await CheckpointedSizeAsync(request.TreeSize, "tree-size", context.CancellationToken);
        if (request.FirstSequence < 1) throw Refusal.Invalid("first-sequence.range", "First sequence starts at 1.").ToException();
        if (request.LastSequence < request.FirstSequence || request.LastSequence > size)
        {
            throw Refusal.Invalid("last-sequence.range", $"Last sequence must be between the first sequence and the checkpoint's size {size}.").ToException();
        }

        if (request.LastSequence - request.FirstSequence + 1 > MaxExport)
        {
            throw Refusal.Invalid("last-sequence.range", $"An export holds at most {MaxExport} entries; ask for the rest in further ranges.").ToException();
        }

        var note = (await Checkpointer.SignedNoteAsync(db, size, context.CancellationToken))!;
        var tree = log.Tree();
        var entries = await log.RangeAsync(request.FirstSequence, request.LastSequence, context.CancellationToken);
        var proven = new List<ProvenEntry>(entries.Count);
        foreach (var entry in entries)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            proven.Add(new ProvenEntry(entry, await tree.InclusionProofAsync(entry.Sequence - 1, size, context.CancellationToken)));
        }

        var bundle = AuditExportBundle.Build(TenantOf(context), request.FirstSequence, request.LastSequence, note, proven, clock.GetUtcNow());
        await RecordReadAsync(context, $"AuditLog/export/{request.FirstSequence}-{request.LastSequence}");
        return new ExportRangeResponse { BundleJson = AuditExportBundle.Serialize(bundle), TreeSize = size };
    }

    // A region token only (no trust); each trust is read in its own tenant scope and only checkpoint metadata leaves.
    // Not entered in a log: it reads no entry and nothing about a patient (ADR 0042).
    [Authorize(Policy = RegionCallerPolicy.Name)]
    [RequiresRole(AuditRoles.RegionAnalyst)]
    public override async Task<GetRegionalCheckpointsResponse> GetRegionalCheckpoints(GetRegionalCheckpointsRequest request, ServerCallContext context)
    {
        var trusts = (await regional.ReadAsync(context.CancellationToken)).OrThrow();
        var response = new GetRegionalCheckpointsResponse();
        response.Trusts.AddRange(trusts.Select(t => new Proto.TrustCheckpoint
        {
            OdsCode = t.OdsCode,
            HasCheckpoint = t.TreeSize is not null,
            TreeSize = t.TreeSize ?? 0,
            SignedAt = t.SignedAt is { } at ? Timestamp.FromDateTime(at) : null,
            Cosignatures = t.Cosignatures,
        }));
        return response;
    }

    private async Task<long> CheckpointedSizeAsync(long requested, string field, CancellationToken cancellationToken, bool latestWhenZero = true)
    {
        if (requested < 0 || (requested == 0 && !latestWhenZero)) throw Refusal.Invalid($"{field}.range", $"{Label(field)} must be a checkpointed size above zero.").ToException();
        var note = await Checkpointer.SignedNoteAsync(db, requested == 0 ? null : requested, cancellationToken);
        if (note is null)
        {
            throw (requested == 0
                ? Refusal.NotFound("checkpoint.not-found", "This trust's log has no checkpoint yet.")
                : Refusal.NotFound($"{field}.not-checkpointed", $"No checkpoint was signed at size {requested}; proofs are between checkpoints.")).ToException();
        }

        return requested == 0 ? SizeOf(note) : requested;
    }

    private async Task RecordReadAsync(ServerCallContext context, string what, string? patient = null)
    {
        var who = context.GetHttpContext().User.FindFirst("sub")?.Value;
        var recorded = await log.AppendAsync(new NewAuditEntry("audit-log-read", Entries.AuditAction.Read, Entries.AuditOutcome.Success,
            new Entries.AuditAgent(string.IsNullOrWhiteSpace(who) ? "unknown" : who, AuditRoles.Auditor, "HOPERAT"),
            new Entries.AuditEntity(what, "AuditEvent"), patient), context.CancellationToken);
        recorded.OrThrow();
    }

    private static string TenantOf(ServerCallContext context) =>
        context.GetHttpContext().RequestServices.GetRequiredService<Platform.ServiceDefaults.Tenancy.ITenantContext>().TenantId
        ?? throw Refusal.Denied("tenant.required", "The token names no trust.").ToException();

    private static long SizeOf(string signedNote) => Platform.Audit.Domain.Checkpoints.Checkpoint.Parse(SignedNote.Parse(signedNote).Text).Value.Size;

    private static string? Blank(string value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static string Label(string field) => char.ToUpperInvariant(field[0]) + field[1..].Replace('-', ' ');

    private static ListEntriesResponse ToResponse(AuditPage page)
    {
        var response = new ListEntriesResponse { NextAfterSequence = page.NextAfterSequence ?? 0 };
        response.Entries.AddRange(page.Entries.Select(ToMessage));
        return response;
    }

    private static Proto.AuditOutcome FromOutcome(Entries.AuditOutcome o) => o switch
    {
        Entries.AuditOutcome.Success => Proto.AuditOutcome.Success,
        Entries.AuditOutcome.MinorFailure => Proto.AuditOutcome.MinorFailure,
        Entries.AuditOutcome.SeriousFailure => Proto.AuditOutcome.SeriousFailure,
        _ => Proto.AuditOutcome.MajorFailure,
    };

    private static Proto.AuditEntry ToMessage(Entries.AuditEntry e) => new()
    {
        EntryId = e.Id.ToString(),
        Sequence = e.Sequence,
        Type = e.Type,
        Action = (Proto.AuditAction)(int)e.Action,
        Outcome = FromOutcome(e.Outcome),
        Agent = new Proto.AuditAgent { Who = e.Agent.Who, Role = e.Agent.Role, PurposeOfUse = e.Agent.PurposeOfUse },
        Entity = new Proto.AuditEntity { What = e.Entity.What, Type = e.Entity.Type },
        Recorded = Timestamp.FromDateTimeOffset(e.Recorded),
        SourceEventId = e.SourceEvent?.Id ?? "",
        SourceEventSource = e.SourceEvent?.Source ?? "",
        Patient = e.Patient ?? "",
        LeafHash = Convert.ToHexStringLower(Entries.AuditEntryCanonicalForm.LeafHash(e)),
    };
}
