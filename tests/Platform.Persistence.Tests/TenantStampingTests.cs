using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Platform.Domain;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;
using Xunit;

namespace Platform.Persistence.Tests;

/// <summary>
/// <see cref="PlatformDbContext"/>'s own guard, without row-level security behind it: on PostgreSQL the tests connect as
/// the table's owner (RLS does not apply to it) and on SQLite there is no RLS at all, so only the DbContext stands
/// between a trust and another trust's rows. Each test reads the table back with plain SQL, not through the filter.
/// </summary>
public class TenantStampingTests
{
    public sealed class Note : ITenantOwned
    {
        public Guid Id { get; set; }
        public string TenantId { get; set; } = "";
        public string Text { get; set; } = "";
    }

    public sealed class NotesContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
    {
        public DbSet<Note> Notes => Set<Note>();
    }

    /// <summary>One fresh database per test and a way to open a context acting for a tenant (or none).</summary>
    public sealed class Store(string provider, string connectionString)
    {
        public string Provider => provider;

        public NotesContext For(string? tenant)
        {
            var options = new DbContextOptionsBuilder<NotesContext>();
            if (provider == "sqlite") options.UseSqlite(connectionString);
            else options.UseNpgsql(connectionString);
            return new NotesContext(options.Options, new FixedTenant(tenant));
        }

        /// <summary>Every row as stored, tenant included, read past the query filter.</summary>
        public async Task<List<(Guid Id, string Tenant, string Text)>> RowsAsync()
        {
            await using var db = For(null);
            return [.. (await db.Notes.IgnoreQueryFilters().AsNoTracking().OrderBy(n => n.Text).ToListAsync()).Select(n => (n.Id, n.TenantId, n.Text))];
        }

        public static async Task<Store> CreateAsync(string provider)
        {
            Store store;
            if (provider == "sqlite")
            {
                var path = Path.Combine(Path.GetTempPath(), $"tenancy-{Guid.NewGuid():N}.db");
                store = new Store(provider, new SqliteConnectionStringBuilder { DataSource = path }.ToString());
            }
            else
            {
                var server = await PostgresServer.SharedAsync();
                store = new Store(provider, server.OwnerConnectionString(await server.CreateDatabaseAsync("tenancy")));
            }
            await using var db = store.For(null);
            await db.Database.EnsureCreatedAsync();
            return store;
        }
    }

    public static TheoryData<string> Providers => new() { "postgres", "sqlite" };

    private const string Rx3 = "RX3";
    private const string Rtq = "RTQ";

    private static async Task<Guid> SeedAsync(Store store, string tenant, string text)
    {
        await using var db = store.For(tenant);
        var note = new Note { Id = Guid.NewGuid(), Text = text };
        db.Notes.Add(note);
        await db.SaveChangesAsync();
        return note.Id;
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_new_row_without_a_tenant_is_stamped_with_the_contexts_tenant(string provider)
    {
        var store = await Store.CreateAsync(provider);
        var id = await SeedAsync(store, Rx3, "stamped");
        Assert.Equal([(id, Rx3, "stamped")], await store.RowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_new_row_of_another_trust_is_refused_and_nothing_is_written(string provider)
    {
        var store = await Store.CreateAsync(provider);
        await using (var db = store.For(Rx3))
        {
            db.Notes.Add(new Note { Id = Guid.NewGuid(), TenantId = Rtq, Text = "planted" });
            var refused = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            Assert.Equal("A row of another tenant cannot be written.", refused.Message);
        }
        Assert.Empty(await store.RowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Moving_a_row_to_another_trust_is_refused_and_the_row_keeps_its_trust(string provider)
    {
        var store = await Store.CreateAsync(provider);
        var id = await SeedAsync(store, Rx3, "mine");
        await using (var db = store.For(Rx3))
        {
            var note = await db.Notes.SingleAsync(n => n.Id == id);
            note.TenantId = Rtq;
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }
        Assert.Equal([(id, Rx3, "mine")], await store.RowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Updating_or_deleting_another_trusts_row_is_refused_and_the_row_is_unchanged(string provider)
    {
        var store = await Store.CreateAsync(provider);
        var id = await SeedAsync(store, Rtq, "theirs");
        await using (var db = store.For(Rx3))
        {
            // Attached as it would be from a stale or forged copy: the filter never saw it, so only the stamping guard can stop it.
            db.Notes.Update(new Note { Id = id, TenantId = Rtq, Text = "overwritten" });
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }
        await using (var db = store.For(Rx3))
        {
            db.Notes.Remove(new Note { Id = id, TenantId = Rtq, Text = "theirs" });
            await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
        }
        Assert.Equal([(id, Rtq, "theirs")], await store.RowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Writing_without_a_tenant_is_refused(string provider)
    {
        var store = await Store.CreateAsync(provider);
        await using (var db = store.For(null))
        {
            db.Notes.Add(new Note { Id = Guid.NewGuid(), TenantId = Rx3, Text = "nobody's" });
            var refused = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            Assert.Contains("No tenant is set", refused.Message);
        }
        Assert.Empty(await store.RowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_trust_reads_only_its_own_rows_and_no_tenant_reads_none(string provider)
    {
        var store = await Store.CreateAsync(provider);
        var mine = await SeedAsync(store, Rx3, "mine");
        var theirs = await SeedAsync(store, Rtq, "theirs");
        await using (var db = store.For(Rx3)) Assert.Equal([mine], await db.Notes.Select(n => n.Id).ToListAsync());
        await using (var db = store.For(Rtq)) Assert.Equal([theirs], await db.Notes.Select(n => n.Id).ToListAsync());
        await using (var db = store.For(null)) Assert.Empty(await db.Notes.ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task The_synchronous_save_has_the_same_guard(string provider)
    {
        var store = await Store.CreateAsync(provider);
        await using (var db = store.For(Rx3))
        {
            db.Notes.Add(new Note { Id = Guid.NewGuid(), Text = "sync" });
            db.SaveChanges();
            db.Notes.Add(new Note { Id = Guid.NewGuid(), TenantId = Rtq, Text = "planted" });
            Assert.Throws<TenantIsolationException>(() => db.SaveChanges());
        }
        Assert.Equal([Rx3], (await store.RowsAsync()).Select(r => r.Tenant));
    }
}
