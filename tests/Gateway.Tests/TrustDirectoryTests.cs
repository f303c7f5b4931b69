using Microsoft.Extensions.DependencyInjection;
using Platform.Domain;
using Platform.Gateway.Tenancy;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.Tests;

public sealed class GatewayFixture() : ServiceFixture<Program>("gateway");

public class TrustDirectoryTests(GatewayFixture fixture) : IClassFixture<GatewayFixture>
{
    private Task<T> As<T>(string tenant, Func<TrustDirectory, Task<T>> work) =>
        fixture.App.InTenantAsync(tenant, sp => work(sp.GetRequiredService<TrustDirectory>()));

    [Fact]
    public async Task A_registered_trust_can_add_wards_and_list_only_its_own()
    {
        Assert.False((await As("RX3", d => d.RegisterTrustAsync("rx3", "North Coast Mental Health NHS Trust"))).IsRefused);
        Assert.False((await As("RTQ", d => d.RegisterTrustAsync("RTQ", "Vale Partnership NHS Trust"))).IsRefused);
        var oak = await As("RX3", d => d.RegisterWardAsync(new RegisterWard("OAK", "Oak Ward", WardSetting.AcuteAdult, 18)));
        Assert.False(oak.IsRefused, oak.Refusal?.Message);
        Assert.False((await As("RTQ", d => d.RegisterWardAsync(new RegisterWard("OAK", "Oak PICU", WardSetting.Picu, 10)))).IsRefused);

        var rx3Wards = await As("RX3", d => d.ListWardsAsync());
        var ward = Assert.Single(rx3Wards);
        Assert.Equal(("OAK", "Oak Ward", WardSetting.AcuteAdult), (ward.Code, ward.Name, ward.Setting));
        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "wards", oak.Value.Id, "RTQ"));
        Assert.Contains(await As("RTQ", d => d.ListTrustsAsync()), t => t.OdsCode == "RX3");
    }

    [Fact]
    public async Task A_trust_not_onboarded_cannot_add_wards()
    {
        var outcome = await As("ZZZ9", d => d.RegisterWardAsync(new RegisterWard("ELM", "Elm Ward", WardSetting.Camhs, 12)));
        Assert.Equal("trust.not-registered", outcome.Refusal?.Rule);
    }

    [Theory]
    [InlineData("R", "ods-code.format")]
    [InlineData("RX3;--", "ods-code.format")]
    public async Task A_malformed_ods_code_is_refused(string ods, string rule) =>
        Assert.Equal(rule, (await As("RX3", d => d.RegisterTrustAsync(ods, "Some Trust"))).Refusal?.Rule);

    [Fact]
    public async Task Bad_wards_are_refused_with_the_field_named()
    {
        await As("RV9", d => d.RegisterTrustAsync("RV9", "Moor Trust"));
        Assert.Equal("beds.range", (await As("RV9", d => d.RegisterWardAsync(new RegisterWard("ASH", "Ash", WardSetting.Secure, 0)))).Refusal?.Rule);
        Assert.Equal("setting.required", (await As("RV9", d => d.RegisterWardAsync(new RegisterWard("ASH", "Ash", WardSetting.Unspecified, 10)))).Refusal?.Rule);
        Assert.Empty(await As("RV9", d => d.ListWardsAsync()));
    }

    [Fact]
    public async Task Migrated_postgres_schema_matches_the_model() =>
        await fixture.App.InTenantAsync("RX3", async sp => { await SchemaAssert.MigratedSchemaMatchesModelAsync(sp.GetRequiredService<GatewayDbContext>()); return 0; });

    [Fact]
    public Task Migrated_sqlite_schema_matches_the_model() => SqliteSchema.MigrateAndAssertMatchesModelAsync<GatewaySqliteDbContext>();

    [Fact]
    public async Task Every_tenant_owned_table_has_row_level_security_on_postgres() =>
        await fixture.App.InTenantAsync("RX3", async sp => { await RowLevelSecurity.AssertEveryTenantTableIsIsolatedAsync(sp.GetRequiredService<GatewayDbContext>()); return 0; });
}
