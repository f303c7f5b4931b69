using Microsoft.EntityFrameworkCore;
using Platform.Domain;

namespace Platform.Gateway.Tenancy;

public sealed record RegisterWard(string? Code, string? Name, WardSetting Setting, int Beds);

/// <summary>The region's trusts and each trust's wards.</summary>
public sealed class TrustDirectory(GatewayDbContext db, TimeProvider clock, ILogger<TrustDirectory> logger)
{
    public const int MaxBeds = 200;

    /// <summary>Adds a trust to the region (a region operator's act: onboarding a tenant).</summary>
    public async Task<Outcome<Trust>> RegisterTrustAsync(string? odsCode, string? name, CancellationToken ct = default)
    {
        var code = odsCode?.Trim().ToUpperInvariant();
        if (!OdsCode.IsValid(code)) return Refusal.Invalid("ods-code.format", "ODS code must be 3 to 6 letters or digits, e.g. RX3.");
        if (Validation.RequiredText("name", name, 200) is { } badName) return badName;
        if (await db.Trusts.AnyAsync(t => t.OdsCode == code, ct)) return Refusal.Exists("trust.already-registered", $"Trust {code} is already in the region.");
        var trust = new Trust { OdsCode = code, Name = name!.Trim(), RegisteredAt = clock.GetUtcNow().UtcDateTime };
        db.Trusts.Add(trust);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Registered trust {OdsCode}", code);
        return trust;
    }

    public async Task<IReadOnlyList<Trust>> ListTrustsAsync(CancellationToken ct = default) =>
        await db.Trusts.AsNoTracking().OrderBy(t => t.OdsCode).ToListAsync(ct);

    /// <summary>Adds a ward to the caller's own trust.</summary>
    public async Task<Outcome<Ward>> RegisterWardAsync(RegisterWard command, CancellationToken ct = default)
    {
        var tenant = db.CurrentTenant;
        if (tenant is null || !await db.Trusts.AnyAsync(t => t.OdsCode == tenant, ct))
            return Refusal.Precondition("trust.not-registered", "Your trust is not registered in this region; ask the region operator to onboard it.");
        if (Validation.Code("ward-code", command.Code) is { } badCode) return badCode;
        if (Validation.RequiredText("name", command.Name, 200) is { } badName) return badName;
        if (Validation.Defined("setting", command.Setting) is { } badSetting) return badSetting;
        if (command.Beds is < 1 or > MaxBeds) return Refusal.Invalid("beds.range", $"Beds must be between 1 and {MaxBeds}.");
        var code = command.Code!.Trim();
        if (await db.Wards.AnyAsync(w => w.Code == code, ct)) return Refusal.Exists("ward.already-registered", $"Ward {code} is already registered in your trust.");
        var ward = new Ward { Id = Guid.CreateVersion7(), Code = code, Name = command.Name!.Trim(), Setting = command.Setting, Beds = command.Beds };
        db.Wards.Add(ward);
        await db.SaveChangesAsync(ct);
        return ward;
    }

    public async Task<IReadOnlyList<Ward>> ListWardsAsync(CancellationToken ct = default) =>
        await db.Wards.AsNoTracking().OrderBy(w => w.Code).ToListAsync(ct);
}
