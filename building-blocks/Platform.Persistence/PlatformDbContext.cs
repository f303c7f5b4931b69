using System.Linq.Expressions;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Platform.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Persistence;

/// <summary>
/// Base of every service's DbContext. Every <see cref="ITenantOwned"/> entity gets a global query filter on the
/// ambient tenant and has its tenant stamped on insert; saving a row of another tenant, or any tenant-owned row with
/// no tenant, is refused. Columns are snake_case so that the PostgreSQL schema reads naturally.
/// </summary>
/// <remarks>
/// In PostgreSQL the same rule is enforced a second time by row-level security (see
/// <see cref="TenantIsolationMigrationExtensions"/>), so a query that escapes the filter still sees nothing.
/// </remarks>
public abstract class PlatformDbContext(DbContextOptions options, ITenantContext tenant) : DbContext(options)
{
    /// <summary>The tenant this context acts for; null outside a tenant's scope (then tenant-owned rows are invisible).</summary>
    public string? CurrentTenant => tenant.TenantId;

    private static readonly ValueConverter<DateTime, DateTime> s_utc =
        new(v => v.ToUniversalTime(), v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
    private static readonly ValueConverter<DateTime?, DateTime?> s_utcNullable =
        new(v => v.HasValue ? v.Value.ToUniversalTime() : v, v => v.HasValue ? DateTime.SpecifyKind(v.Value, DateTimeKind.Utc) : v);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var entity in modelBuilder.Model.GetEntityTypes().Where(e => !e.IsOwned()))
        {
            foreach (var property in entity.GetProperties())
            {
                property.SetColumnName(ToSnakeCase(property.Name));
                // Every instant is UTC; SQLite gives back unspecified kinds, so say so on the way out.
                if (property.ClrType == typeof(DateTime)) property.SetValueConverter(s_utc);
                else if (property.ClrType == typeof(DateTime?)) property.SetValueConverter(s_utcNullable);
            }
            if (typeof(ITenantOwned).IsAssignableFrom(entity.ClrType))
            {
                entity.FindProperty(nameof(ITenantOwned.TenantId))!.SetMaxLength(8);
                typeof(PlatformDbContext).GetMethod(nameof(ApplyTenantFilter), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!
                    .MakeGenericMethod(entity.ClrType).Invoke(this, [modelBuilder]);
            }
        }
    }

    private void ApplyTenantFilter<T>(ModelBuilder modelBuilder) where T : class, ITenantOwned
    {
        // Referencing a member of the context makes EF parameterise the filter per context instance.
        Expression<Func<T, bool>> filter = e => e.TenantId == CurrentTenant;
        modelBuilder.Entity<T>().HasQueryFilter(filter);
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        StampTenant();
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        StampTenant();
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    private void StampTenant()
    {
        foreach (EntityEntry<ITenantOwned> entry in ChangeTracker.Entries<ITenantOwned>())
        {
            if (entry.State is EntityState.Unchanged or EntityState.Detached) continue;
            var current = CurrentTenant ?? throw new TenantIsolationException("No tenant is set: tenant-owned data cannot be written outside a tenant's scope.");
            if (entry.State == EntityState.Added && string.IsNullOrEmpty(entry.Entity.TenantId))
            {
                entry.Entity.TenantId = current;
            }
            else if (entry.Entity.TenantId != current || (entry.State != EntityState.Added && (string?)entry.OriginalValues[nameof(ITenantOwned.TenantId)] != current))
            {
                throw new TenantIsolationException("A row of another tenant cannot be written.");
            }
        }
    }

    internal static string ToSnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1])))) sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }
}

/// <summary>Thrown when code tries to write across tenants; a bug, never a user error.</summary>
public sealed class TenantIsolationException(string message) : InvalidOperationException(message);
