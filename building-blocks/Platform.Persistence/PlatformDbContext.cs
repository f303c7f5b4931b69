using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using Platform.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Persistence;

/// <summary>
/// Base of every service's DbContext. Every <see cref="ITenantOwned"/> entity gets a global query filter on the
/// ambient tenant and has its tenant stamped on insert; saving a row of another tenant, or any tenant-owned row with
/// no tenant, is refused. Columns, keys and indexes are snake_case (EFCore.NamingConventions) so that the PostgreSQL
/// schema reads naturally.
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

    protected override void OnConfiguring(DbContextOptionsBuilder optionsBuilder)
    {
        // Here rather than where the options are built, so every context (the app's, the design-time tool's, a test's
        // own) has the same model, and the migrations the tool generates match what the app runs.
        optionsBuilder.UseSnakeCaseNamingConvention();
        base.OnConfiguring(optionsBuilder);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        foreach (var entity in modelBuilder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                // Every instant is UTC; SQLite gives back unspecified kinds, so say so on the way out.
                if (property.ClrType == typeof(DateTime)) property.SetValueConverter(s_utc);
                else if (property.ClrType == typeof(DateTime?)) property.SetValueConverter(s_utcNullable);
            }
            if (!entity.IsOwned() && typeof(ITenantOwned).IsAssignableFrom(entity.ClrType))
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
}

/// <summary>Thrown when code tries to write across tenants; a bug, never a user error.</summary>
public sealed class TenantIsolationException(string message) : InvalidOperationException(message);
