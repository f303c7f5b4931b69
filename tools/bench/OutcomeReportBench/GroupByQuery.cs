using Npgsql;
using NpgsqlTypes;
using Platform.Evidence.Api.Application;
using Platform.Evidence.Domain;

namespace Platform.Tools.OutcomeReportBench;

/// <summary>One group's patients and the sum of their outcomes.</summary>
internal readonly record struct GroupCount(int Patients, double Sum);

/// <summary>
/// The counts of an outcome report, before suppression, from one plain SQL statement: each patient's outcome per
/// setting (first to latest headline in the quarter for a change instrument, the latest for patient experience),
/// joined to their equality profile ("not stated" when there is none), then one GROUP BY over grouping sets: per
/// setting and over all settings, by each characteristic, plus the setting totals and the grand total. It runs as
/// the service's own database role with the trust set on the session, so row-level security applies as it does to
/// the service.
/// </summary>
/// <remarks>
/// Two ways to write it, which PostgreSQL plans differently: <see cref="Shape.GroupingSets"/> groups by each
/// characteristic's column (24 grouping sets, one hash table each); <see cref="Shape.Unpivoted"/> first turns each
/// patient into one row per characteristic (characteristic, category) and groups those (4 grouping sets).
/// </remarks>
internal sealed class GroupByQuery(NpgsqlDataSource app, string trust, GroupByQuery.Shape shape)
{
    public enum Shape { GroupingSets, Unpivoted }

    public string Name => shape == Shape.GroupingSets ? "GROUP BY, grouping sets" : "GROUP BY, unpivoted";

    /// <summary>The equality_profiles column of each characteristic, in <see cref="Characteristics.All"/>'s order, with its enum.</summary>
    public static readonly (string Column, Type Enum)[] Columns =
    [
        ("age", typeof(AgeGroup)), ("disability", typeof(DisabilityStatus)), ("gender_reassignment", typeof(GenderIdentityStatus)),
        ("marriage_or_civil_partnership", typeof(MarriageOrCivilPartnership)), ("pregnancy_or_maternity", typeof(PregnancyOrMaternity)),
        ("ethnic_group", typeof(EthnicGroup)), ("religion_or_belief", typeof(ReligionOrBelief)), ("sex", typeof(Sex)),
        ("sexual_orientation", typeof(SexualOrientation)), ("trauma_history", typeof(YesNoNotStated)), ("paranoia", typeof(YesNoNotStated)),
    ];

    /// <summary>Characteristic index (-1: totals), setting ("": all settings), category value (0 for totals).</summary>
    public sealed class Counts : Dictionary<(int Characteristic, string Setting, int Category), GroupCount>
    {
        public GroupCount Of(int characteristic, string setting, int category) => TryGetValue((characteristic, setting, category), out var c) ? c : default;
    }

    private string Sql => shape == Shape.GroupingSets ? s_groupingSets : s_unpivoted;

    private const string Outcomes = """
        WITH series AS (
            SELECT setting_code, patient_key, count(*) AS n, min(measured_at) AS first_at, max(measured_at) AS last_at,
                   (array_agg(headline ORDER BY measured_at))[1] AS first_value,
                   (array_agg(headline ORDER BY measured_at DESC))[1] AS last_value
            FROM outcome_measurements
            WHERE tenant_id = $1 AND technology_id = $2 AND instrument = $3 AND measured_at >= $4 AND measured_at < $5 AND headline IS NOT NULL
            GROUP BY setting_code, patient_key
        ), outcomes AS (
            SELECT setting_code, patient_key, CASE WHEN $6 THEN $7 * (last_value - first_value) ELSE last_value END AS value
            FROM series
            WHERE NOT $6 OR (n >= 2 AND last_at > first_at)
        )
        """;

    private static readonly string s_groupingSets = Outcomes + $"""
        , profiled AS (
            SELECT o.setting_code, o.value, {string.Join(", ", Columns.Select(c => $"coalesce(p.{c.Column}, 'NotStated') AS {c.Column}"))}
            FROM outcomes o LEFT JOIN equality_profiles p ON p.tenant_id = $1 AND p.patient_key = o.patient_key
        )
        SELECT GROUPING(setting_code, {string.Join(", ", Columns.Select(c => c.Column))}) AS grouped,
               setting_code, {string.Join(", ", Columns.Select(c => c.Column))}, count(*)::int AS patients, coalesce(sum(value), 0) AS total
        FROM profiled
        GROUP BY GROUPING SETS ((setting_code), (), {string.Join(", ", Columns.Select(c => $"(setting_code, {c.Column}), ({c.Column})"))})
        """;

