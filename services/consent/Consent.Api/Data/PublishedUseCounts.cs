using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Platform.Consent.Domain;
using Platform.Domain;

namespace Platform.Consent.Api.Data;

/// <summary>
/// One trust's active-use counts as published for one date (ADR 0047): the grouped rows the count query gave (ward,
/// setting, basis, uses, overdue reviews; codes and numbers, no patient), and the trust's suppression threshold that
/// day, so that the same date always gives the same figures and the same suppression pattern. Written once per trust
/// and date (unique), never updated. Tenant-owned, with row-level security: the region reads it in the trust's scope.
/// </summary>
public sealed class PublishedTrustUseCounts : ITenantOwned
{
    public Guid Id { get; set; }
    public string TenantId { get; set; } = "";
    public DateOnly AsAt { get; set; }
    /// <summary>When the sweep took the counts (the first sweep of the day, normally within one interval of 00:00 UTC).</summary>
    public DateTime TakenAt { get; set; }
    public int SuppressionThreshold { get; set; }
    public List<ActiveUseGroup> Groups { get; set; } = [];
    /// <summary>
    /// The trust's uses in "consent required" by setting, within and past the deadline, evaluated at <see cref="TakenAt"/>
    /// (ADR 0045 as amended): written in the same row, so the same all-or-nothing publication covers both. Null on a row
    /// recorded before these were published (a date the region's consent-required counts cannot answer for).
    /// </summary>
    public List<ConsentRequiredGroup>? ConsentRequired { get; set; }
}

/// <summary>
/// A date the region's counts were published for: written once every trust active that day has its row, naming them
/// (ODS codes, public reference data, as <c>consent_trusts</c> and <c>known_trusts</c>, so no row-level security). A
/// date without this row was not published (a day the sweep missed stays missing); the region reads only these.
/// </summary>
public sealed class UseCountPublicationRecord
{
    public DateOnly AsAt { get; set; }
    public DateTime PublishedAt { get; set; }
    public List<string> Trusts { get; set; } = [];
}

internal static class PublishedUseCountsModel
{
    // Bases by name, as the other tables store enums: the rows read without the code.
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private static ValueConverter<List<T>, string> Json<T>() => new(
        v => JsonSerializer.Serialize(v, s_json),
        v => JsonSerializer.Deserialize<List<T>>(v, s_json) ?? new List<T>());

    // Written once and never edited: compared by content so EF never misses a change.
    private static ValueComparer<List<T>> ByContent<T>() => new(
        (a, b) => JsonSerializer.Serialize(a, s_json) == JsonSerializer.Serialize(b, s_json),
        v => JsonSerializer.Serialize(v, s_json).GetHashCode(StringComparison.Ordinal),
        v => JsonSerializer.Deserialize<List<T>>(JsonSerializer.Serialize(v, s_json), s_json)!);

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PublishedTrustUseCounts>(e =>
        {
            e.ToTable("published_use_counts");
            e.HasKey(x => x.Id);
            e.Property(x => x.Groups).HasConversion(Json<ActiveUseGroup>(), ByContent<ActiveUseGroup>());
            // Nullable (rows recorded before these counts were): EF passes no null to the converter.
#pragma warning disable CS8620
            e.Property(x => x.ConsentRequired).HasConversion(Json<ConsentRequiredGroup>(), ByContent<ConsentRequiredGroup>()).IsRequired(false);
#pragma warning restore CS8620
            // One per trust and date: a rerun or a second replica cannot record the day twice.
            e.HasIndex(x => new { x.TenantId, x.AsAt }).IsUnique();
        });
        modelBuilder.Entity<UseCountPublicationRecord>(e =>
        {
            e.ToTable("use_count_publications");
            e.HasKey(x => x.AsAt);
            e.Property(x => x.Trusts).HasConversion(Json<string>(), ByContent<string>());
        });
    }
}
