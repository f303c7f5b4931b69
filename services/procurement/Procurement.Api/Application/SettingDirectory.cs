using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Procurement.Api.Data;

namespace Platform.Procurement.Api.Application;

/// <summary>A ward as the directory says it is now (identity.ward_registered.v1 / identity.ward_changed.v1).</summary>
public sealed record WardFromDirectory(string? WardCode, string? SettingCode, bool Closed);

/// <summary>
/// The ward setting types of the trust, from the identity service's directory: a procurement case is for a setting
/// type one of the trust's open wards has, so an approval names a setting consent can match to real wards.
/// </summary>
public sealed class SettingDirectory(ProcurementDbContext db, TimeProvider clock, ILogger<SettingDirectory> logger)
{
    public async Task<Outcome<bool>> ApplyAsync(WardFromDirectory change, CancellationToken ct = default)
    {
        if (Validation.Code("ward-code", change.WardCode) is { } badWard) return badWard;
        if (Validation.Code("setting-code", change.SettingCode) is { } badSetting) return badSetting;
        var code = change.WardCode!.Trim().ToUpperInvariant();
        var ward = await db.Wards.SingleOrDefaultAsync(w => w.WardCode == code, ct);
        if (ward is null)
        {
            // Keyed by the tenant as well, so it is set here rather than stamped on save.
            ward = new ProcurementWard { TenantId = db.CurrentTenant ?? "", WardCode = code };
            db.Wards.Add(ward);
        }
        ward.SettingCode = change.SettingCode!.Trim();
        ward.Closed = change.Closed;
        ward.UpdatedAt = clock.GetUtcNow().UtcDateTime;
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Ward {WardCode} is {SettingCode} (closed: {Closed})", code, ward.SettingCode, ward.Closed);
        return true;
    }

    /// <summary>Null when an open ward of the trust has this setting type; else the refusal naming setting_code.</summary>
    public async Task<Refusal?> RequireKnownAsync(string settingCode, CancellationToken ct = default)
    {
        if (await db.Wards.AsNoTracking().AnyAsync(w => w.SettingCode == settingCode && !w.Closed, ct)) return null;
        var known = await db.Wards.AsNoTracking().Where(w => !w.Closed).Select(w => w.SettingCode).Distinct().OrderBy(c => c).ToListAsync(ct);
        return Refusal.Precondition("setting-code.not-in-directory",
            $"setting_code '{settingCode}' is not the setting type of any open ward in this trust's directory"
            + (known.Count == 0 ? " (the directory has published no open ward for this trust yet)." : $"; it knows: {string.Join(", ", known)}.")
            + " Ask the trust admin to register the ward in the directory first.");
    }
}
