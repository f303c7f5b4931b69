using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Platform.Consent.Api.Application;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// The region's counts are consent's daily publication (ADR 0047; ADR 0045 as amended): each trust's row and the date's
/// publication are written once per date. The dashboard collection's tests share one consent, one set of known trusts
/// and one real date, so a test that seeds its trusts and then needs them in the day's figures first clears today's
/// publication and rows (as a superuser: the rows are tenant-owned, under row-level security) and publishes again, as
/// the first run of a new day would. A test aid only: consent itself never withdraws a publication.
/// </summary>
internal static class RegionPublication
{
    public static async Task<UseCountPublicationResult> PublishTodayAsync(DashboardHosts hosts)
    {
        var consent = hosts.Consent;
        var today = DateOnly.FromDateTime(consent.Services.GetRequiredService<TimeProvider>().GetUtcNow().UtcDateTime);
        await using (var conn = new NpgsqlConnection(consent.Postgres.SuperuserConnectionString(consent.Database)))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand("DELETE FROM use_count_publications WHERE as_at = @d; DELETE FROM published_use_counts WHERE as_at = @d;", conn);
            cmd.Parameters.AddWithValue("d", today);
            await cmd.ExecuteNonQueryAsync();
        }
        return await consent.Services.GetRequiredService<UseCountPublisher>().PublishAsync();
    }
}
