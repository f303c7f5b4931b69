using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Identity.Api.Application;
using Platform.Identity.Api.Data;
using Platform.Identity.Domain;
using Platform.Messaging.Outbox;
using Platform.Testing;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>The trust and ward directory's rules, and the events it publishes through the outbox.</summary>
public sealed class DirectoryTests(IdentityFixture fixture) : IClassFixture<IdentityFixture>
{
    private Task<T> AsTrust<T>(string tenant, Func<TrustDirectory, Task<T>> work) =>
        fixture.App.InTenantAsync(tenant, sp => work(sp.GetRequiredService<TrustDirectory>()));

    private async Task<List<OutboxMessage>> EventsAsync(string type, string tenant)
    {
        await using var scope = fixture.App.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
        return await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.Type == type && m.Tenant == tenant).OrderBy(m => m.Sequence).ToListAsync();
    }

    private static JsonElement Data(OutboxMessage message) => JsonDocument.Parse(message.Payload).RootElement.GetProperty("data");

    [Fact]
    public async Task Onboarding_a_trust_publishes_trust_onboarded_with_its_code_and_name_as_its_tenant()
    {
        await fixture.OnboardAsync("dra1 ");

        var published = Assert.Single(await EventsAsync("platform.identity.trust_onboarded.v1", "DRA1"));
        Assert.Equal(("identity.trust_onboarded.v1", "DRA1"), (published.Topic, published.Subject));
        Assert.Equal("DRA1", Data(published).GetProperty("odsCode").GetString());
        Assert.Equal("Trust dra1", Data(published).GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_trust_is_onboarded_once_and_a_malformed_ods_code_is_refused_naming_the_field()
    {
        await fixture.OnboardAsync("DRB1");
        var again = await fixture.AsRegion(d => d.OnboardTrustAsync("drb1", "Again", [], [], default));
        Assert.Equal("trust.already-onboarded", again.Refusal?.Rule);
        Assert.Equal("ods-code.format", (await fixture.AsRegion(d => d.OnboardTrustAsync("RX3;--", "Bad", [], [], default))).Refusal?.Rule);
        Assert.Single(await EventsAsync("platform.identity.trust_onboarded.v1", "DRB1"));
    }

    [Fact]
    public async Task A_refused_client_leaves_no_trust_behind_and_publishes_nothing()
    {
        var refused = await fixture.AsRegion(d => d.OnboardTrustAsync("DRC1", "Half Trust", [],
            [new NewClient(null, ClientKind.Device, null, [Roles.Clinician], [], null, false)], default));
        Assert.Equal("roles.not-allowed", refused.Refusal?.Rule);
        Assert.Equal("trust.not-found", (await fixture.AsRegion(d => d.GetTrustAsync("DRC1", default))).Refusal?.Rule);
        Assert.Empty(await EventsAsync("platform.identity.trust_onboarded.v1", "DRC1"));
    }

    [Fact]
    public async Task Suspending_and_renaming_a_trust_publishes_trust_changed_with_its_state()
    {
        await fixture.OnboardAsync("DRD1");
        await fixture.AsRegion(d => d.ChangeTrustAsync("DRD1", "Renamed Trust", TrustStatus.Suspended, default));
        var changed = Assert.Single(await EventsAsync("platform.identity.trust_changed.v1", "DRD1"));
        Assert.Equal(("Renamed Trust", "TRUST_STATUS_SUSPENDED"), (Data(changed).GetProperty("name").GetString(), Data(changed).GetProperty("status").GetString()));
    }

    [Fact]
    public async Task Ward_codes_are_trimmed_and_upper_case_a_ward_belongs_to_one_trust_and_its_events_carry_the_setting()
    {
        await fixture.OnboardAsync("DRE1");
        await fixture.OnboardAsync("DRE2");
        var oak = await AsTrust("DRE1", d => d.RegisterWardAsync(new RegisterWard(" oak ", "Oak Ward", WardSetting.AcuteAdult, 18), default));
        Assert.Equal("OAK", oak.Value.Code);
        Assert.Equal("ward.already-registered", (await AsTrust("DRE1", d => d.RegisterWardAsync(new RegisterWard("OAK", "Oak again", WardSetting.Picu, 8), default))).Refusal?.Rule);
        // Another trust may have its own OAK; it never sees the first trust's.
        Assert.False((await AsTrust("DRE2", d => d.RegisterWardAsync(new RegisterWard("Oak", "Oak PICU", WardSetting.Picu, 10), default))).IsRefused);
        Assert.Equal([("OAK", WardSetting.AcuteAdult)], (await AsTrust("DRE1", d => d.ListWardsAsync(default))).Select(w => (w.Code, w.Setting)));
        Assert.Equal(0, await RowLevelSecurity.CountVisibleAsync(fixture.App.Postgres, fixture.App.Database, "wards", oak.Value.Id, "DRE2"));
        Assert.Equal("ward.not-found", (await AsTrust("DRE2", d => d.ChangeWardAsync(new ChangeWard("WILLOW", "x", null, null, null), default))).Refusal?.Rule);

        var registered = Assert.Single(await EventsAsync("platform.identity.ward_registered.v1", "DRE1"));
        Assert.Equal("DRE1/OAK", registered.Subject);
        Assert.Equal(("OAK", "WARD_SETTING_ACUTE_ADULT", "acute-adult"), (Data(registered).GetProperty("wardCode").GetString(),
            Data(registered).GetProperty("setting").GetString(), Data(registered).GetProperty("settingCode").GetString()));

        var changed = await AsTrust("DRE1", d => d.ChangeWardAsync(new ChangeWard("oak", null, WardSetting.OlderAdults, null, true), default));
        Assert.Equal((WardSetting.OlderAdults, true, "Oak Ward", 18), (changed.Value.Setting, changed.Value.Closed, changed.Value.Name, changed.Value.Beds));
        var wardChanged = Assert.Single(await EventsAsync("platform.identity.ward_changed.v1", "DRE1"));
        Assert.Equal(("older-adults", true), (Data(wardChanged).GetProperty("settingCode").GetString(), Data(wardChanged).GetProperty("closed").GetBoolean()));
    }

    [Fact]
    public async Task A_trust_not_onboarded_or_suspended_cannot_add_wards_and_bad_wards_are_refused_naming_the_field()
    {
        Assert.Equal("trust.not-onboarded", (await AsTrust("ZZZ9", d => d.RegisterWardAsync(new RegisterWard("ELM", "Elm", WardSetting.Camhs, 12), default))).Refusal?.Rule);
        await fixture.OnboardAsync("DRF1");
        Assert.Equal("beds.range", (await AsTrust("DRF1", d => d.RegisterWardAsync(new RegisterWard("ASH", "Ash", WardSetting.Secure, 0), default))).Refusal?.Rule);
        Assert.Equal("setting.required", (await AsTrust("DRF1", d => d.RegisterWardAsync(new RegisterWard("ASH", "Ash", WardSetting.Unspecified, 10), default))).Refusal?.Rule);
        Assert.Equal("ward-code.format", (await AsTrust("DRF1", d => d.RegisterWardAsync(new RegisterWard("A SH", "Ash", WardSetting.Secure, 10), default))).Refusal?.Rule);
        Assert.Empty(await AsTrust("DRF1", d => d.ListWardsAsync(default)));
        await fixture.AsRegion(d => d.ChangeTrustAsync("DRF1", null, TrustStatus.Suspended, default));
        Assert.Equal("trust.suspended", (await AsTrust("DRF1", d => d.RegisterWardAsync(new RegisterWard("ASH", "Ash", WardSetting.Secure, 10), default))).Refusal?.Rule);
    }

    [Fact]
    public async Task Client_secrets_are_stored_hashed_and_a_reset_secret_replaces_the_old_one()
    {
        var (id, secret) = await fixture.OnboardAsync("DRG1");
        await using (var scope = fixture.App.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            var stored = await db.Set<OpenIddict.EntityFrameworkCore.Models.OpenIddictEntityFrameworkCoreApplication>().AsNoTracking().SingleAsync(a => a.ClientId == id);
            Assert.NotNull(stored.ClientSecret);
            Assert.DoesNotContain(secret, stored.ClientSecret);
        }
        var reset = await fixture.AsRegion(d => d.ResetClientSecretAsync(id, default));
        Assert.Equal("invalid_client", (await fixture.RequestTokenAsync([new("grant_type", "client_credentials")], (id, secret))).Error);
        await fixture.ClientTokenAsync(id, reset.Value.Secret!);
    }

    [Fact]
    public async Task A_removed_client_gets_no_more_tokens()
    {
        var (id, secret) = await fixture.OnboardAsync("DRH1");
        Assert.False((await fixture.AsRegion(d => d.RemoveClientAsync(id, default))).IsRefused);
        Assert.Equal("invalid_client", (await fixture.RequestTokenAsync([new("grant_type", "client_credentials")], (id, secret))).Error);
    }

    [Fact]
    public async Task Migrated_postgres_schema_matches_the_model() =>
        await fixture.App.InTenantAsync("RX3", async sp => { await SchemaAssert.MigratedSchemaMatchesModelAsync(sp.GetRequiredService<IdentityDbContext>()); return 0; });

    [Fact]
    public Task Migrated_sqlite_schema_matches_the_model() => SqliteSchema.MigrateAndAssertMatchesModelAsync<IdentitySqliteDbContext>();

    [Fact]
    public async Task Every_tenant_owned_table_has_row_level_security_on_postgres() =>
        await fixture.App.InTenantAsync("RX3", async sp => { await RowLevelSecurity.AssertEveryTenantTableIsIsolatedAsync(sp.GetRequiredService<IdentityDbContext>()); return 0; });
}

/// <summary>The migrations dotnet-ef generated hold the whole model on both providers.</summary>
public sealed class IdentityMigrationsTests
{
    [Fact]
    public void The_sqlite_migrations_hold_every_change_to_the_model()
    {
        using var db = new IdentitySqliteDesignTimeFactory().CreateDbContext([]);
        SchemaAssert.NoPendingModelChanges(db);
    }

    [Fact]
    public void The_postgres_migrations_hold_every_change_to_the_model()
    {
        using var db = new IdentityPostgresDesignTimeFactory().CreateDbContext([]);
        SchemaAssert.NoPendingModelChanges(db);
    }
}
