using Microsoft.Extensions.DependencyInjection;
using Platform.Domain;
using Platform.Procurement.Api.Application;
using Platform.Procurement.Api.Data;
using Platform.Testing;
using Xunit;

namespace Platform.Procurement.Api.Tests;

public sealed class ProcurementServiceFixture() : ServiceFixture<Program>("procurement");

public class TechnologyRegisterTests(ProcurementServiceFixture fixture) : IClassFixture<ProcurementServiceFixture>
{
    private const string TrustA = "RX3";
    private const string TrustB = "RTQ";

    private Task<Outcome<Technology>> Register(string tenant, RegisterTechnology command) =>
        fixture.App.InTenantAsync(tenant, sp => sp.GetRequiredService<TechnologyRegister>().RegisterAsync(command));

    private static RegisterTechnology Camera(string name = "Night-time vision monitor") =>
        new(name, "Acme Health", "Optical sensing of pulse and breathing rate during night-time observations", TechnologyCategory.PatientSafety, Surveillance: true);

    [Fact]
    public async Task A_registered_technology_keeps_its_intended_use_category_and_surveillance_flag()
    {
        var registered = await Register(TrustA, Camera("Vision monitor A"));
        Assert.False(registered.IsRefused, registered.Refusal?.Message);
        var found = await fixture.App.InTenantAsync(TrustA, sp => sp.GetRequiredService<TechnologyRegister>().GetAsync(registered.Value.Id.ToString()));
        Assert.Equal("Vision monitor A", found.Value.Name);
        Assert.Equal(TechnologyCategory.PatientSafety, found.Value.Category);
        Assert.True(found.Value.Surveillance);
        Assert.StartsWith("Optical sensing", found.Value.IntendedUse);
    }

    [Theory]
    [InlineData("", "Acme", "use", TechnologyCategory.Monitoring, "name.required")]
    [InlineData("X", "", "use", TechnologyCategory.Monitoring, "supplier.required")]
    [InlineData("X", "Acme", " ", TechnologyCategory.Monitoring, "intended-use.required")]
    [InlineData("X", "Acme", "use", TechnologyCategory.Unspecified, "category.required")]
    public async Task A_technology_without_a_defined_intended_use_or_category_is_refused(string name, string supplier, string use, TechnologyCategory category, string rule)
    {
        var outcome = await Register(TrustA, new RegisterTechnology(name, supplier, use, category, false));
        Assert.Equal(rule, outcome.Refusal?.Rule);
        Assert.Equal(RefusalKind.InvalidArgument, outcome.Refusal?.Kind);
    }

    [Fact]
    public async Task The_same_product_twice_in_a_trust_is_refused_but_another_trust_may_register_it()
    {
        Assert.False((await Register(TrustA, Camera("Vision monitor B"))).IsRefused);
        Assert.Equal(RefusalKind.AlreadyExists, (await Register(TrustA, Camera("Vision monitor B"))).Refusal?.Kind);
        Assert.False((await Register(TrustB, Camera("Vision monitor B"))).IsRefused);
    }

    [Fact]
    public async Task Trust_B_cannot_see_trust_As_technology_and_row_level_security_agrees()
    {
        var a = await Register(TrustA, Camera("Vision monitor C"));
        var fromB = await fixture.App.InTenantAsync(TrustB, sp => sp.GetRequiredService<TechnologyRegister>().GetAsync(a.Value.Id.ToString()));
        Assert.Equal(RefusalKind.NotFound, fromB.Refusal?.Kind);
        var listB = await fixture.App.InTenantAsync(TrustB, sp => sp.GetRequiredService<TechnologyRegister>().ListAsync(500, null));
        Assert.DoesNotContain(listB.Value.Technologies, t => t.Id == a.Value.Id);

        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "technologies", a.Value.Id, TrustB));
        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "technologies", a.Value.Id, null));
        Assert.Equal(1, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "technologies", a.Value.Id, TrustA));
    }

    [Fact]
    public async Task Migrated_postgres_schema_matches_the_model() =>
        await fixture.App.InTenantAsync(TrustA, async sp => { await SchemaAssert.MigratedSchemaMatchesModelAsync(sp.GetRequiredService<ProcurementDbContext>()); return 0; });

    [Fact]
    public Task Migrated_sqlite_schema_matches_the_model() => SqliteSchema.MigrateAndAssertMatchesModelAsync<ProcurementSqliteDbContext>();

    [Fact]
    public async Task Every_tenant_owned_table_has_row_level_security_on_postgres() =>
        await fixture.App.InTenantAsync(TrustA, async sp => { await RowLevelSecurity.AssertEveryTenantTableIsIsolatedAsync(sp.GetRequiredService<ProcurementDbContext>()); return 0; });
}
