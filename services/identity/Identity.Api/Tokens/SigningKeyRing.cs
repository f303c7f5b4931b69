using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using Platform.Identity.Api.Data;

namespace Platform.Identity.Api.Tokens;

/// <summary>
/// The token service's signing keys, kept in the service's own database (private keys protected by Data Protection),
/// with rotation and overlap (docs/decisions/0016):
/// <list type="bullet">
/// <item>a new key is published in the JWKS <see cref="SigningKeyOptions.PublishAhead"/> before it signs anything;</item>
/// <item>the newest key whose activation has come signs every token;</item>
/// <item>a key stops signing when the next one activates, and stays published for the lifetime of the last token it
/// signed (plus a margin), so no token in flight is ever left without its key;</item>
/// <item>when the active key is <see cref="SigningKeyOptions.RotateAfter"/> old, the next is made.</item>
/// </list>
/// Every replica rereads the keys every <see cref="SigningKeyOptions.RefreshInterval"/>, so one replica's rotation
/// reaches the others; OpenIddict's options are rebuilt whenever the published set changes.
/// </summary>
public sealed class SigningKeyRing(IServiceScopeFactory scopes, IDataProtectionProvider protection, IOptions<IdentityOptions> options,
    TimeProvider clock, ILogger<SigningKeyRing> logger) : IOptionsChangeTokenSource<OpenIddictServerOptions>
{
    public const string Algorithm = SecurityAlgorithms.RsaSha256;

    /// <summary>What a retired key is kept published for beyond the token lifetime: clock differences and slow callers.</summary>
    public static readonly TimeSpan RetentionMargin = TimeSpan.FromMinutes(5);

    private readonly IDataProtector _protector = protection.CreateProtector("Platform.Identity.SigningKeys.v1");
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile IReadOnlyList<LoadedKey> _keys = [];
    private CancellationTokenSource _changed = new();

    /// <summary>A key as the ring holds it: when it signs and until when it is published.</summary>
    public sealed record LoadedKey(string KeyId, DateTimeOffset ActivatesAt, DateTimeOffset? RetiredAt, DateTimeOffset? RemoveAfter, SigningCredentials Credentials);

    string IOptionsChangeTokenSource<OpenIddictServerOptions>.Name => Options.DefaultName;

    IChangeToken IOptionsChangeTokenSource<OpenIddictServerOptions>.GetChangeToken() => new CancellationChangeToken(Volatile.Read(ref _changed).Token);

    private TimeSpan Retention => options.Value.AccessTokenLifetime + RetentionMargin;

    /// <summary>Whether the keys have been read at least once.</summary>
    public bool IsLoaded => _keys.Count > 0;

    /// <summary>The key that signs tokens now.</summary>
    public LoadedKey Active
    {
        get
        {
            var now = clock.GetUtcNow();
            return _keys.LastOrDefault(k => k.ActivatesAt <= now) ?? throw new InvalidOperationException("No signing key is active: the key ring has not been loaded.");
        }
    }

    /// <summary>The keys the JWKS publishes now: the active one, the next (if made), and the retired ones whose tokens may still live.</summary>
    public IReadOnlyList<LoadedKey> Published
    {
        get
        {
            var now = clock.GetUtcNow();
            return _keys.Where(k => k.RemoveAfter is null || k.RemoveAfter > now).ToList();
        }
    }

    /// <summary>Reads the keys, making the first one or the next one when due, and deletes keys no token can need any more.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            var now = clock.GetUtcNow();
            var rows = await db.SigningKeys.AsNoTracking().OrderBy(k => k.ActivatesAt).ToListAsync(ct);
            if (rows.Count == 0)
            {
                rows.Add(await CreateAsync(db, now, ct));
            }
            else if (rows[^1].ActivatesAt <= now.UtcDateTime && rows[^1].ActivatesAt + options.Value.SigningKeys.RotateAfter <= now.UtcDateTime + options.Value.SigningKeys.PublishAhead)
            {
                // The active key is due for rotation: publish the next now; it signs once PublishAhead has passed.
                rows.Add(await CreateAsync(db, now + options.Value.SigningKeys.PublishAhead, ct));
            }
            var keys = Load(rows);
            var expired = keys.Where(k => k.RemoveAfter is { } until && until <= now).Select(k => k.KeyId).ToList();
            if (expired.Count > 0)
            {
                await db.SigningKeys.Where(k => expired.Contains(k.KeyId)).ExecuteDeleteAsync(ct);
                logger.LogInformation("Removed {Count} signing keys whose tokens have all expired: {KeyIds}", expired.Count, expired);
                keys = keys.Where(k => !expired.Contains(k.KeyId)).ToList();
            }
            Swap(keys);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Makes a new signing key now (an operator's rotation, or after a suspected compromise with <paramref name="activateIn"/>
    /// zero): it is published at once and signs after <paramref name="activateIn"/> (default <see cref="SigningKeyOptions.PublishAhead"/>).
    /// The key it replaces stays published while its tokens live.
    /// </summary>
    public async Task<LoadedKey> RotateAsync(TimeSpan? activateIn, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        string keyId;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<IdentityDbContext>();
            keyId = (await CreateAsync(db, clock.GetUtcNow() + (activateIn ?? options.Value.SigningKeys.PublishAhead), ct)).KeyId;
        }
        finally
        {
            _gate.Release();
        }
        await RefreshAsync(ct);
        return _keys.Single(k => k.KeyId == keyId);
    }

    private async Task<SigningKey> CreateAsync(IdentityDbContext db, DateTimeOffset activatesAt, CancellationToken ct)
    {
        using var rsa = RSA.Create(2048);
        var row = new SigningKey
        {
            KeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            Algorithm = Algorithm,
            ProtectedPrivateKey = _protector.Protect(rsa.ExportPkcs8PrivateKeyPem()),
            CreatedAt = clock.GetUtcNow().UtcDateTime,
            ActivatesAt = activatesAt.UtcDateTime,
        };
        db.SigningKeys.Add(row);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Made signing key {KeyId}; it signs from {ActivatesAt:o}", row.KeyId, row.ActivatesAt);
        return row;
    }

    // A key retires when the next one activates and is published until the last token it signed has expired.
    private List<LoadedKey> Load(List<SigningKey> rows)
    {
        var keys = new List<LoadedKey>(rows.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            DateTimeOffset? retired = i + 1 < rows.Count ? new DateTimeOffset(rows[i + 1].ActivatesAt, TimeSpan.Zero) : null;
            var existing = _keys.FirstOrDefault(k => k.KeyId == rows[i].KeyId);
            var credentials = existing?.Credentials ?? Credentials(rows[i]);
            keys.Add(new LoadedKey(rows[i].KeyId, new DateTimeOffset(rows[i].ActivatesAt, TimeSpan.Zero), retired, retired + Retention, credentials));
        }
        return keys;
    }

    private SigningCredentials Credentials(SigningKey row)
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(_protector.Unprotect(row.ProtectedPrivateKey));
        return new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = row.KeyId }, row.Algorithm);
    }

    private void Swap(List<LoadedKey> keys)
    {
        var before = _keys;
        _keys = keys;
        if (before.Select(k => k.KeyId).SequenceEqual(keys.Select(k => k.KeyId))) return;
        // OpenIddict reads its options (and so the published keys) afresh from here on.
        var previous = Interlocked.Exchange(ref _changed, new CancellationTokenSource());
        previous.Cancel();
        previous.Dispose();
    }
}

