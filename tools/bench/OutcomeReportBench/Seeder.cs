using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using NpgsqlTypes;
using Platform.Evidence.Api.Application;
using Platform.Evidence.Domain;
using Platform.Testing;

namespace Platform.Tools.OutcomeReportBench;

/// <summary>
/// One trust's outcome data, written straight into the evidence service's own tables (as its migrations made them)
/// with binary COPY: the technologies procurement registered, a technology use per patient (as consent's
/// use_authorised would have left it), each patient's measurements on the instruments the ward uses (a baseline and
/// follow-ups in the reporting quarter, answers scored by Evidence.Domain's instruments and stored as the service
/// stores them), and equality profiles with every characteristic, "not stated" included, for most patients.
/// </summary>
internal sealed class Seeder(PostgresServer pg, string database, string trust, ReportingPeriod quarter, int seed)
{
    public static readonly string[] TechnologyNames =
        ["Vision-based patient monitoring", "Digital CBT for psychosis", "Bed sensor mat", "Self-referral kiosk app", "Wearable sleep tracker"];

    // Which settings each technology is used in, and how the ward mix is weighted (acute wards hold most patients).
    private static readonly string[][] s_settingsOf =
    [
        ["acute-adult", "picu", "older-adults", "secure", "rehabilitation"],
        ["acute-adult", "rehabilitation", "secure"],
        ["acute-adult", "older-adults", "ld-autism", "picu"],
        ["acute-adult", "camhs", "rehabilitation", "mother-and-baby"],
        ["acute-adult", "camhs", "older-adults", "picu"],
    ];

    private static readonly double[] s_technologyShare = [0.32, 0.22, 0.18, 0.16, 0.12];

    // The share of patients measured on each instrument (a ward uses HoNOS routinely, the others less often).
    private static readonly (Instrument Instrument, double Share)[] s_instrumentShare =
        [(Instrument.Honos, 0.85), (Instrument.Core10, 0.45), (Instrument.ReQoL10, 0.30), (Instrument.Dialog, 0.25), (Instrument.PatientExperience, 0.50)];

    // As the service's Measurements stores answers and scores.
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Random _random = new(seed);

    public IReadOnlyList<Guid> Technologies { get; } = TechnologyNames.Select((_, i) => new Guid($"0b5e0000-0000-7000-8000-{i + 1:D12}")).ToList();

    public sealed record Seeded(int Patients, int Profiles, int Measurements, double Seconds);

