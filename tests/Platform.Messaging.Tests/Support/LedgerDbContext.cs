using Microsoft.EntityFrameworkCore;
using Platform.Messaging;

namespace Platform.Messaging.Tests.Support;

public sealed class Account
{
    public string Id { get; set; } = "";
    public string Tenant { get; set; } = "";
    public long Balance { get; set; }
    public int Credits { get; set; }
    public int LastSeq { get; set; }
    public int OutOfOrder { get; set; }

    /// <summary>Optimistic concurrency: two deliveries updating one account at once must not lose an update.</summary>
    public int Version { get; set; }
}

public sealed class Note
{
    public Guid Id { get; set; }
    public string AccountId { get; set; } = "";
    public string Tenant { get; set; } = "";
    public string Text { get; set; } = "";
}

/// <summary>The test services' own DbContext: their state plus the messaging tables, the way a service adopts the block.</summary>
public sealed class LedgerDbContext(DbContextOptions<LedgerDbContext> options) : DbContext(options)
{
    public DbSet<Account> Accounts => Set<Account>();
    public DbSet<Note> Notes => Set<Note>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Account>(e =>
        {
            e.ToTable("accounts");
            e.HasKey(a => a.Id);
            e.Property(a => a.Version).IsConcurrencyToken();
        });
        modelBuilder.Entity<Note>(e =>
        {
            e.ToTable("notes");
            e.HasKey(n => n.Id);
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
    }
}
