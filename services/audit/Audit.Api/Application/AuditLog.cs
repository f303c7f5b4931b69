using Microsoft.EntityFrameworkCore;
using Platform.Audit.Api.Data;
using Platform.Domain;
using Platform.Persistence;

namespace Platform.Audit.Api.Application;

public sealed record AppendAuditEntry(
    string? Type, AuditAction Action, AuditOutcome Outcome,
    string? AgentWho, string? AgentRole, string? AgentPurposeOfUse,
    string? EntityWhat, string? EntityType, string? SourceEventId);

/// <summary>Who is reading the log, from their token.</summary>
public sealed record AuditReader(string Who, IReadOnlyCollection<string> Roles);

/// <summary>
/// A trust's append-only audit log. Entries are numbered 1, 2, 3... per trust without gaps. The log is readable
/// only by auditors, and every read (or refused attempt) is itself an entry.
/// </summary>
public sealed class AuditLog(AuditDbContext db, TimeProvider clock, ILogger<AuditLog> logger)
{
    public const string AuditorRole = "auditor";
    private const int MaxAppendAttempts = 5;

    public async Task<Outcome<AuditEntry>> AppendAsync(AppendAuditEntry command, CancellationToken ct = default)
    {
        if (Validation.Code("type", command.Type) is { } badType) return badType;
        if (Validation.Defined("action", command.Action) is { } badAction) return badAction;
        if (!Enum.IsDefined(command.Outcome)) return Refusal.Invalid("outcome.range", "Outcome must be Success, MinorFailure, SeriousFailure or MajorFailure.");
        if (Validation.RequiredText("agent-who", command.AgentWho, 128) is { } badWho) return badWho;
        if (Validation.RequiredText("agent-role", command.AgentRole, 64) is { } badRole) return badRole;
        if (Validation.RequiredText("entity-what", command.EntityWhat, 256) is { } badWhat) return badWhat;
        if (command.SourceEventId is { Length: > 128 }) return Refusal.Invalid("source-event-id.too-long", "Source event id must be at most 128 characters.");

        for (var attempt = 1; ; attempt++)
        {
            var next = (await db.Entries.MaxAsync(e => (long?)e.Sequence, ct) ?? 0) + 1;
            var entry = new AuditEntry
            {
                Id = Guid.CreateVersion7(),
                TenantId = db.CurrentTenant ?? "",
                Sequence = next,
                Type = command.Type!.Trim(),
                Action = command.Action,
                Outcome = command.Outcome,
                AgentWho = command.AgentWho!.Trim(),
                AgentRole = command.AgentRole!.Trim(),
                AgentPurposeOfUse = command.AgentPurposeOfUse?.Trim() ?? "",
                EntityWhat = command.EntityWhat!.Trim(),
                EntityType = command.EntityType?.Trim() ?? "",
                Recorded = AuditEntryCanonical.ToMicroseconds(clock.GetUtcNow().UtcDateTime),
                SourceEventId = string.IsNullOrWhiteSpace(command.SourceEventId) ? null : command.SourceEventId.Trim(),
            };
            entry.LeafHash = AuditEntryCanonical.LeafHash(entry);
            db.Entries.Add(entry);
            try
            {
                await db.SaveChangesAsync(ct);
                return entry;
            }
            catch (DbUpdateException) when (attempt < MaxAppendAttempts)
            {
                // Another writer took this sequence number; take the next one.
                db.Entry(entry).State = EntityState.Detached;
                logger.LogDebug("Audit sequence {Sequence} was taken; retrying", next);
            }
        }
    }

    public async Task<Outcome<IReadOnlyList<AuditEntry>>> ListAsync(AuditReader reader, long afterSequence, int pageSize, CancellationToken ct = default)
    {
        if (!reader.Roles.Contains(AuditorRole))
        {
            await AppendAsync(ReadEntry(reader, AuditOutcome.MinorFailure), ct);
            return Refusal.Denied("audit-log.auditors-only", "Only auditors can read the audit log; this attempt has been recorded.");
        }
        if (afterSequence < 0) return Refusal.Invalid("after-sequence.range", "After-sequence cannot be negative.");
        if (!Paging.TryRead(pageSize, null, out var size, out _, out var refusal)) return refusal!;

        var entries = await db.Entries.AsNoTracking().Where(e => e.Sequence > afterSequence).OrderBy(e => e.Sequence).Take(size).ToListAsync(ct);
        var recorded = await AppendAsync(ReadEntry(reader, AuditOutcome.Success), ct);
        if (recorded.IsRefused) return recorded.Refusal!;
        return entries;
    }

    private static AppendAuditEntry ReadEntry(AuditReader reader, AuditOutcome outcome) =>
        new("audit-log-read", AuditAction.Read, outcome, reader.Who, reader.Roles.FirstOrDefault() ?? "none", "HOPERAT", "AuditLog", "AuditEvent", null);
}
