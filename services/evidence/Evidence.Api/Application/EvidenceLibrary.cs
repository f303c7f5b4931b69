using Microsoft.EntityFrameworkCore;
using Common = Platform.Contracts.Common.V1;
using Platform.Domain;
using Platform.Messaging.Outbox;
using Platform.ServiceDefaults.Tenancy;
using RiskOfBias = Platform.Evidence.Domain.RiskOfBias;
using Published = Platform.Contracts.Evidence.V1;
using Platform.Evidence.Api.Data;

namespace Platform.Evidence.Api.Application;

public sealed record RecordEvidenceItem(
    string? TechnologyId, string? Title, StudyDesign StudyDesign, int SampleSize,
    bool IndependentOfSupplier, SettingRelevance SettingRelevance, EvidenceQuality Quality, string? Citation, RiskOfBias RiskOfBias);

/// <summary>Evidence items for the trust's technologies: the raw material of an appraisal (P7).</summary>
public sealed class EvidenceLibrary(EvidenceDbContext db, IEventPublisher events, CurrentActor actor, TimeProvider clock, ILogger<EvidenceLibrary> logger)
{
    public const int MaxSampleSize = 10_000_000;

    public async Task<Outcome<EvidenceItem>> RecordAsync(RecordEvidenceItem command, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(command.TechnologyId, out var technologyId))
            return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
        if (Validation.RequiredText("title", command.Title, 300) is { } badTitle) return badTitle;
        if (Validation.Defined("study-design", command.StudyDesign) is { } badDesign) return badDesign;
        if (command.SampleSize is < 1 or > MaxSampleSize)
            return Refusal.Invalid("sample-size.range", $"Sample size must be between 1 and {MaxSampleSize:N0} participants.");
        if (Validation.Defined("setting-relevance", command.SettingRelevance) is { } badRelevance) return badRelevance;
        if (Validation.Defined("quality", command.Quality) is { } badQuality) return badQuality;
        if (Validation.RequiredText("citation", command.Citation, 500) is { } badCitation) return badCitation;
        if (Validation.Defined("risk-of-bias", command.RiskOfBias) is { } badBias) return badBias;
        if (await UnknownTechnologyAsync(technologyId, ct) is { } unknown) return unknown;

        var item = new EvidenceItem
        {
            Id = Guid.CreateVersion7(),
            TechnologyId = technologyId,
            Title = command.Title!.Trim(),
            StudyDesign = command.StudyDesign,
            SampleSize = command.SampleSize,
            IndependentOfSupplier = command.IndependentOfSupplier,
            SettingRelevance = command.SettingRelevance,
            Quality = command.Quality,
            Citation = command.Citation!.Trim(),
            RiskOfBias = command.RiskOfBias,
            RecordedAt = clock.GetUtcNow().UtcDateTime,
            RecordedBy = actor.Get().Subject,
        };
        db.EvidenceItems.Add(item);
        var who = actor.Get();
        events.Publish(new Published.EvidenceItemRecorded
        {
            EvidenceItemId = item.Id.ToString(),
            TechnologyId = item.TechnologyId.ToString(),
            StudyDesign = (Published.StudyDesign)item.StudyDesign,
            Quality = (Published.EvidenceQuality)item.Quality,
            Actor = new Common.Actor { Subject = who.Subject, Role = who.Role },
        }, db.CurrentTenant!, item.TechnologyId.ToString());
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Recorded evidence item {EvidenceItemId} for technology {TechnologyId}", item.Id, item.TechnologyId);
        return item;
    }

    public async Task<Outcome<IReadOnlyList<EvidenceItem>>> ListAsync(string? technologyId, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(technologyId, out var id)) return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
        if (await UnknownTechnologyAsync(id, ct) is { } unknown) return unknown;
        var items = await db.EvidenceItems.AsNoTracking().Where(i => i.TechnologyId == id).OrderBy(i => i.RecordedAt).ThenBy(i => i.Id).ToListAsync(ct);
        return items;
    }

    /// <summary>
    /// Procurement registered the technology in this trust, as its technology_registered event told evidence; the same
    /// id is refused as "not found" in any other trust, whether it belongs to one or to none (OWASP API1).
    /// </summary>
    private async Task<Refusal?> UnknownTechnologyAsync(Guid technologyId, CancellationToken ct) =>
        await db.Technologies.AnyAsync(t => t.Id == technologyId, ct) ? null : TechnologyNotFound;

    public static Refusal TechnologyNotFound { get; } =
        Refusal.NotFound("technology.not-found", "No technology with this id in this trust's register (procurement registers technologies; evidence learns of them from its events).");

    /// <summary>Procurement registered a technology in the event's trust; a redelivery changes nothing.</summary>
    public async Task LearnTechnologyAsync(Guid technologyId, string name, CancellationToken ct = default)
    {
        if (await db.Technologies.AnyAsync(t => t.Id == technologyId, ct)) return;
        db.Technologies.Add(new RegisteredTechnology { Id = technologyId, Name = name.Trim(), LearnedAt = clock.GetUtcNow().UtcDateTime });
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Technology {TechnologyId} learned from procurement's register", technologyId);
    }
}
