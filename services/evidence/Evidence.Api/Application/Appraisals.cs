using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Evidence.Api.Data;
using Platform.Evidence.Domain;
using Platform.Messaging.Outbox;
using Common = Platform.Contracts.Common.V1;
using Published = Platform.Contracts.Evidence.V1;
using EvidenceItem = Platform.Evidence.Domain.EvidenceItem;
using StudyDesign = Platform.Evidence.Domain.StudyDesign;

namespace Platform.Evidence.Api.Application;

public sealed record CompleteAppraisalCommand(
    string? TechnologyId, string? SettingCode, EsfTier Tier, IReadOnlyList<string> EvidenceItemIds, IReadOnlyList<EsfStandardJudgement> Standards,
    AppraisalConclusion Conclusion, string? HowEvidenceInformedDecision);

/// <summary>
/// The trust's appraisals (P7): completing one against the trust's evidence library and policy, and reading them back.
/// The rules are Evidence.Domain's; this loads, saves, and publishes appraisal_completed in the same transaction,
/// which is what procurement's evidence-appraisal gate rests on.
/// </summary>
public sealed class Appraisals(EvidenceDbContext db, IEventPublisher events, TimeProvider clock, ILogger<Appraisals> logger)
{
    public const int MaxItemsPerAppraisal = 200;
    public const int MaxStandardsPerAppraisal = 100;

    private static readonly JsonSerializerOptions s_snapshot = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    public async Task<Outcome<Appraisal>> CompleteAsync(CompleteAppraisalCommand command, EvidenceActor reviewer, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(command.TechnologyId, out var technologyId))
            return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
        if (command.EvidenceItemIds.Count > MaxItemsPerAppraisal)
            return Refusal.Invalid("evidence-item-ids.too-many", $"An appraisal considers at most {MaxItemsPerAppraisal} evidence items.");
        if (command.Standards.Count > MaxStandardsPerAppraisal)
            return Refusal.Invalid("standards.too-many", $"An appraisal judges at most {MaxStandardsPerAppraisal} ESF standards.");
        if (command.Standards.Any(s => s.Standard?.Trim().Length > 100 || s.Note?.Length > 2000))
            return Refusal.Invalid("standards.too-long", "A standard's reference must be at most 100 characters and its note at most 2000.");
        var itemIds = new List<Guid>(command.EvidenceItemIds.Count);
        foreach (var raw in command.EvidenceItemIds)
        {
            if (!Validation.TryParseId(raw, out var itemId)) return Refusal.Invalid("evidence-item-ids.format", "Each evidence item id must be a UUID.");
            itemIds.Add(itemId);
        }
        if (!await db.Technologies.AnyAsync(t => t.Id == technologyId, ct)) return EvidenceLibrary.TechnologyNotFound;

        // Items of this trust only (row-level security and the tenant filter): another trust's item is simply not found.
        var library = (await db.EvidenceItems.AsNoTracking().Where(i => itemIds.Contains(i.Id)).ToListAsync(ct)).Select(i => i.ToDomain()).ToList();
        var policy = await PolicyAsync(ct);
        var now = clock.GetUtcNow().UtcDateTime;
        // To the database's precision (microseconds), so that the answer, the event and every later read agree.
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        var completed = Appraisal.Complete(
            new AppraisalSubmission(technologyId, command.SettingCode, command.Tier, itemIds, command.Standards, command.Conclusion, command.HowEvidenceInformedDecision),
            library, reviewer, policy, Guid.CreateVersion7(), now);
        if (completed.IsRefused) return completed;
        var appraisal = completed.Value;

        db.Appraisals.Add(new AppraisalRow
        {
            Id = appraisal.Id, TechnologyId = appraisal.TechnologyId, SettingCode = appraisal.SettingCode, Tier = appraisal.Tier,
            Conclusion = appraisal.Conclusion, HowEvidenceInformedDecision = appraisal.HowEvidenceInformedDecision,
            ItemsMeetingP7Bar = appraisal.ItemsMeetingP7Bar, ReviewedBy = appraisal.ReviewedBy, CompletedAt = appraisal.CompletedAt,
        });
        db.AppraisalItems.AddRange(appraisal.Evidence.Select(i => new AppraisalItemRow
        {
            AppraisalId = appraisal.Id, EvidenceItemId = i.Id, Snapshot = JsonSerializer.Serialize(i, s_snapshot),
        }));
        db.AppraisalStandards.AddRange(appraisal.Standards.Select((s, position) => new AppraisalStandardRow
        {
            AppraisalId = appraisal.Id, Position = position, Standard = s.Standard, Met = s.Met, Note = string.IsNullOrWhiteSpace(s.Note) ? null : s.Note.Trim(),
        }));