/// <summary>Loads the keys before the server takes requests, then rereads (and rotates) them on a timer.</summary>
internal sealed class SigningKeyMaintenance(SigningKeyRing ring, IOptions<IdentityOptions> options, TimeProvider clock, ILogger<SigningKeyMaintenance> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ring.RefreshAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SigningKeys.RefreshInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await ring.RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The keys held so far keep signing and stay published; the next tick tries again.
                logger.LogWarning(e, "Could not reread the signing keys");
            }
        }
    }
}

/// <summary>Puts the ring's published keys into OpenIddict's options: what the JWKS endpoint serves.</summary>
internal sealed class PublishSigningKeys(SigningKeyRing ring) : IConfigureOptions<OpenIddictServerOptions>
{
    public void Configure(OpenIddictServerOptions options)
    {
        if (!ring.IsLoaded) ring.RefreshAsync(CancellationToken.None).GetAwaiter().GetResult();
        options.SigningCredentials.AddRange(ring.Published.Select(k => k.Credentials));
    }
}

/// <summary>Signs every token with the ring's active key (OpenIddict would take the first of its sorted keys).</summary>
internal sealed class SignWithActiveKey(SigningKeyRing ring) : IOpenIddictServerHandler<OpenIddictServerEvents.GenerateTokenContext>
{
    public static OpenIddictServerHandlerDescriptor Descriptor { get; } = OpenIddictServerHandlerDescriptor.CreateBuilder<OpenIddictServerEvents.GenerateTokenContext>()
        .UseSingletonHandler<SignWithActiveKey>()
        .SetOrder(OpenIddictServerHandlers.Protection.AttachSecurityCredentials.Descriptor.Order + 1)
        .SetType(OpenIddictServerHandlerType.Custom)
        .Build();

    public ValueTask HandleAsync(OpenIddictServerEvents.GenerateTokenContext context)
    {
        context.SigningCredentials = ring.Active.Credentials;
        return ValueTask.CompletedTask;
    }
}
