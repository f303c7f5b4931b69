using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using Platform.Domain;
using Platform.Identity.Api.Data;
using Platform.Identity.Domain;
using Platform.Messaging.Outbox;
using Platform.ServiceDefaults.Tenancy;
using IdentityEvents = Platform.Contracts.Identity.V1;
using Common = Platform.Contracts.Common.V1;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Platform.Identity.Api.Application;

public sealed record NewClient(string? ClientId, ClientKind Kind, string? DisplayName, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes, string? JwksJson, bool AllowTokenExchange);

public sealed record NewIdentityProvider(string? DisplayName, string? Issuer, string? Audience, string? JwksUri, IReadOnlyList<RoleMapping> RoleMappings);

/// <summary>A client as registered, with its secret when one was made (shown once, stored only hashed).</summary>
public sealed record RegisteredClient(ClientBinding Client, string? Secret);

public sealed record OnboardedTrust(Trust Trust, IReadOnlyList<TrustedIdentityProvider> IdentityProviders, IReadOnlyList<RegisteredClient> Clients);

public sealed record TrustView(Trust Trust, IReadOnlyList<TrustedIdentityProvider> IdentityProviders, IReadOnlyList<ClientBinding> Clients);

public sealed record RegisterWard(string? Code, string? Name, WardSetting Setting, int Beds);

public sealed record ChangeWard(string? Code, string? Name, WardSetting? Setting, int? Beds, bool? Closed);

