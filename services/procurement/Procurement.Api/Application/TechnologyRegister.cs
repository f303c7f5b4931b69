using Microsoft.EntityFrameworkCore;
using Common = Platform.Contracts.Common.V1;
using Platform.Domain;
using Platform.Messaging.Outbox;
using Platform.ServiceDefaults.Tenancy;
using Messages = Platform.Contracts.Procurement.V1;
using Platform.Procurement.Api.Data;
using Platform.Persistence;

namespace Platform.Procurement.Api.Application;

public sealed record RegisterTechnology(string? Name, string? Supplier, string? IntendedUse, TechnologyCategory Category, bool Surveillance, bool ManagesSafetyRisk = false);

public sealed record TechnologyPage(IReadOnlyList<Technology> Technologies, string? NextPageToken);

/// <summary>The trust's register of technologies. A technology must state its intended use before anything else (P3).</summary>
public sealed class TechnologyRegister(ProcurementDbContext db, IEventPublisher events, CurrentActor actor, TimeProvider clock, ILogger<TechnologyRegister> logger)
{
    public async Task<Outcome<Technology>> RegisterAsync(RegisterTechnology command, CancellationToken ct = default)
    {
        if (Validation.RequiredText("name", command.Name, 200) is { } badName) return badName;
        if (Validation.RequiredText("supplier", command.Supplier, 200) is { } badSupplier) return badSupplier;
        if (Validation.RequiredText("intended-use", command.IntendedUse, 2000) is { } badUse) return badUse;
        if (Validation.Defined("category", command.Category) is { } badCategory) return badCategory;

        var name = command.Name!.Trim();
        var supplier = command.Supplier!.Trim();
        if (await db.Technologies.AnyAsync(t => t.Name == name && t.Supplier == supplier, ct))
            return Refusal.Exists("technology.already-registered", $"'{name}' from {supplier} is already registered in this trust.");

        var technology = new Technology
        {
            Id = Guid.CreateVersion7(),
            Name = name,
            Supplier = supplier,
            IntendedUse = command.IntendedUse!.Trim(),
            Category = command.Category,
            Surveillance = command.Surveillance,
            // A patient-safety technology manages a safety risk by definition (P6), whatever the form said.
            ManagesSafetyRisk = command.ManagesSafetyRisk || command.Category == TechnologyCategory.PatientSafety,
            RegisteredAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Technologies.Add(technology);
        var who = actor.Get();
        // The event joins the same transaction as the row, through the outbox: both are saved or neither.
        events.Publish(new Messages.TechnologyRegistered
        {
            TechnologyId = technology.Id.ToString(),
            Name = technology.Name,
            Category = (Messages.TechnologyCategory)technology.Category,
            Surveillance = technology.Surveillance,
            Supplier = technology.Supplier,
            ManagesSafetyRisk = technology.ManagesSafetyRisk,
            Actor = new Common.Actor { Subject = who.Subject, Role = who.Role },
        }, db.CurrentTenant!, technology.Id.ToString());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            db.ChangeTracker.Clear();
            if (!await db.Technologies.AsNoTracking().AnyAsync(t => t.Name == name && t.Supplier == supplier, ct)) throw;
            return Refusal.Exists("technology.already-registered", $"'{name}' from {supplier} is already registered in this trust.");
        }
        logger.LogInformation("Registered technology {TechnologyId} ({Category}, surveillance {Surveillance})", technology.Id, technology.Category, technology.Surveillance);
        return technology;
    }

    public async Task<Outcome<Technology>> GetAsync(string? technologyId, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(technologyId, out var id)) return Refusal.Invalid("technology-id.format", "Technology id must be a UUID.");
        var technology = await db.Technologies.AsNoTracking().SingleOrDefaultAsync(t => t.Id == id, ct);
        return technology is null ? Refusal.NotFound("technology.not-found", "No technology with this id in this trust.") : technology;
    }

    public async Task<Outcome<TechnologyPage>> ListAsync(int pageSize, string? pageToken, CancellationToken ct = default)
    {
        if (!Paging.TryRead(pageSize, pageToken, out var size, out var offset, out var refusal)) return refusal!;
        var rows = await db.Technologies.AsNoTracking().OrderBy(t => t.Name).ThenBy(t => t.Id).Skip(offset).Take(size + 1).ToListAsync(ct);
        return new TechnologyPage(rows.Take(size).ToList(), rows.Count > size ? Paging.Token(offset + size) : null);
    }
}