        var message = new Published.AppraisalCompleted
        {
            AppraisalId = appraisal.Id.ToString(),
            TechnologyId = appraisal.TechnologyId.ToString(),
            SettingCode = appraisal.SettingCode,
            Tier = (Published.EsfTier)appraisal.Tier,
            Conclusion = (Published.AppraisalConclusion)appraisal.Conclusion,
            ItemsConsidered = appraisal.Evidence.Count,
            ItemsMeetingP7Bar = appraisal.ItemsMeetingP7Bar,
            CompletedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.SpecifyKind(appraisal.CompletedAt, DateTimeKind.Utc)),
            Actor = new Common.Actor { Subject = reviewer.Subject, Role = EvidenceRoles.Code(reviewer.Role) },
        };
        message.StandardsMet.AddRange(appraisal.StandardsMet);
        message.StandardsNotMet.AddRange(appraisal.StandardsNotMet);
        events.Publish(message, db.CurrentTenant!, appraisal.TechnologyId.ToString());
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Appraisal {AppraisalId} completed for technology {TechnologyId} in {SettingCode}: {Conclusion}",
            appraisal.Id, appraisal.TechnologyId, appraisal.SettingCode, appraisal.Conclusion);
        return appraisal;
    }

    public async Task<Outcome<Appraisal>> GetAsync(string? appraisalId, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(appraisalId, out var id)) return Refusal.Invalid("appraisal-id.format", "Appraisal id must be a UUID.");
        var row = await db.Appraisals.AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (row is null) return Refusal.NotFound("appraisal.not-found", "No appraisal with this id in this trust.");
        return (await LoadAsync([row], ct))[0];
    }

    public async Task<Outcome<IReadOnlyList<Appraisal>>> ListAsync(string? technologyId, string? settingCode, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(technologyId, out var id)) return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
        if (!await db.Technologies.AnyAsync(t => t.Id == id, ct)) return EvidenceLibrary.TechnologyNotFound;
        var query = db.Appraisals.AsNoTracking().Where(a => a.TechnologyId == id);
        if (!string.IsNullOrEmpty(settingCode))
        {
            if (Validation.Code("setting", settingCode) is { } badSetting) return badSetting;
            var setting = settingCode.Trim();
            query = query.Where(a => a.SettingCode == setting);
        }
        var rows = await query.OrderByDescending(a => a.CompletedAt).ThenByDescending(a => a.Id).Take(200).ToListAsync(ct);
        return Outcome<IReadOnlyList<Appraisal>>(await LoadAsync(rows, ct));
    }

    public async Task<AppraisalPolicy> PolicyAsync(CancellationToken ct = default)
    {
        var row = await db.AppraisalPolicies.AsNoTracking().SingleOrDefaultAsync(ct);
        return row is null
            ? AppraisalPolicy.Default
            : new AppraisalPolicy
            {
                LargeScaleMinimumParticipants = row.LargeScaleMinimumParticipants,
                HighQualityDesigns = row.HighQualityDesigns.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<StudyDesign>).ToHashSet(),
            };
    }

    public async Task<Outcome<AppraisalPolicy>> SetPolicyAsync(AppraisalPolicy policy, CancellationToken ct = default)
    {
        if (policy.HighQualityDesigns.Any(d => !Enum.IsDefined(d)))
            return Refusal.Invalid("appraisal-policy.designs-required", "Name only study designs the platform knows.");
        if (policy.Validate() is { } invalid) return invalid;
        var designs = string.Join(",", policy.HighQualityDesigns.Order());
        var row = await db.AppraisalPolicies.SingleOrDefaultAsync(ct);
        if (row is null) db.AppraisalPolicies.Add(row = new AppraisalPolicyRow());
        row.LargeScaleMinimumParticipants = policy.LargeScaleMinimumParticipants;
        row.HighQualityDesigns = designs;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Appraisal policy set for {Tenant}", db.CurrentTenant);
        return policy;
    }

    private static Outcome<T> Outcome<T>(T value) => value;

    private async Task<List<Appraisal>> LoadAsync(IReadOnlyList<AppraisalRow> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToList();
        var items = (await db.AppraisalItems.AsNoTracking().Where(i => ids.Contains(i.AppraisalId)).ToListAsync(ct))
            .ToLookup(i => i.AppraisalId, i => JsonSerializer.Deserialize<EvidenceItem>(i.Snapshot, s_snapshot)!);
        var standards = (await db.AppraisalStandards.AsNoTracking().Where(s => ids.Contains(s.AppraisalId)).ToListAsync(ct))
            .ToLookup(s => s.AppraisalId);
        return rows.Select(r => new Appraisal
        {
            Id = r.Id, TenantId = r.TenantId, TechnologyId = r.TechnologyId, SettingCode = r.SettingCode, Tier = r.Tier,
            Evidence = items[r.Id].OrderBy(i => i.RecordedAt).ThenBy(i => i.Id).ToList(),
            Standards = standards[r.Id].OrderBy(s => s.Position).Select(s => new EsfStandardJudgement(s.Standard, s.Met, s.Note)).ToList(),
            Conclusion = r.Conclusion, HowEvidenceInformedDecision = r.HowEvidenceInformedDecision, ItemsMeetingP7Bar = r.ItemsMeetingP7Bar,
            ReviewedBy = r.ReviewedBy, CompletedAt = r.CompletedAt,
        }).ToList();
    }
}