    private static readonly string s_unpivoted = Outcomes + $"""
        , unpivoted AS (
            SELECT o.setting_code, o.value, c.k, c.category
            FROM outcomes o LEFT JOIN equality_profiles p ON p.tenant_id = $1 AND p.patient_key = o.patient_key
            CROSS JOIN LATERAL (VALUES {string.Join(", ", Columns.Select((c, k) => $"({k}, coalesce(p.{c.Column}, 'NotStated'))"))}) AS c(k, category)
        )
        SELECT GROUPING(setting_code, category) AS grouped, setting_code, k, category, count(*)::int AS patients, coalesce(sum(value), 0) AS total
        FROM unpivoted
        GROUP BY GROUPING SETS ((setting_code, k, category), (k, category), (setting_code, k), (k))
        """;

    /// <summary>PostgreSQL's plan for one report's statement, as run (EXPLAIN ANALYZE, BUFFERS).</summary>
    public async Task<string> ExplainAsync(Guid technology, Instrument instrument, ReportingPeriod quarter)
    {
        var definition = Instruments.Of(instrument);
        await using var conn = await app.OpenConnectionAsync();
        await using (var tenant = new NpgsqlCommand("SELECT set_config('app.tenant_id', $1, false)", conn) { Parameters = { new() { Value = trust } } })
            await tenant.ExecuteNonQueryAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN (ANALYZE, BUFFERS) " + Sql, conn);
        foreach (var p in Parameters(technology, instrument, quarter, definition)) explain.Parameters.Add(p);
        var lines = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) lines.Add(reader.GetString(0));
        return string.Join(Environment.NewLine, lines);
    }

    private NpgsqlParameter[] Parameters(Guid technology, Instrument instrument, ReportingPeriod quarter, InstrumentDefinition definition) =>
    [
        new() { Value = trust, NpgsqlDbType = NpgsqlDbType.Varchar },
        new() { Value = technology },
        new() { Value = instrument.ToString(), NpgsqlDbType = NpgsqlDbType.Varchar },
        new() { Value = quarter.Start, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        new() { Value = quarter.End, NpgsqlDbType = NpgsqlDbType.TimestampTz },
        new() { Value = definition.MeasuresChange },
        new() { Value = definition.HigherIsBetter ? 1.0 : -1.0 },
    ];

    private static int CategoryValue(int characteristic, string name) =>
        Convert.ToInt32(Enum.Parse(Columns[characteristic].Enum, name), System.Globalization.CultureInfo.InvariantCulture);

    public async Task<Counts> RunAsync(Guid technology, Instrument instrument, ReportingPeriod quarter, CancellationToken ct = default)
    {
        var definition = Instruments.Of(instrument);
        await using var conn = await app.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(conn)
        {
            BatchCommands =
            {
                // The session variable Platform.Persistence's TenantConnectionInterceptor sets on every connection the service opens.
                new NpgsqlBatchCommand("SELECT set_config('app.tenant_id', $1, false)") { Parameters = { new() { Value = trust } } },
                new NpgsqlBatchCommand(Sql),
            },
        };
        batch.BatchCommands[1].Parameters.AddRange(Parameters(technology, instrument, quarter, definition));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct); // past set_config's row
        var counts = new Counts();
        while (await reader.ReadAsync(ct))
        {
            // GROUPING(...) has a bit per argument, the first the highest, set when that column is aggregated over.
            var grouped = reader.GetInt32(0);
            if (shape == Shape.GroupingSets)
            {
                var setting = (grouped & (1 << Columns.Length)) == 0 ? reader.GetString(1) : "";
                var characteristic = Enumerable.Range(0, Columns.Length).Where(k => (grouped & (1 << (Columns.Length - 1 - k))) == 0).DefaultIfEmpty(-1).Single();
                var category = characteristic < 0 ? 0 : CategoryValue(characteristic, reader.GetString(2 + characteristic));
                counts[(characteristic, setting, category)] = new GroupCount(reader.GetInt32(2 + Columns.Length), reader.GetDouble(3 + Columns.Length));
            }
            else
            {
                var setting = (grouped & 2) == 0 ? reader.GetString(1) : "";
                var k = reader.GetInt32(2);
                var count = new GroupCount(reader.GetInt32(4), reader.GetDouble(5));
                // Every characteristic's rows add up to the same totals: the first's are kept.
                if ((grouped & 1) == 0) counts[(k, setting, CategoryValue(k, reader.GetString(3)))] = count;
                else if (k == 0) counts[(-1, setting, 0)] = count;
            }
        }
        return counts;
    }
}
