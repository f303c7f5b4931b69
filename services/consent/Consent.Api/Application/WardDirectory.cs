using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Application;

/// <summary>A ward as the directory says it is now (from identity.ward_registered.v1 / identity.ward_changed.v1).</summary>
public sealed record WardFromDirectory(string? WardCode, string? SettingCode, int Beds, bool Closed);

/// <summary>
/// The trust's wards as the identity service's directory publishes them: the only source of a ward's setting. Ward codes
/// are normalised ("oak " is OAK); a patient or use on a ward the directory does not hold for this trust (a typo, or
/// another trust's) is refused as not found, and a closed ward takes no new patients or uses.
/// </summary>
public sealed class WardDirectory(ConsentDbContext db, PatientRecordsStore store, ConsentEvents events, TimeProvider clock, ILogger<WardDirectory> logger)
{
    /// <summary>The open ward of this trust named by <paramref name="wardCode"/>, or the refusal naming the field.</summary>
    public async Task<Outcome<ConsentWard>> OpenWardAsync(string field, string? wardCode, CancellationToken ct = default)
    {
        if (Validation.Code(field, wardCode) is { } bad) return bad;
        var code = ConsentWard.Normalise(wardCode);
        var ward = await db.Wards.AsNoTracking().SingleOrDefaultAsync(w => w.Code == code, ct);
        if (ward is null)
            return Refusal.NotFound("ward.not-found", $"Ward {code} is not in this trust's ward directory. Check the code, or ask the trust admin to register the ward.");
        if (ward.Closed) return Refusal.Precondition("ward.closed", $"Ward {code} is closed: it takes no new patients or technology uses.");
        return ward;
    }

    /// <summary>
    /// Records the ward as the directory says it is now. A changed setting is a change for every use on the ward: each
    /// use not approved for the new setting is suspended at once (and one suspended only for that resumes where approved).
    /// </summary>
    public async Task<Outcome<int>> ApplyAsync(WardFromDirectory change, CancellationToken ct = default)
    {
        if (Validation.Code("ward-code", change.WardCode) is { } badWard) return badWard;
        if (Validation.Code("setting-code", change.SettingCode) is { } badSetting) return badSetting;
        var code = ConsentWard.Normalise(change.WardCode);
        var setting = change.SettingCode!.Trim();
        var now = clock.GetUtcNow().UtcDateTime;
        var ward = await db.Wards.SingleOrDefaultAsync(w => w.Code == code, ct);
        var settingChanged = ward is not null && !string.Equals(ward.SettingCode, setting, StringComparison.Ordinal);
        if (ward is null)
        {
            // Keyed by the tenant as well, so it is set here rather than stamped on save.
            ward = new ConsentWard { TenantId = db.CurrentTenant ?? "", Code = code };
            db.Wards.Add(ward);
        }
        ward.SettingCode = setting;
        ward.Beds = change.Beds;
        ward.Closed = change.Closed;
        ward.UpdatedAt = now;

        var suspendedCount = 0;
        if (settingChanged)
        {
            var uses = await db.TechnologyUses
                .Where(u => u.WardCode == code && (u.Status == UseStatus.Proposed || u.Status == UseStatus.Active || u.Status == UseStatus.Suspended))
                .ToListAsync(ct);
            var approvals = (await store.GetTrustAsync(ct)).Approvals;
            var transfer = TechnologyUse.TransferPatient(uses, code, setting, approvals, now);
            foreach (var use in transfer.Suspended) events.UseSuspended(use);
            foreach (var use in transfer.Resumed) events.UseResumed(use);
            suspendedCount = transfer.Suspended.Count;
            foreach (var use in uses) store.InvalidatePatientAfterCommit(db, use.PatientId);
        }
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Ward {WardCode} is {SettingCode} (closed: {Closed}); {Count} uses suspended for the setting", code, setting, change.Closed, suspendedCount);
        return suspendedCount;
    }
}