/// <summary>
/// The region's trusts, their clients and identity providers (the region operator's), and each trust's wards (its
/// admin's). Every change of a trust or a ward is published in the same transaction, through the outbox: services learn
/// which trusts exist (and may act) and each ward's setting only from these events.
/// </summary>
public sealed class TrustDirectory(IdentityDbContext db, IOpenIddictApplicationManager applications, IEventPublisher events, CurrentActor actor,
    IOptions<IdentityOptions> options, TimeProvider clock, ILogger<TrustDirectory> logger)
{
    /// <summary>Adds a trust with its identity providers and clients, all or nothing.</summary>
    public async Task<Outcome<OnboardedTrust>> OnboardTrustAsync(string? odsCode, string? name, IReadOnlyList<NewIdentityProvider> providers,
        IReadOnlyList<NewClient> clients, CancellationToken ct)
    {
        var details = TrustDetails.Create(odsCode, name);
        if (details.IsRefused) return details.Refusal!;
        var code = details.Value.OdsCode;
        if (await db.Trusts.AnyAsync(t => t.OdsCode == code, ct)) return Refusal.Exists("trust.already-onboarded", $"Trust {code} is already in the region.");

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var trust = new Trust { OdsCode = code, Name = details.Value.Name, Status = TrustStatus.Active, OnboardedAt = clock.GetUtcNow().UtcDateTime };
        db.Trusts.Add(trust);
        events.Publish(new IdentityEvents.TrustOnboarded { OdsCode = code, Name = trust.Name, Actor = Actor() }, code, code);
        await db.SaveChangesAsync(ct);

        var addedProviders = new List<TrustedIdentityProvider>();
        foreach (var p in providers)
        {
            var added = await AddIdentityProviderAsync(code, p, ct);
            if (added.IsRefused) return added.Refusal!;
            addedProviders.Add(added.Value);
        }
        var addedClients = new List<RegisteredClient>();
        foreach (var c in clients)
        {
            var added = await AddClientAsync(code, c, ct);
            if (added.IsRefused) return added.Refusal!;
            addedClients.Add(added.Value);
        }
        await transaction.CommitAsync(ct);
        logger.LogInformation("Onboarded trust {OdsCode} with {Providers} identity providers and {Clients} clients", code, addedProviders.Count, addedClients.Count);
        return new OnboardedTrust(trust, addedProviders, addedClients);
    }

    /// <summary>Renames, suspends or reinstates a trust (null keeps a field).</summary>
    public async Task<Outcome<Trust>> ChangeTrustAsync(string? odsCode, string? name, TrustStatus? status, CancellationToken ct)
    {
        var code = DirectoryCodes.Normalise(odsCode);
        if (DirectoryCodes.OdsCode(code) is { } badCode) return badCode;
        if (name is not null && Validation.RequiredText("name", name, TrustDetails.MaxName) is { } badName) return badName;
        if (status is { } s && Validation.Defined("status", s) is { } badStatus) return badStatus;
        var trust = await db.Trusts.SingleOrDefaultAsync(t => t.OdsCode == code, ct);
        if (trust is null) return UnknownTrust(code!);
        trust.Name = name?.Trim() ?? trust.Name;
        trust.Status = status ?? trust.Status;
        events.Publish(new IdentityEvents.TrustChanged { OdsCode = trust.OdsCode, Name = trust.Name, Status = (IdentityEvents.TrustStatus)trust.Status, Actor = Actor() }, trust.OdsCode, trust.OdsCode);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Trust {OdsCode} changed: status {Status}", trust.OdsCode, trust.Status);
        return trust;
    }

    public async Task<IReadOnlyList<Trust>> ListTrustsAsync(CancellationToken ct) =>
        await db.Trusts.AsNoTracking().OrderBy(t => t.OdsCode).ToListAsync(ct);

    public async Task<Outcome<TrustView>> GetTrustAsync(string? odsCode, CancellationToken ct)
    {
        var code = DirectoryCodes.Normalise(odsCode);
        if (DirectoryCodes.OdsCode(code) is { } badCode) return badCode;
        var trust = await db.Trusts.AsNoTracking().SingleOrDefaultAsync(t => t.OdsCode == code, ct);
        if (trust is null) return UnknownTrust(code!);
        var providers = await db.IdentityProviders.AsNoTracking().Where(p => p.OdsCode == code).OrderBy(p => p.Issuer).ToListAsync(ct);
        var clients = await db.Clients.AsNoTracking().Where(c => c.OdsCode == code).OrderBy(c => c.ClientId).ToListAsync(ct);
        return new TrustView(trust, providers, clients);
    }

    /// <summary>Adds a client to a trust, or a region client when <paramref name="odsCode"/> is empty.</summary>
    public async Task<Outcome<RegisteredClient>> RegisterClientAsync(string? odsCode, NewClient client, CancellationToken ct)
    {
        string? code = null;
        if (!string.IsNullOrWhiteSpace(odsCode))
        {
            code = DirectoryCodes.Normalise(odsCode);
            if (DirectoryCodes.OdsCode(code) is { } badCode) return badCode;
            if (!await db.Trusts.AnyAsync(t => t.OdsCode == code, ct)) return UnknownTrust(code!);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var added = await AddClientAsync(code, client, ct);
        if (added.IsRefused) return added.Refusal!;
        await transaction.CommitAsync(ct);
        return added;
    }

    /// <summary>A new secret for a secret-holding client; the old one stops working at once.</summary>
    public async Task<Outcome<RegisteredClient>> ResetClientSecretAsync(string? clientId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(clientId)) return ClientIdRequired();
        var binding = await db.Clients.AsNoTracking().SingleOrDefaultAsync(c => c.ClientId == clientId, ct);
        var application = clientId is null ? null : await applications.FindByClientIdAsync(clientId, ct);
        if (binding is null || application is null) return Refusal.NotFound("client.not-found", $"No client '{clientId}'.");
        if (binding.UsesPrivateKeyJwt) return Refusal.Precondition("client.uses-keys", "This client authenticates with its own keys (private_key_jwt) and has no secret.");
        var secret = NewSecret();
        await applications.UpdateAsync(application, secret, ct);
        logger.LogInformation("Secret of client {ClientId} reset", binding.ClientId);
        return new RegisteredClient(binding, secret);
    }

    public async Task<Outcome<bool>> RemoveClientAsync(string? clientId, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(clientId)) return ClientIdRequired();
        var binding = await db.Clients.SingleOrDefaultAsync(c => c.ClientId == clientId, ct);
        var application = clientId is null ? null : await applications.FindByClientIdAsync(clientId, ct);
        if (binding is null || application is null) return Refusal.NotFound("client.not-found", $"No client '{clientId}'.");
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.Clients.Remove(binding);
        await db.SaveChangesAsync(ct);
        await applications.DeleteAsync(application, ct);
        await transaction.CommitAsync(ct);
        logger.LogInformation("Client {ClientId} removed", binding.ClientId);
        return true;
    }

    public async Task<Outcome<TrustedIdentityProvider>> RegisterIdentityProviderAsync(string? odsCode, NewIdentityProvider provider, CancellationToken ct)
    {
        var code = DirectoryCodes.Normalise(odsCode);
        if (DirectoryCodes.OdsCode(code) is { } badCode) return badCode;
        if (!await db.Trusts.AnyAsync(t => t.OdsCode == code, ct)) return UnknownTrust(code!);
        return await AddIdentityProviderAsync(code!, provider, ct);
    }

    public async Task<Outcome<bool>> RemoveIdentityProviderAsync(string? id, CancellationToken ct)
    {
        if (!Validation.TryParseId(id, out var providerId)) return Refusal.Invalid("identity-provider-id.format", "Identity provider id must be a UUID.");
        var removed = await db.IdentityProviders.Where(p => p.Id == providerId).ExecuteDeleteAsync(ct);
        if (removed == 0) return Refusal.NotFound("identity-provider.not-found", "No such identity provider.");
        logger.LogInformation("Identity provider {ProviderId} removed", providerId);
        return true;
    }

    /// <summary>Adds a ward to the caller's own trust.</summary>
    public async Task<Outcome<Ward>> RegisterWardAsync(RegisterWard command, CancellationToken ct)
    {
        if (await CallersTrustAsync(ct) is { } notActive) return notActive;
        var details = WardDetails.Create(command.Code, command.Name, command.Setting, command.Beds);
        if (details.IsRefused) return details.Refusal!;
        var d = details.Value;
        if (await db.Wards.AnyAsync(w => w.Code == d.Code, ct)) return Refusal.Exists("ward.already-registered", $"Ward {d.Code} is already registered in your trust.");
        var ward = new Ward { Id = Guid.CreateVersion7(), Code = d.Code, Name = d.Name, Setting = d.Setting, Beds = d.Beds, RegisteredAt = clock.GetUtcNow().UtcDateTime };
        db.Wards.Add(ward);
        var tenant = db.CurrentTenant!;
        events.Publish(new IdentityEvents.WardRegistered
        {
            WardCode = ward.Code, Name = ward.Name, Setting = (Common.WardSetting)ward.Setting, SettingCode = WardSettings.Code(ward.Setting), Beds = ward.Beds, Actor = Actor(),
        }, tenant, $"{tenant}/{ward.Code}");
        await db.SaveChangesAsync(ct);
        return ward;
    }

    /// <summary>Changes a ward of the caller's own trust; another trust's ward is, to the caller, one that does not exist.</summary>
    public async Task<Outcome<Ward>> ChangeWardAsync(ChangeWard command, CancellationToken ct)
    {
        if (await CallersTrustAsync(ct) is { } notActive) return notActive;
        var code = DirectoryCodes.Normalise(command.Code);
        if (Validation.Code("ward-code", code) is { } badCode) return badCode;
        var ward = await db.Wards.SingleOrDefaultAsync(w => w.Code == code, ct);
        if (ward is null) return Refusal.NotFound("ward.not-found", $"No ward {code} in your trust.");
        var changed = new WardDetails(ward.Code, ward.Name, ward.Setting, ward.Beds, ward.Closed).Change(command.Name, command.Setting, command.Beds, command.Closed);
        if (changed.IsRefused) return changed.Refusal!;
        (ward.Name, ward.Setting, ward.Beds, ward.Closed) = (changed.Value.Name, changed.Value.Setting, changed.Value.Beds, changed.Value.Closed);
        var tenant = db.CurrentTenant!;
        events.Publish(new IdentityEvents.WardChanged
        {
            WardCode = ward.Code, Name = ward.Name, Setting = (Common.WardSetting)ward.Setting, SettingCode = WardSettings.Code(ward.Setting),
            Beds = ward.Beds, Closed = ward.Closed, Actor = Actor(),
        }, tenant, $"{tenant}/{ward.Code}");
        await db.SaveChangesAsync(ct);
        return ward;
    }

    public async Task<IReadOnlyList<Ward>> ListWardsAsync(CancellationToken ct) =>
        await db.Wards.AsNoTracking().OrderBy(w => w.Code).ToListAsync(ct);

    private async Task<Refusal?> CallersTrustAsync(CancellationToken ct)
    {
        var tenant = db.CurrentTenant;
        var trust = tenant is null ? null : await db.Trusts.AsNoTracking().SingleOrDefaultAsync(t => t.OdsCode == tenant, ct);
        if (trust is null) return Refusal.Precondition("trust.not-onboarded", "Your trust is not onboarded in this region; ask the region operator to onboard it.");
        if (trust.Status != TrustStatus.Active) return Refusal.Precondition("trust.suspended", "Your trust is suspended in this region.");
        return null;
    }

    private async Task<Outcome<TrustedIdentityProvider>> AddIdentityProviderAsync(string code, NewIdentityProvider p, CancellationToken ct)
    {
        var registration = IdentityProviderRegistration.Create(code, p.DisplayName, p.Issuer, p.Audience, p.JwksUri, p.RoleMappings, options.Value.Federation.AllowHttpJwks);
        if (registration.IsRefused) return registration.Refusal!;
        var r = registration.Value;
        var holder = await db.IdentityProviders.AsNoTracking().Where(x => x.Issuer == r.Issuer && x.Audience == r.Audience).Select(x => x.OdsCode).FirstOrDefaultAsync(ct);
        if (holder is not null)
        {
            return holder == code
                ? Refusal.Exists("identity-provider.already-registered", "This issuer and audience are already registered for this trust.")
                : Refusal.Precondition("identity-provider.other-trust", "This issuer and audience are registered for another trust; an issuer can speak for one trust only. Ask the trust's provider for an audience of its own.");
        }
        var row = new TrustedIdentityProvider
        {
            Id = Guid.CreateVersion7(), OdsCode = code, DisplayName = r.DisplayName, Issuer = r.Issuer, Audience = r.Audience, JwksUri = r.JwksUri.AbsoluteUri,
            RoleMappings = r.RoleMappings.Select(m => new IdentityProviderRoleMapping { ClaimType = m.ClaimType, ClaimValue = m.ClaimValue, Role = m.Role }).ToList(),
            RegisteredAt = clock.GetUtcNow().UtcDateTime,
        };
        db.IdentityProviders.Add(row);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Identity provider {ProviderId} ({Issuer}) trusted for {OdsCode}", row.Id, row.Issuer, code);
        return row;
    }

    // Called inside the caller's transaction: OpenIddict's store saves the application through the same context.
    private async Task<Outcome<RegisteredClient>> AddClientAsync(string? code, NewClient c, CancellationToken ct)
    {
        var registration = ClientRegistration.Create(c.ClientId, code, c.Kind, c.DisplayName, c.Roles, c.Scopes, c.JwksJson, c.AllowTokenExchange,
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3)));
        if (registration.IsRefused) return registration.Refusal!;
        var r = registration.Value;
        JsonWebKeySet? keys = null;
        if (r.JwksJson is not null)
        {
            try
            {
                keys = JsonWebKeySet.Create(r.JwksJson);
            }
            catch (ArgumentException)
            {
                return Refusal.Invalid("jwks-json.format", "The client's keys must be a JSON Web Key Set ({\"keys\":[...]}).");
            }
            if (keys.Keys.Count == 0) return Refusal.Invalid("jwks-json.empty", "The client's key set has no keys.");
            if (keys.Keys.Any(k => !string.IsNullOrEmpty(k.D) || !string.IsNullOrEmpty(k.K))) return Refusal.Invalid("jwks-json.private-key", "The client's key set holds a private key: send only the public keys, and keep the private key on the client.");
        }
        if (await db.Clients.AnyAsync(x => x.ClientId == r.ClientId, ct) || await applications.FindByClientIdAsync(r.ClientId, ct) is not null)
            return Refusal.Exists("client.already-registered", $"Client '{r.ClientId}' is already registered.");

        var secret = keys is null ? NewSecret() : null;
        var descriptor = new OpenIddictApplicationDescriptor
        {
            ClientId = r.ClientId,
            ClientSecret = secret,
            ClientType = ClientTypes.Confidential,
            DisplayName = r.DisplayName,
            JsonWebKeySet = keys,
            Permissions = { Permissions.Endpoints.Token, Permissions.GrantTypes.ClientCredentials },
        };
        if (r.AllowTokenExchange) descriptor.Permissions.Add(Permissions.GrantTypes.TokenExchange);
        foreach (var scope in r.Scopes) descriptor.Permissions.Add(Permissions.Prefixes.Scope + scope);
        await applications.CreateAsync(descriptor, ct);

        var binding = new ClientBinding
        {
            ClientId = r.ClientId, OdsCode = code, Kind = r.Kind, DisplayName = r.DisplayName, Roles = string.Join(' ', r.Roles), Scopes = string.Join(' ', r.Scopes),
            UsesPrivateKeyJwt = keys is not null, AllowTokenExchange = r.AllowTokenExchange, RegisteredAt = clock.GetUtcNow().UtcDateTime,
        };
        db.Clients.Add(binding);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Client {ClientId} ({Kind}) registered for {OdsCode} with roles {Roles}", binding.ClientId, binding.Kind, code ?? "the region", binding.Roles);
        return new RegisteredClient(binding, secret);
    }

    private Common.Actor Actor()
    {
        var who = actor.Get();
        return new Common.Actor { Subject = who.Subject, Role = who.Role };
    }

    private static Refusal ClientIdRequired() => Refusal.Invalid("client-id.required", "Name the client by its client id.");

    private static Refusal UnknownTrust(string code) => Refusal.NotFound("trust.not-found", $"Trust {code} is not in the region.");

    /// <summary>A client secret: 256 random bits, base64url.</summary>
    internal static string NewSecret() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
}
