using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
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
        public DateTime Written { get; set; }
        public DateTime? Reviewed { get; set; }
    }

    /// <summary>A table no trust owns (reference data every trust reads).</summary>
    public sealed class Ward
    {
        public Guid Id { get; set; }
        public string Name { get; set; } = "";
    }

    public sealed class NotesContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
    {
        public DbSet<Note> Notes => Set<Note>();
        public DbSet<Ward> Wards => Set<Ward>();
    }

    /// <summary>
    /// Builds the model afresh for every context instead of once per context type and process: each test then checks the
    /// model <see cref="PlatformDbContext"/> builds now, not one an earlier test in the same process had cached (which also
    /// lets a mutation run see a change to <c>OnModelCreating</c>; docs/quality/mutation.md).
    /// </summary>
    private sealed class ModelPerContext : IModelCacheKeyFactory
    {
        public object Create(DbContext context, bool designTime) => new object();
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
            options.ReplaceService<IModelCacheKeyFactory, ModelPerContext>();
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
        var note = new Note { Id = Guid.NewGuid(), Text = text, Written = DateTime.UtcNow };
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
    public async Task A_trust_updates_and_deletes_its_own_rows(string provider)
    {
        var store = await Store.CreateAsync(provider);
        var kept = await SeedAsync(store, Rx3, "draft");
        var removed = await SeedAsync(store, Rx3, "to remove");
        await using (var db = store.For(Rx3))
        {
            (await db.Notes.SingleAsync(n => n.Id == kept)).Text = "final";
            db.Notes.Remove(await db.Notes.SingleAsync(n => n.Id == removed));
            await db.SaveChangesAsync();
        }
        Assert.Equal([(kept, Rx3, "final")], await store.RowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Claiming_another_trusts_row_by_restamping_it_is_refused_and_the_row_keeps_its_trust(string provider)
    {
        var store = await Store.CreateAsync(provider);
        var id = await SeedAsync(store, Rtq, "theirs");
        await using (var db = store.For(Rx3))
        {
            // A copy of their row, attached as unchanged, then given this trust's code: the row now looks like ours, only
            // the value it was read with says whose it is.
            var copy = new Note { Id = id, TenantId = Rtq, Text = "theirs" };
            db.Notes.Attach(copy);
            copy.TenantId = Rx3;
            copy.Text = "claimed";
            var refused = await Assert.ThrowsAsync<TenantIsolationException>(() => db.SaveChangesAsync());
            Assert.Equal("A row of another tenant cannot be written.", refused.Message);
        }
        Assert.Equal([(id, Rtq, "theirs")], await store.RowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Another_trusts_row_that_is_only_read_does_not_stop_a_save(string provider)
    {
        // Read past the filter (as a cross-trust report may) and left unchanged: nothing of theirs is written, so the
        // guard has nothing to refuse.
        var store = await Store.CreateAsync(provider);
        var theirs = await SeedAsync(store, Rtq, "theirs");
        Guid mine;
        await using (var db = store.For(Rx3))
        {
            Assert.Equal("theirs", (await db.Notes.IgnoreQueryFilters().SingleAsync(n => n.Id == theirs)).Text);
            db.Notes.Add(new Note { Id = mine = Guid.NewGuid(), Text = "mine" });
            await db.SaveChangesAsync();
        }
        Assert.Equal([(mine, Rx3, "mine"), (theirs, Rtq, "theirs")], await store.RowsAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_table_no_trust_owns_is_written_without_a_tenant_and_read_by_every_trust(string provider)
    {
        var store = await Store.CreateAsync(provider);
        await using (var db = store.For(null))
        {
            db.Wards.Add(new Ward { Id = Guid.NewGuid(), Name = "Willow" });
            await db.SaveChangesAsync();
        }
        await using (var db = store.For(Rx3)) Assert.Equal(["Willow"], await db.Wards.Select(w => w.Name).ToListAsync());
        await using (var db = store.For(Rtq)) Assert.Equal(["Willow"], await db.Wards.Select(w => w.Name).ToListAsync());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Columns_are_snake_case_and_the_tenant_column_holds_at_most_an_ods_code(string provider)
    {
        // The migrations and the row-level security policies name tenant_id; a model with other names would not match them.
        var store = await Store.CreateAsync(provider);
        await SeedAsync(store, Rx3, "named");
        await using var db = store.For(Rx3);
        await db.Database.OpenConnectionAsync();
        await using var query = db.Database.GetDbConnection().CreateCommand();
        query.CommandText = "SELECT tenant_id FROM notes";
        Assert.Equal(Rx3, await query.ExecuteScalarAsync());
        Assert.Equal(8, db.Model.FindEntityType(typeof(Note))!.FindProperty(nameof(Note.TenantId))!.GetMaxLength());
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Instants_are_stored_as_utc_and_read_back_as_utc(string provider)
    {
        var store = await Store.CreateAsync(provider);
        var written = new DateTime(2026, 12, 3, 9, 30, 0, DateTimeKind.Utc);
        Guid dated, undated;
        await using (var db = store.For(Rx3))
        {
            // An instant of unspecified kind (as a parser may give) is taken as local time and stored as UTC; Npgsql
            // refuses to write one unconverted to a timestamptz column.
            var reviewed = DateTime.SpecifyKind(written.ToLocalTime().AddDays(7), DateTimeKind.Unspecified);
            var withDates = new Note { Id = dated = Guid.NewGuid(), Text = "dated", Written = written, Reviewed = reviewed };
            var withoutReview = new Note { Id = undated = Guid.NewGuid(), Text = "undated", Written = written, Reviewed = null };
            db.Notes.AddRange(withDates, withoutReview);
            await db.SaveChangesAsync();
        }
        await using (var db = store.For(Rx3))
        {
            var notes = await db.Notes.AsNoTracking().ToDictionaryAsync(n => n.Id);
            Assert.Equal((written, DateTimeKind.Utc), (notes[dated].Written, notes[dated].Written.Kind));
            Assert.Equal((written.AddDays(7), DateTimeKind.Utc), (notes[dated].Reviewed, notes[dated].Reviewed!.Value.Kind));
            Assert.Null(notes[undated].Reviewed);
        }
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
