using Platform.Domain;

namespace Platform.Evidence.Domain;

/// <summary>
/// A technology use as the evidence service learns it from consent's events: the use, the patient's pseudonymous
/// key, the technology and the ward's setting. Outcomes are tied to a use; the caller never supplies its setting.
/// </summary>
public sealed record TechnologyUseRef(Guid UseId, string PatientKey, Guid TechnologyId, string SettingCode)
{
    public static Outcome<TechnologyUseRef> Create(Guid useId, string? patientKey, Guid technologyId, string? settingCode)
    {
        if (useId == Guid.Empty) return Refusal.Invalid("use-id.required", "Name the technology use.");
        var key = Domain.PatientKey.Parse(patientKey);
        if (key.IsRefused) return key.Refusal!;
        if (technologyId == Guid.Empty) return Refusal.Invalid("technology-id.required", "Name the technology.");
        if (Validation.Code("setting", settingCode) is { } badSetting) return badSetting;
        return new TechnologyUseRef(useId, key.Value, technologyId, settingCode!.Trim());
    }
}

public sealed record MeasurementSubmission(Guid UseId, string? PatientKey, InstrumentResponses? Responses, DateTime MeasuredAt);

/// <summary>One scored measurement for one patient under one technology use, at one time (P8).</summary>
public sealed class OutcomeMeasurement : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public Guid UseId { get; init; }
    public string PatientKey { get; init; } = "";
    public Guid TechnologyId { get; init; }
    public string SettingCode { get; init; } = "";
    public Instrument Instrument { get; init; }
    public required InstrumentResponses Responses { get; init; }
    public required InstrumentScore Score { get; init; }
    /// <summary>The headline score outcomes are measured on; null when the answers give none (e.g. "don't know").</summary>
    public double? Headline { get; init; }
    public DateTime MeasuredAt { get; init; }
    public DateTime RecordedAt { get; init; }
    public string RecordedBy { get; init; } = "";

    public static Outcome<OutcomeMeasurement> Record(MeasurementSubmission submission, TechnologyUseRef? use, EvidenceActor actor, Guid id, DateTime now)
    {
        if (EvidenceRoles.Require(actor, EvidenceRoles.RecordsOutcomes, "record outcome measurements") is { } denied) return denied;
        var key = Domain.PatientKey.Parse(submission.PatientKey);
        if (key.IsRefused) return key.Refusal!;
        if (use is null || use.UseId != submission.UseId)
            return Refusal.NotFound("measurement.use-not-found", "No technology use with this id in this trust: outcomes are recorded against a use.");
        if (!string.Equals(use.PatientKey, key.Value, StringComparison.Ordinal))
            return Refusal.Invalid("measurement.patient-key-mismatch", "The patient key is not the key of the patient in this technology use.");
        if (submission.Responses is null) return Refusal.Invalid("responses.required", "Give the instrument's answers.");
        if (submission.MeasuredAt == default) return Refusal.Invalid("measured-at.required", "Record when the measure was taken.");
        if (submission.MeasuredAt > now) return Refusal.Invalid("measured-at.in-future", "A measure cannot be dated in the future.");
        var score = submission.Responses.Score();
        if (score.IsRefused) return score.Refusal!;
        return new OutcomeMeasurement
        {
            Id = id,
            UseId = use.UseId,
            PatientKey = key.Value,
            TechnologyId = use.TechnologyId,
            SettingCode = use.SettingCode,
            Instrument = submission.Responses.Instrument,
            Responses = submission.Responses,
            Score = score.Value,
            Headline = score.Value.Headline,
            MeasuredAt = submission.MeasuredAt,
            RecordedAt = now,
            RecordedBy = actor.Subject,
        };
    }
}

/// <summary>One patient's outcome on one instrument in one setting: the value the aggregates count.</summary>
public sealed record PatientOutcome(string PatientKey, string SettingCode, double Value);

/// <summary>What an outcome is worked out from: a measurement's headline score, whose it is, where and when it was taken.</summary>
public readonly record struct HeadlineScore(string PatientKey, string SettingCode, Instrument Instrument, DateTime MeasuredAt, double? Headline);

public static class PatientOutcomes
{
    /// <summary>
    /// Each patient's outcome per setting on <paramref name="instrument"/>: for a change instrument, the change from
    /// their first to their latest headline score, signed so that a positive value is an improvement (it needs two
    /// scored measurements); for patient experience, their latest answer (1 positive, 0 not).
    /// </summary>
    public static IReadOnlyList<PatientOutcome> From(IEnumerable<OutcomeMeasurement> measurements, Instrument instrument) =>
        From(measurements.Select(m => new HeadlineScore(m.PatientKey, m.SettingCode, m.Instrument, m.MeasuredAt, m.Headline)), instrument);

    /// <summary>As <see cref="From(IEnumerable{OutcomeMeasurement}, Instrument)"/>, from the headline scores alone (a report need not read the answers).</summary>
    public static IReadOnlyList<PatientOutcome> From(IEnumerable<HeadlineScore> measurements, Instrument instrument)
    {
        var definition = Instruments.Of(instrument);
        var sign = definition.HigherIsBetter ? 1 : -1;
        var series = new Dictionary<(string Setting, string Key), (DateTime FirstAt, double First, DateTime LastAt, double Last, int Count)>();
        foreach (var m in measurements)
        {
            if (m.Instrument != instrument || m.Headline is not { } value) continue;
            var id = (m.SettingCode, m.PatientKey);
            if (!series.TryGetValue(id, out var s)) { series[id] = (m.MeasuredAt, value, m.MeasuredAt, value, 1); continue; }
            if (m.MeasuredAt < s.FirstAt) (s.FirstAt, s.First) = (m.MeasuredAt, value);
            if (m.MeasuredAt >= s.LastAt) (s.LastAt, s.Last) = (m.MeasuredAt, value);
            s.Count++;
            series[id] = s;
        }
        var outcomes = new List<PatientOutcome>(series.Count);
        foreach (var ((setting, key), s) in series)
        {
            if (!definition.MeasuresChange) outcomes.Add(new PatientOutcome(key, setting, s.Last));
            else if (s.Count >= 2 && s.LastAt > s.FirstAt) outcomes.Add(new PatientOutcome(key, setting, sign * (s.Last - s.First)));
        }
        return outcomes;
    }
}
