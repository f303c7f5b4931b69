using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Platform.Identity.Api.Data;
using Platform.Identity.Api.Tokens;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using Xunit;

namespace Platform.Identity.Api.Tests;

/// <summary>
/// The signing keys' life on a fake clock: published before they sign, signing until the next activates, published
/// while the last token they signed can live, then gone. The private keys are stored protected, never in clear.
/// </summary>
public sealed class SigningKeyRingTests : IAsyncLifetime
{
    private static readonly IdentityOptions s_options = new()
    {
        AccessTokenLifetime = TimeSpan.FromMinutes(10),
        SigningKeys = new SigningKeyOptions { RotateAfter = TimeSpan.FromDays(30), PublishAhead = TimeSpan.FromMinutes(15) },
    };

    private readonly string _file = Path.Combine(Path.GetTempPath(), $"ring-{Guid.NewGuid():N}.db");
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private ServiceProvider _services = null!;

    private SigningKeyRing Ring => _services.GetRequiredService<SigningKeyRing>();

    public async Task InitializeAsync()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddSingleton<ITenantContext>(new FixedTenant(null));
        services.AddDbContext<IdentityDbContext, IdentitySqliteDbContext>(o => o.UsePlatformProvider(DatabaseProvider.Sqlite, $"Data Source={_file};Pooling=false"));
        services.AddSingleton<TimeProvider>(_clock);
        services.AddSingleton(Options.Create(s_options));
        services.AddSingleton<SigningKeyRing>();
        _services = services.BuildServiceProvider();
        await using var scope = _services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().Database.MigrateAsync();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        File.Delete(_file);
    }

    private async Task<List<SigningKey>> StoredAsync()
    {
        await using var scope = _services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<IdentityDbContext>().SigningKeys.AsNoTracking().ToListAsync();
    }

    [Fact]
    public async Task The_first_start_makes_one_key_that_signs_at_once_and_is_stored_protected()
    {
        await Ring.RefreshAsync(default);

        var stored = Assert.Single(await StoredAsync());
        Assert.Equal(stored.KeyId, Ring.Active.KeyId);
        Assert.Equal([stored.KeyId], Ring.Published.Select(k => k.KeyId));
        Assert.DoesNotContain("PRIVATE KEY", stored.ProtectedPrivateKey);
    }

    [Fact]
    public async Task A_due_key_is_published_ahead_signs_after_and_the_old_one_stays_published_while_its_tokens_live()
    {
        await Ring.RefreshAsync(default);
        var first = Ring.Active.KeyId;

        // Not due yet: nothing changes.
        _clock.Advance(TimeSpan.FromDays(29));
        await Ring.RefreshAsync(default);
        Assert.Single(Ring.Published);

        // Due within PublishAhead: the next key is published now, and the first still signs.
        _clock.Advance(TimeSpan.FromDays(1) - TimeSpan.FromMinutes(10));
        await Ring.RefreshAsync(default);
        var next = Assert.Single(Ring.Published, k => k.KeyId != first).KeyId;
        Assert.Equal(first, Ring.Active.KeyId);

        // PublishAhead later the next key signs; the first is still published for tokens it signed.
        _clock.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(next, Ring.Active.KeyId);
        await Ring.RefreshAsync(default);
        Assert.Equal([first, next], Ring.Published.Select(k => k.KeyId));

        // Just before the last token of the first key could expire (lifetime plus margin), it is still there ...
        _clock.Advance(s_options.AccessTokenLifetime + SigningKeyRing.RetentionMargin - TimeSpan.FromSeconds(1));
        await Ring.RefreshAsync(default);
        Assert.Contains(Ring.Published, k => k.KeyId == first);

        // ... and after, it is gone from the JWKS and from the database.
        _clock.Advance(TimeSpan.FromSeconds(2));
        await Ring.RefreshAsync(default);
        Assert.Equal([next], Ring.Published.Select(k => k.KeyId));
        Assert.Equal([next], (await StoredAsync()).Select(k => k.KeyId));
    }

    [Fact]
    public async Task An_immediate_rotation_signs_at_once_and_keeps_the_replaced_key_published()
    {
        await Ring.RefreshAsync(default);
        var first = Ring.Active.KeyId;

        var next = await Ring.RotateAsync(TimeSpan.Zero, default);

        Assert.Equal(next.KeyId, Ring.Active.KeyId);
        Assert.Equal([first, next.KeyId], Ring.Published.Select(k => k.KeyId));
    }
}