    public async Task<Seeded> SeedAsync(int measurements)
    {
        var clock = Stopwatch.StartNew();
        // The superuser writes (the tables force row-level security on their owner too); the service reads as the app role.
        await using var conn = new NpgsqlConnection(pg.SuperuserConnectionString(database));
        await conn.OpenAsync();
        await using (var copy = await conn.BeginBinaryImportAsync("COPY technologies (id, tenant_id, name, learned_at) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < Technologies.Count; i++)
                await copy.WriteRowAsync(default, Technologies[i], trust, TechnologyNames[i], quarter.Start.AddDays(-60));
            await copy.CompleteAsync();
        }

        var patients = new List<(string Key, int Technology, string Setting)>();
        // Uses and measurements are written side by side, so a second connection carries the uses.
        await using var usesConn = new NpgsqlConnection(pg.SuperuserConnectionString(database));
        await usesConn.OpenAsync();
        await using (var uses = await usesConn.BeginBinaryImportAsync(
            "COPY technology_uses (use_id, tenant_id, patient_key, technology_id, setting_code, authorised_at) FROM STDIN (FORMAT BINARY)"))
        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY outcome_measurements (id, tenant_id, use_id, patient_key, technology_id, setting_code, instrument, responses, score, headline, measured_at, recorded_at, recorded_by) FROM STDIN (FORMAT BINARY)"))
        {
            var written = 0;
            while (written < measurements)
            {
                var technology = Pick(s_technologyShare);
                var settings = s_settingsOf[technology];
                // The first setting (acute adult) takes about half of a technology's patients; the rest share the others.
                var setting = _random.NextDouble() < 0.5 ? settings[0] : settings[1 + _random.Next(settings.Length - 1)];
                var key = Guid.NewGuid().ToString(); // consent's pseudonymous patient id
                var useId = Guid.CreateVersion7();
                var admitted = quarter.Start.AddDays(_random.Next(0, 45)).AddMinutes(_random.Next(0, 24 * 60));
                patients.Add((key, technology, setting));
                await uses.StartRowAsync();
                await uses.WriteAsync(useId, NpgsqlDbType.Uuid);
                await uses.WriteAsync(trust, NpgsqlDbType.Varchar);
                await uses.WriteAsync(key, NpgsqlDbType.Varchar);
                await uses.WriteAsync(Technologies[technology], NpgsqlDbType.Uuid);
                await uses.WriteAsync(setting, NpgsqlDbType.Varchar);
                await uses.WriteAsync(admitted, NpgsqlDbType.TimestampTz);

                // How much better this technology tends to leave patients in this setting (one shows no benefit in secure care).
                var effect = technology == 1 && setting == "secure" ? 0 : 0.15 + 0.1 * technology + 0.05 * Array.IndexOf(settings, setting);
                var severity = 0.25 + 0.6 * _random.NextDouble(); // 0..1, higher is worse
                foreach (var (instrument, share) in s_instrumentShare)
                {
                    if (written >= measurements) break;
                    if (_random.NextDouble() >= share) continue;
                    // A baseline, then one or two follow-ups (some patients are never followed up); experience is asked once or twice.
                    var count = instrument == Instrument.PatientExperience ? 1 + _random.Next(2) : _random.NextDouble() < 0.1 ? 1 : 2 + _random.Next(2);
                    var at = admitted.AddDays(_random.Next(0, 4)).AddMinutes(_random.Next(30, 600));
                    for (var n = 0; n < count && written < measurements && at < quarter.End; n++)
                    {
                        var now = Math.Clamp(severity - n * effect * severity + 0.08 * (_random.NextDouble() - 0.5), 0, 1);
                        var responses = Responses(instrument, now);
                        var score = responses.Score().Value;
                        var measuredAt = Microseconds(at);
                        await copy.StartRowAsync();
                        await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
                        await copy.WriteAsync(trust, NpgsqlDbType.Varchar);
                        await copy.WriteAsync(useId, NpgsqlDbType.Uuid);
                        await copy.WriteAsync(key, NpgsqlDbType.Varchar);
                        await copy.WriteAsync(Technologies[technology], NpgsqlDbType.Uuid);
                        await copy.WriteAsync(setting, NpgsqlDbType.Varchar);
                        await copy.WriteAsync(instrument.ToString(), NpgsqlDbType.Varchar);
                        await copy.WriteAsync(JsonSerializer.Serialize(responses, responses.GetType(), s_json), NpgsqlDbType.Text);
                        await copy.WriteAsync(JsonSerializer.Serialize(score, score.GetType(), s_json), NpgsqlDbType.Text);
                        if (score.Headline is { } headline) await copy.WriteAsync(headline, NpgsqlDbType.Double);
                        else await copy.WriteNullAsync();
                        await copy.WriteAsync(measuredAt, NpgsqlDbType.TimestampTz);
                        await copy.WriteAsync(measuredAt.AddMinutes(5), NpgsqlDbType.TimestampTz);
                        await copy.WriteAsync("bench-clinician", NpgsqlDbType.Varchar);
                        written++;
                        at = at.AddDays(_random.Next(14, 31)).AddMinutes(_random.Next(-120, 120));
                    }
                }
            }

            await copy.CompleteAsync();
            await uses.CompleteAsync();
        }

        var profiles = 0;
        await using (var copy = await conn.BeginBinaryImportAsync(
            "COPY equality_profiles (tenant_id, patient_key, age, disability, gender_reassignment, marriage_or_civil_partnership, pregnancy_or_maternity, ethnic_group, religion_or_belief, sex, sexual_orientation, trauma_history, paranoia, recorded_at) FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var (key, _, setting) in patients)
            {
                // One patient in twelve has no profile at all, and counts as "not stated" throughout.
                if (_random.NextDouble() < 1.0 / 12) continue;
                profiles++;
                var sex = Pick([(Sex.Female, 0.46), (Sex.Male, 0.5), (Sex.NotStated, 0.04)]);
                await copy.StartRowAsync();
                await copy.WriteAsync(trust, NpgsqlDbType.Varchar);
                await copy.WriteAsync(key, NpgsqlDbType.Varchar);
                await copy.WriteAsync(AgeIn(setting).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Pick([(DisabilityStatus.Disabled, 0.3), (DisabilityStatus.NotDisabled, 0.55), (DisabilityStatus.NotStated, 0.15)]).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Pick([(GenderIdentityStatus.SameAsSexRegisteredAtBirth, 0.86), (GenderIdentityStatus.DifferentFromSexRegisteredAtBirth, 0.01), (GenderIdentityStatus.NotStated, 0.13)]).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Pick([(MarriageOrCivilPartnership.Married, 0.2), (MarriageOrCivilPartnership.InCivilPartnership, 0.01), (MarriageOrCivilPartnership.Neither, 0.66), (MarriageOrCivilPartnership.NotStated, 0.13)]).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync((sex == Sex.Female || setting == "mother-and-baby"
                    ? Pick([(PregnancyOrMaternity.Pregnant, setting == "mother-and-baby" ? 0.4 : 0.01), (PregnancyOrMaternity.GaveBirthInLast26Weeks, setting == "mother-and-baby" ? 0.55 : 0.01), (PregnancyOrMaternity.Neither, 0.85), (PregnancyOrMaternity.NotStated, 0.1)])
                    : Pick([(PregnancyOrMaternity.Neither, 0.9), (PregnancyOrMaternity.NotStated, 0.1)])).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Pick([(EthnicGroup.White, 0.7), (EthnicGroup.Mixed, 0.04), (EthnicGroup.AsianOrAsianBritish, 0.08), (EthnicGroup.BlackOrBlackBritish, 0.09), (EthnicGroup.OtherEthnicGroup, 0.02), (EthnicGroup.NotStated, 0.07)]).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Pick([(ReligionOrBelief.NoReligion, 0.38), (ReligionOrBelief.Buddhist, 0.005), (ReligionOrBelief.Christian, 0.4), (ReligionOrBelief.Hindu, 0.015), (ReligionOrBelief.Jewish, 0.004), (ReligionOrBelief.Muslim, 0.06), (ReligionOrBelief.Sikh, 0.006), (ReligionOrBelief.OtherReligionOrBelief, 0.01), (ReligionOrBelief.NotStated, 0.12)]).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(sex.ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Pick([(SexualOrientation.Heterosexual, 0.78), (SexualOrientation.GayOrLesbian, 0.03), (SexualOrientation.Bisexual, 0.03), (SexualOrientation.OtherSexualOrientation, 0.005), (SexualOrientation.NotStated, 0.155)]).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Pick([(YesNoNotStated.Yes, 0.45), (YesNoNotStated.No, 0.35), (YesNoNotStated.NotStated, 0.2)]).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(Pick([(YesNoNotStated.Yes, 0.25), (YesNoNotStated.No, 0.6), (YesNoNotStated.NotStated, 0.15)]).ToString(), NpgsqlDbType.Varchar);
                await copy.WriteAsync(quarter.Start.AddDays(1), NpgsqlDbType.TimestampTz);
            }

            await copy.CompleteAsync();
        }

        await using (var analyze = new NpgsqlCommand("ANALYZE technologies, technology_uses, outcome_measurements, equality_profiles", conn))
            await analyze.ExecuteNonQueryAsync();
        return new Seeded(patients.Count, profiles, measurements, clock.Elapsed.TotalSeconds);
    }

    private AgeGroup AgeIn(string setting) => setting switch
    {
        "camhs" => Pick([(AgeGroup.Under16, 0.45), (AgeGroup.Aged16To17, 0.5), (AgeGroup.NotStated, 0.05)]),
        "older-adults" => Pick([(AgeGroup.Aged26To64, 0.1), (AgeGroup.Aged65AndOver, 0.86), (AgeGroup.NotStated, 0.04)]),
        _ => Pick([(AgeGroup.Aged16To17, 0.01), (AgeGroup.Aged18To25, 0.22), (AgeGroup.Aged26To64, 0.66), (AgeGroup.Aged65AndOver, 0.07), (AgeGroup.NotStated, 0.04)]),
    };

    /// <summary>Answers to <paramref name="instrument"/> from someone whose difficulties stand at <paramref name="severity"/> (0 none, 1 the worst).</summary>
    private InstrumentResponses Responses(Instrument instrument, double severity)
    {
        int Item(int max) => Math.Clamp((int)Math.Round(severity * max + (_random.NextDouble() - 0.5) * 2), 0, max);
        switch (instrument)
        {
            case Instrument.Honos:
                var ratings = Enumerable.Range(0, 12).Select(_ => _random.NextDouble() < 0.03 ? HonosResponses.NotKnown : Item(4)).ToArray();
                return new HonosResponses(ratings, ratings[7] is >= 1 and <= 4 ? (HonosProblemType)(1 + _random.Next(10)) : HonosProblemType.None);
            case Instrument.Core10:
                // Now and then one item is left unanswered (never the risk item), which the score pro-rates.
                var missing = _random.NextDouble() < 0.05 ? 1 + _random.Next(10) : 0;
                if (missing == Core10Responses.RiskItem) missing = 0;
                return new Core10Responses(Enumerable.Range(1, 10)
                    .Select(i => i == missing ? null : (int?)(Core10Responses.ReverseScoredItems.Contains(i) ? 4 - Item(4) : Item(4))).ToArray());
            case Instrument.ReQoL10:
                return new ReQoL10Responses(ReQoL10Responses.Items.Select(item => item.NegativelyWorded ? Item(4) : 4 - Item(4)).ToArray(), _random.Next(5));
            case Instrument.Dialog:
                return new DialogResponses(Enumerable.Range(0, DialogResponses.Items.Count).Select(_ => (int?)(7 - Item(6))).ToArray());
            default:
                return new PatientExperienceResponse(Pick([(ExperienceRating.VeryGood, 0.35 * (1.2 - severity)), (ExperienceRating.Good, 0.3), (ExperienceRating.NeitherGoodNorPoor, 0.15),
                    (ExperienceRating.Poor, 0.1 * (0.5 + severity)), (ExperienceRating.VeryPoor, 0.05 * (0.5 + severity)), (ExperienceRating.DontKnow, 0.04)]));
        }
    }

    private int Pick(double[] weights)
    {
        var roll = _random.NextDouble() * weights.Sum();
        for (var i = 0; i < weights.Length; i++)
            if ((roll -= weights[i]) < 0) return i;
        return weights.Length - 1;
    }

    private T Pick<T>((T Value, double Weight)[] choices) => choices[Pick(choices.Select(c => c.Weight).ToArray())].Value;

    // To the database's precision, as the service truncates what it stores.
    private static DateTime Microseconds(DateTime value) => value.AddTicks(-(value.Ticks % TimeSpan.TicksPerMicrosecond));
}
