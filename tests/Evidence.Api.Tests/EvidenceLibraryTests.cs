using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Domain;
using Platform.Evidence.Api.Application;
using Platform.Evidence.Api.Data;
using Platform.Evidence.Api.Grpc;
using RiskOfBias = Platform.Evidence.Domain.RiskOfBias;
using Platform.Testing;
using Xunit;

namespace Platform.Evidence.Api.Tests;

// EvidenceGrpcService names the app's assembly: this project also hosts procurement, whose Program would clash.
public sealed class EvidenceServiceFixture() : ServiceFixture<EvidenceGrpcService>("evidence");

public class EvidenceLibraryTests(EvidenceServiceFixture fixture) : IClassFixture<EvidenceServiceFixture>
{
    private const string TrustA = "RX3";
    private const string TrustB = "RTQ";

    private static RecordEvidenceItem Rct(Guid technology, int size = 120) =>
        new(technology.ToString(), "Randomised trial of contact-free night observations", StudyDesign.Rct, size, IndependentOfSupplier: true, SettingRelevance.Direct, EvidenceQuality.Moderate,
            "doi:10.1000/contact-free-2025", RiskOfBias.Low);

    private Task<Outcome<EvidenceItem>> Record(string tenant, RecordEvidenceItem command) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<EvidenceLibrary>().RecordAsync(command));

    private Task<Outcome<IReadOnlyList<EvidenceItem>>> List(string tenant, Guid technology) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<EvidenceLibrary>().ListAsync(technology.ToString()));

    private Task<Guid> Registered(string tenant) => ProcurementRegister.RegisterAsync(fixture.App, tenant);

    [Fact]
    public async Task Recorded_items_are_listed_for_their_technology_in_order()
    {
        var technology = await Registered(TrustA);
        var first = await Record(TrustA, Rct(technology));
        var second = await Record(TrustA, Rct(technology, 40) with { StudyDesign = StudyDesign.Qualitative, IndependentOfSupplier = false, Quality = EvidenceQuality.Low });
        Assert.False(first.IsRefused || second.IsRefused);
        Assert.False((await Record(TrustA, Rct(await Registered(TrustA)))).IsRefused);

        var items = (await List(TrustA, technology)).Value;
        Assert.Equal([first.Value.Id, second.Value.Id], items.Select(i => i.Id));
        Assert.Equal(StudyDesign.Qualitative, items[1].StudyDesign);
        Assert.False(items[1].IndependentOfSupplier);
    }

    [Theory]
    [InlineData("not-a-uuid", 10, "technology-id.format")]
    [InlineData(null, 0, "sample-size.range")]
    [InlineData(null, -5, "sample-size.range")]
    [InlineData(null, 10_000_001, "sample-size.range")]
    public async Task Impossible_items_are_refused(string? technologyId, int size, string rule)
    {
        var command = Rct(Guid.NewGuid(), size);
        if (technologyId is not null) command = command with { TechnologyId = technologyId };
        Assert.Equal(rule, (await Record(TrustA, command)).Refusal?.Rule);
    }

    [Fact]
    public async Task An_item_without_design_relevance_quality_citation_or_risk_of_bias_is_refused()
    {
        var t = await Registered(TrustA);
        Assert.Equal("study-design.required", (await Record(TrustA, Rct(t) with { StudyDesign = StudyDesign.Unspecified })).Refusal?.Rule);
        Assert.Equal("setting-relevance.required", (await Record(TrustA, Rct(t) with { SettingRelevance = SettingRelevance.Unspecified })).Refusal?.Rule);
        Assert.Equal("quality.required", (await Record(TrustA, Rct(t) with { Quality = EvidenceQuality.Unspecified })).Refusal?.Rule);
        Assert.Equal("citation.required", (await Record(TrustA, Rct(t) with { Citation = " " })).Refusal?.Rule);
        Assert.Equal("risk-of-bias.required", (await Record(TrustA, Rct(t) with { RiskOfBias = RiskOfBias.Unspecified })).Refusal?.Rule);
        Assert.Empty((await List(TrustA, t)).Value);
    }

    [Fact]
    public async Task Trust_B_sees_none_of_trust_As_evidence()
    {
        var technology = await Registered(TrustA);
        var a = await Record(TrustA, Rct(technology));
        // Trust B holding A's technology id learns nothing: for B there is no such technology (OWASP API1).
        Assert.Equal("technology.not-found", (await List(TrustB, technology)).Refusal?.Rule);
        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "evidence_items", a.Value.Id, TrustB));
        Assert.Equal(1, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "evidence_items", a.Value.Id, TrustA));
    }

    [Fact]
    public async Task Evidence_is_recorded_only_for_a_technology_procurement_registered_in_the_same_trust()
    {
        var madeUp = await Record(TrustA, Rct(Guid.NewGuid()));
        Assert.Equal(("technology.not-found", RefusalKind.NotFound), (madeUp.Refusal?.Rule, madeUp.Refusal?.Kind));

        var theirs = await Registered(TrustA);
        var attached = await Record(TrustB, Rct(theirs));
        Assert.Equal("technology.not-found", attached.Refusal?.Rule);
        Assert.Empty((await List(TrustA, theirs)).Value);
        Assert.Equal(0, await CountItemsAsync(theirs));
    }

    [Fact]
    public async Task A_redelivered_registration_changes_nothing_and_a_malformed_one_is_dropped()
    {
        var technology = await Registered(TrustA);
        Assert.False((await Record(TrustA, Rct(technology))).IsRefused);
        Assert.Equal((System.Net.HttpStatusCode.OK, "SUCCESS"), await ProcurementRegister.DeliverAsync(fixture.App, TrustA, technology, "Renamed by a replay"));
        Assert.Single((await List(TrustA, technology)).Value);
        var name = await fixture.App.InTenantAsync(TrustA, sp => sp.GetRequiredService<EvidenceDbContext>().Technologies.Where(t => t.Id == technology).Select(t => t.Name).SingleAsync());
        Assert.Equal("Contact-free night observations", name);

        Assert.Equal((System.Net.HttpStatusCode.OK, "DROP"), await ProcurementRegister.DeliverAsync(fixture.App, TrustA, technology, "   "));
    }

    private Task<int> CountItemsAsync(Guid technology) =>
        fixture.App.InTenantAsync(TrustA, sp => sp.GetRequiredService<EvidenceDbContext>().EvidenceItems.CountAsync(i => i.TechnologyId == technology));

    [Fact]
    public async Task Migrated_postgres_schema_matches_the_model() =>
        await fixture.App.InTenantAsync(TrustA, async sp => { await SchemaAssert.MigratedSchemaMatchesModelAsync(sp.GetRequiredService<EvidenceDbContext>()); return 0; });

    [Fact]
    public Task Migrated_sqlite_schema_matches_the_model() => SqliteSchema.MigrateAndAssertMatchesModelAsync<EvidenceSqliteDbContext>();

    [Fact]
    public async Task Every_tenant_owned_table_has_row_level_security_on_postgres() =>
        await fixture.App.InTenantAsync(TrustA, async sp => { await RowLevelSecurity.AssertEveryTenantTableIsIsolatedAsync(sp.GetRequiredService<EvidenceDbContext>()); return 0; });
}
