using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;
using Platform.Domain;
using Platform.Identity.Domain;
using Platform.Messaging;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Identity.Api.Data;

/// <summary>A trust of the region: a tenant, keyed by its ODS code. The directory is region-level, not tenant-owned.</summary>
public sealed class Trust
{
    public string OdsCode { get; init; } = "";
    public string Name { get; set; } = "";
    public TrustStatus Status { get; set; }
    public DateTime OnboardedAt { get; init; }
}

/// <summary>A ward of a trust with its setting type. Tenant-owned: a trust sees only its own wards.</summary>
public sealed class Ward : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public string Code { get; init; } = "";
    public string Name { get; set; } = "";
    public WardSetting Setting { get; set; }
    public int Beds { get; set; }
    public bool Closed { get; set; }
    public DateTime RegisteredAt { get; init; }
}

/// <summary>
/// What a client is for: its trust (none for a region client), kind, roles and scopes. The OpenIddict application of
/// the same client id holds how it authenticates (the hashed secret or its public keys) and its permissions.
/// </summary>
public sealed class ClientBinding
{
    public string ClientId { get; init; } = "";
    public string? OdsCode { get; init; }
    public ClientKind Kind { get; init; }
    public string DisplayName { get; set; } = "";
    /// <summary>Space-separated, as in a token's scope claim.</summary>
    public string Roles { get; set; } = "";
    public string Scopes { get; set; } = "";
    public bool UsesPrivateKeyJwt { get; set; }
    public bool AllowTokenExchange { get; set; }
    public DateTime RegisteredAt { get; init; }

    public IReadOnlyList<string> RoleList => Roles.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public IReadOnlyList<string> ScopeList => Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A trust's own identity provider, trusted for token exchange for that trust only.</summary>
public sealed class TrustedIdentityProvider
{
    public Guid Id { get; init; }
    public string OdsCode { get; init; } = "";
    public string DisplayName { get; set; } = "";
    public string Issuer { get; init; } = "";
    public string Audience { get; init; } = "";
    public string JwksUri { get; set; } = "";
    public List<IdentityProviderRoleMapping> RoleMappings { get; set; } = [];
    public DateTime RegisteredAt { get; init; }
}

public sealed class IdentityProviderRoleMapping
{
    public string ClaimType { get; set; } = "";
    public string ClaimValue { get; set; } = "";
    public string Role { get; set; } = "";
}

/// <summary>
/// One of the token service's signing keys (docs/decisions/0016): published in the JWKS from creation, used for signing
/// from <see cref="ActivatesAt"/> until the next key activates (<see cref="RetiredAt"/>), and published until the last
/// token it signed has expired (<see cref="RemoveAfter"/>). The private key is kept protected by ASP.NET Core Data Protection.
/// </summary>
public sealed class SigningKey
{
    public string KeyId { get; init; } = "";
    public string Algorithm { get; init; } = "";
    public string ProtectedPrivateKey { get; init; } = "";
    public DateTime CreatedAt { get; init; }
    public DateTime ActivatesAt { get; init; }
    public DateTime? RetiredAt { get; set; }
    public DateTime? RemoveAfter { get; set; }
}

public class IdentityDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public DbSet<Trust> Trusts => Set<Trust>();
    public DbSet<Ward> Wards => Set<Ward>();
    public DbSet<ClientBinding> Clients => Set<ClientBinding>();
    public DbSet<TrustedIdentityProvider> IdentityProviders => Set<TrustedIdentityProvider>();
    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Trust>(e =>
        {
            e.ToTable("trusts");
            e.HasKey(t => t.OdsCode);
            e.Property(t => t.OdsCode).HasMaxLength(8);
            e.Property(t => t.Name).HasMaxLength(TrustDetails.MaxName).IsRequired();
            e.Property(t => t.Status).HasConversion<string>().HasMaxLength(16);
        });
        modelBuilder.Entity<Ward>(e =>
        {
            e.ToTable("wards");
            e.HasKey(w => w.Id);
            e.Property(w => w.Code).HasMaxLength(32).IsRequired();
            e.Property(w => w.Name).HasMaxLength(WardDetails.MaxName).IsRequired();
            e.Property(w => w.Setting).HasConversion<string>().HasMaxLength(24);
            // A ward code names one ward within its trust; another trust may use the same code.
            e.HasIndex(w => new { w.TenantId, w.Code }).IsUnique();
        });
        modelBuilder.Entity<ClientBinding>(e =>
        {
            e.ToTable("clients");
            e.HasKey(c => c.ClientId);
            e.Property(c => c.ClientId).HasMaxLength(ClientRegistration.MaxClientId);
            e.Property(c => c.OdsCode).HasMaxLength(8);
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.DisplayName).HasMaxLength(200).IsRequired();
            e.Property(c => c.Roles).HasMaxLength(500).IsRequired();
            e.Property(c => c.Scopes).HasMaxLength(500).IsRequired();
            e.Ignore(c => c.RoleList);
            e.Ignore(c => c.ScopeList);
            e.HasIndex(c => c.OdsCode);
        });
        modelBuilder.Entity<TrustedIdentityProvider>(e =>
        {
            e.ToTable("identity_providers");
            e.HasKey(p => p.Id);
            e.Property(p => p.OdsCode).HasMaxLength(8).IsRequired();
            e.Property(p => p.DisplayName).HasMaxLength(200).IsRequired();
            e.Property(p => p.Issuer).HasMaxLength(500).IsRequired();
            e.Property(p => p.Audience).HasMaxLength(300).IsRequired();
            e.Property(p => p.JwksUri).HasMaxLength(1000).IsRequired();
            // An issuer speaks, for one audience, for one trust only.
            e.HasIndex(p => new { p.Issuer, p.Audience }).IsUnique();
            e.OwnsMany(p => p.RoleMappings, m =>
            {
                m.ToTable("identity_provider_role_mappings");
                m.WithOwner().HasForeignKey("identity_provider_id");
                m.Property<int>("id");
                m.HasKey("id");
                m.Property(r => r.ClaimType).HasMaxLength(200).IsRequired();
                m.Property(r => r.ClaimValue).HasMaxLength(300).IsRequired();
                m.Property(r => r.Role).HasMaxLength(64).IsRequired();
            });
        });
        modelBuilder.Entity<SigningKey>(e =>
        {
            e.ToTable("signing_keys");
            e.HasKey(k => k.KeyId);
            e.Property(k => k.KeyId).HasMaxLength(64);
            e.Property(k => k.Algorithm).HasMaxLength(16).IsRequired();
            e.Property(k => k.ProtectedPrivateKey).IsRequired();
        });
        // OpenIddict's applications, authorizations, scopes and tokens, in this service's own migrations.
        modelBuilder.UseOpenIddict();
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreApplication>().ToTable("openiddict_applications");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreAuthorization>().ToTable("openiddict_authorizations");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreScope>().ToTable("openiddict_scopes");
        modelBuilder.Entity<OpenIddictEntityFrameworkCoreToken>().ToTable("openiddict_tokens");
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
        base.OnModelCreating(modelBuilder);
    }
}

public sealed class IdentitySqliteDbContext(DbContextOptions<IdentitySqliteDbContext> options, ITenantContext tenant) : IdentityDbContext(options, tenant);

public sealed class IdentityPostgresDbContext(DbContextOptions<IdentityPostgresDbContext> options, ITenantContext tenant) : IdentityDbContext(options, tenant);
