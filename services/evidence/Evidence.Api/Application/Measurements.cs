using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.Evidence.Api.Data;
using Platform.Evidence.Domain;
using Platform.Messaging.Access;
using Platform.Messaging.Outbox;
using Common = Platform.Contracts.Common.V1;
using Published = Platform.Contracts.Evidence.V1;

namespace Platform.Evidence.Api.Application;

/// <summary>
/// Outcome measurements (P8) under technology uses learned from consent: recording one (scored by the instrument's
/// published rules, with the use's technology and setting) and reading a use's measurements back, which is a read of
/// patient data and is recorded for the audit log in the same commit as nothing else.
/// </summary>
public sealed class Measurements(EvidenceDbContext db, IEventPublisher events, IAccessRecorder access, TimeProvider clock, ILogger<Measurements> logger)
{
    public const string MeasurementType = "Observation";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    /// <summary>Consent authorised a use: outcomes may be recorded under it. A redelivery changes nothing.</summary>
    public async Task<Outcome<bool>> LearnUseAsync(Guid useId, string? patientKey, Guid technologyId, string? settingCode, DateTime authorisedAt, CancellationToken ct = default)
    {
        var use = TechnologyUseRef.Create(useId, patientKey, technologyId, settingCode);
        if (use.IsRefused) return use.Refusal!;
        if (await db.TechnologyUses.AnyAsync(u => u.UseId == useId, ct)) return false;
        db.TechnologyUses.Add(new TechnologyUseRow
        {
            UseId = use.Value.UseId, PatientKey = use.Value.PatientKey, TechnologyId = use.Value.TechnologyId, SettingCode = use.Value.SettingCode, AuthorisedAt = authorisedAt,
        });
        await db.SaveChangesAsync(ct);
        return true;
    }

    public async Task<Outcome<OutcomeMeasurement>> RecordAsync(string? useId, string? patientKey, InstrumentResponses? responses, DateTime measuredAt,
        EvidenceActor actor, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(useId, out var id)) return Refusal.Invalid("use-id.format", "Use id must be a UUID.");
        var row = await db.TechnologyUses.AsNoTracking().SingleOrDefaultAsync(u => u.UseId == id, ct);
        var use = row is null ? null : new TechnologyUseRef(row.UseId, row.PatientKey, row.TechnologyId, row.SettingCode);
        var now = Truncate(clock.GetUtcNow().UtcDateTime);
        var recorded = OutcomeMeasurement.Record(new MeasurementSubmission(id, patientKey, responses, Truncate(measuredAt)), use, actor, Guid.CreateVersion7(), now);
        if (recorded.IsRefused) return recorded;
        var m = recorded.Value;
        db.Measurements.Add(new MeasurementRow
        {
            Id = m.Id, UseId = m.UseId, PatientKey = m.PatientKey, TechnologyId = m.TechnologyId, SettingCode = m.SettingCode, Instrument = m.Instrument,
            Responses = JsonSerializer.Serialize(m.Responses, m.Responses.GetType(), s_json), Score = JsonSerializer.Serialize(m.Score, m.Score.GetType(), s_json),
            Headline = m.Headline, MeasuredAt = m.MeasuredAt, RecordedAt = m.RecordedAt, RecordedBy = m.RecordedBy,
        });
        // For the audit trail: which measure of which use, by whom; no patient key, answers or scores.
        events.Publish(new Published.MeasurementRecorded
        {
            MeasurementId = m.Id.ToString(), UseId = m.UseId.ToString(), Instrument = (Published.Instrument)m.Instrument,
            MeasuredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.SpecifyKind(m.MeasuredAt, DateTimeKind.Utc)),
            Actor = new Common.Actor { Subject = actor.Subject, Role = EvidenceRoles.Code(actor.Role) },
        }, db.CurrentTenant!, m.UseId.ToString());
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Measurement {MeasurementId} ({Instrument}) recorded under use {UseId}", m.Id, m.Instrument, m.UseId);
        return m;
    }

    public async Task<Outcome<IReadOnlyList<OutcomeMeasurement>>> ListAsync(string? useId, CancellationToken ct = default)
    {
        if (!Validation.TryParseId(useId, out var id)) return Refusal.Invalid("use-id.format", "Use id must be a UUID.");
        var use = await db.TechnologyUses.AsNoTracking().SingleOrDefaultAsync(u => u.UseId == id, ct);
        if (use is null) return Refusal.NotFound("measurement.use-not-found", "No technology use with this id in this trust.");
        var rows = await db.Measurements.AsNoTracking().Where(m => m.UseId == id).OrderBy(m => m.MeasuredAt).ThenBy(m => m.Id).ToListAsync(ct);
        // The patient's outcomes are read: the audit log is told before they are answered, and the answer waits for it.
        access.Record(new AccessRecord(AccessKind.PatientRecordRead, $"Patient/{use.PatientKey}", $"Outcome measurements under technology use {use.UseId}", MeasurementType));
        await db.SaveChangesAsync(ct);
        return Outcome<IReadOnlyList<OutcomeMeasurement>>(rows.Select(ToDomain).ToList());
    }

    private static Outcome<T> Outcome<T>(T value) => value;

    public static OutcomeMeasurement ToDomain(MeasurementRow r) => new()
    {
        Id = r.Id, TenantId = r.TenantId, UseId = r.UseId, PatientKey = r.PatientKey, TechnologyId = r.TechnologyId, SettingCode = r.SettingCode,
        Instrument = r.Instrument, Responses = (InstrumentResponses)JsonSerializer.Deserialize(r.Responses, ResponsesType(r.Instrument), s_json)!,
        Score = (InstrumentScore)JsonSerializer.Deserialize(r.Score, ScoreType(r.Instrument), s_json)!,
        Headline = r.Headline, MeasuredAt = r.MeasuredAt, RecordedAt = r.RecordedAt, RecordedBy = r.RecordedBy,
    };

    private static Type ResponsesType(Instrument instrument) => instrument switch
    {
        Instrument.Honos => typeof(HonosResponses),
        Instrument.Core10 => typeof(Core10Responses),
        Instrument.ReQoL10 => typeof(ReQoL10Responses),
        Instrument.Dialog => typeof(DialogResponses),
        Instrument.PatientExperience => typeof(PatientExperienceResponse),
        _ => throw new InvalidOperationException($"No instrument {instrument}."),
    };

    private static Type ScoreType(Instrument instrument) => instrument switch
    {
        Instrument.Honos => typeof(HonosScore),
        Instrument.Core10 => typeof(Core10Score),
        Instrument.ReQoL10 => typeof(ReQoL10Score),
        Instrument.Dialog => typeof(DialogScore),
        Instrument.PatientExperience => typeof(PatientExperienceScore),
        _ => throw new InvalidOperationException($"No instrument {instrument}."),
    };

    // To the database's precision (microseconds), so that the answer and every later read agree.
    private static DateTime Truncate(DateTime value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerMicrosecond));
}
