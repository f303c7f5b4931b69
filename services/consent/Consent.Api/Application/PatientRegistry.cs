using Microsoft.EntityFrameworkCore;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.Domain;
using Platform.Messaging.Outbox;
using Platform.ServiceDefaults.Tenancy;
using Common = Platform.Contracts.Common.V1;
using Contract = Platform.Contracts.Consent.V1;
using Platform.Persistence;

namespace Platform.Consent.Api.Application;

/// <param name="DateOfBirth">"YYYY-MM-DD" or empty; only the days the patient turns 16 and 18 are kept.</param>
public sealed record RegisterPatient(string? NhsNumber, string? WardCode, AgeBand AgeBand, string? DateOfBirth = null);

public sealed record PatientPage(IReadOnlyList<Patient> Patients, string? NextPageToken);

/// <summary>Registers and finds the trust's patients. One patient per NHS number per trust.</summary>
public sealed class PatientRegistry(ConsentDbContext db, IEventPublisher events, CurrentActor actor, ConsentTrustDirectory trusts, WardDirectory wards, AccessLog access, TimeProvider clock, ILogger<PatientRegistry> logger)
{
    public async Task<Outcome<Patient>> RegisterAsync(RegisterPatient command, CancellationToken ct = default)
    {
        var nhs = NhsNumber.Parse(command.NhsNumber);
        if (nhs.IsRefused) return nhs.Refusal!;
        if (Validation.Code("ward-code", command.WardCode) is { } badWard) return badWard;
        if (Validation.Defined("age-band", command.AgeBand) is { } badBand) return badBand;
        var now = clock.GetUtcNow().UtcDateTime;
        DateOnly? turns16On = null, turns18On = null;
        if (!string.IsNullOrWhiteSpace(command.DateOfBirth))
        {
            if (!DateOnly.TryParseExact(command.DateOfBirth.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var born))
                return Refusal.Invalid("date-of-birth.format", "Date of birth must be a date as YYYY-MM-DD.");
            if (born > DateOnly.FromDateTime(now)) return Refusal.Invalid("date-of-birth.in-future", "Date of birth cannot be in the future.");
            var (sixteen, eighteen) = PatientAge.FromDateOfBirth(born);
            // Only thresholds still ahead are kept: the rules need the days the patient turns 16 and 18, not the date of birth.
            var today = DateOnly.FromDateTime(now);
            turns16On = sixteen > today ? sixteen : null;
            turns18On = eighteen > today ? eighteen : null;
            // From both days, past or not: with a past 16th birthday dropped, an under-16 band for a 17-year-old read as consistent.
            var band = PatientAge.BandAt(command.AgeBand, PatientAge.StartOfUkDay(sixteen), PatientAge.StartOfUkDay(eighteen), now);
            if (band != command.AgeBand && !(band.IsAdult() && command.AgeBand.IsAdult()))
                return Refusal.Invalid("age-band.not-the-date-of-birth", "The age band does not match the date of birth.");
        }
        var ward = await wards.OpenWardAsync("ward-code", command.WardCode, ct);
        if (ward.IsRefused) return ward.Refusal!;

        var number = nhs.Value.Value;
        if (await db.Patients.AnyAsync(p => p.NhsNumber == number, ct))
            return Refusal.Exists("patient.already-registered", "A patient with this NHS number is already registered in this trust.");

        var patient = new Patient
        {
            Id = Guid.CreateVersion7(),
            NhsNumber = number,
            WardCode = ward.Value.Code,
            AgeBand = command.AgeBand,
            Turns16On = turns16On,
            Turns18On = turns18On,
            RegisteredAt = now,
        };
        await trusts.EnsureAsync(db, db.CurrentTenant!, patient.RegisteredAt, ct);
        db.Patients.Add(patient);
        var who = actor.Get();
        // The internal key only: the NHS number stays in this service (Caldicott: the minimum necessary).
        events.Publish(new Contract.PatientRegistered
        {
            PatientId = patient.Id.ToString(),
            WardCode = patient.WardCode,
            AgeBand = (Contract.AgeBand)patient.AgeBand,
            Actor = new Common.Actor { Subject = who.Subject, Role = who.Role },
        }, db.CurrentTenant!, patient.Id.ToString());
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Two registrations raced and the unique index kept one; anything else is a real fault.
            db.ChangeTracker.Clear();
            if (!await db.Patients.AsNoTracking().AnyAsync(p => p.NhsNumber == number, ct)) throw;
            return Refusal.Exists("patient.already-registered", "A patient with this NHS number is already registered in this trust.");
        }
        logger.LogInformation("Registered patient {PatientId} on ward {WardCode}", patient.Id, patient.WardCode);
        return patient;
    }

    public async Task<Outcome<Patient>> GetAsync(string? patientId, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(patientId, out var id))
            return Refusal.Invalid("patient-id.format", "Patient id must be a UUID.");
        var patient = await db.Patients.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct);
        if (patient is null) return PatientRecordsStore.PatientNotFound;
        access.Read(patient.Id, AccessLog.Patient(patient.Id), AccessLog.PatientType);
        await access.CommitAsync(ct);
        return patient;
    }

    public async Task<Outcome<PatientPage>> ListAsync(string? wardCode, int pageSize, string? pageToken, CancellationToken ct = default)
    {
        if (!Paging.TryRead(pageSize, pageToken, out var size, out var offset, out var refusal)) return refusal!;
        var query = db.Patients.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(wardCode))
        {
            var ward = ConsentWard.Normalise(wardCode);
            query = query.Where(p => p.WardCode == ward);
        }
        var rows = await query.OrderBy(p => p.RegisteredAt).ThenBy(p => p.Id).Skip(offset).Take(size + 1).ToListAsync(ct);
        var page = rows.Take(size).ToList();
        access.ReadEach(page.Select(p => p.Id), patient => patient, AccessLog.PatientType);
        await access.CommitAsync(ct);
        return new PatientPage(page, rows.Count > size ? Paging.Token(offset + size) : null);
    }
}
