using Microsoft.EntityFrameworkCore;
using Platform.Messaging.Inbox;
using Platform.Messaging.Outbox;

namespace Platform.Messaging;

/// <summary>
/// Adds the messaging tables to a service's own model, so they land in that service's own migrations. Column types are
/// provider-neutral (PostgreSQL and SQLite): Guid, strings, 64-bit integers and UTC DateTime; no identity columns.
/// </summary>
public static class ModelBuilderExtensions
{
    /// <summary>Adds <c>outbox_messages</c> and <c>outbox_leases</c>. Call from <c>OnModelCreating</c>.</summary>
    public static ModelBuilder AddOutbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(m => m.Sequence).HasColumnName("sequence");
            e.Property(m => m.Topic).HasColumnName("topic").HasMaxLength(200);
            e.Property(m => m.Type).HasColumnName("type").HasMaxLength(200);
            e.Property(m => m.Subject).HasColumnName("subject").HasMaxLength(200);
            e.Property(m => m.Tenant).HasColumnName("tenant").HasMaxLength(64);
            e.Property(m => m.Payload).HasColumnName("payload");
            e.Property(m => m.CreatedAt).HasColumnName("created_at");
            e.Property(m => m.DueAt).HasColumnName("due_at");
            e.Property(m => m.Attempts).HasColumnName("attempts");
            e.Property(m => m.RefusedAttempts).HasColumnName("refused_attempts");
            e.Property(m => m.LastError).HasColumnName("last_error").HasMaxLength(2000);
            e.Property(m => m.SentAt).HasColumnName("sent_at");
            // Both indexes cover only pending rows ("sent_at IS NULL" is valid SQL on PostgreSQL and SQLite), so they
            // stay small however many sent rows are kept.
            e.HasIndex(m => m.Sequence).HasDatabaseName("ix_outbox_messages_pending").HasFilter("sent_at IS NULL");
            e.HasIndex(m => new { m.Subject, m.Sequence }).HasDatabaseName("ix_outbox_messages_pending_subject").HasFilter("sent_at IS NULL");
        });
        modelBuilder.Entity<OutboxLease>(e =>
        {
            e.ToTable("outbox_leases");
            e.HasKey(l => l.Name);
            e.Property(l => l.Name).HasColumnName("name").HasMaxLength(64);
            e.Property(l => l.Owner).HasColumnName("owner").HasMaxLength(200);
            e.Property(l => l.Until).HasColumnName("until");
            e.HasData(new OutboxLease { Name = OutboxLease.RelayLease, Owner = null, Until = new DateTime(2000, 1, 1, 0, 0, 0, DateTimeKind.Utc) });
        });
        return modelBuilder;
    }

    /// <summary>Adds <c>inbox_messages</c> and <c>dead_letters</c>. Call from <c>OnModelCreating</c>.</summary>
    public static ModelBuilder AddInbox(this ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            // CloudEvents: source + id identify an event; a duplicate insert fails on this key.
            e.HasKey(m => new { m.Source, m.EventId });
            e.Property(m => m.Source).HasColumnName("source").HasMaxLength(200);
            e.Property(m => m.EventId).HasColumnName("event_id").HasMaxLength(200);
            e.Property(m => m.Type).HasColumnName("type").HasMaxLength(200);
            e.Property(m => m.Tenant).HasColumnName("tenant").HasMaxLength(64);
            e.Property(m => m.HandledAt).HasColumnName("handled_at");
        });
        modelBuilder.Entity<DeadLetter>(e =>
        {
            e.ToTable("dead_letters");
            e.HasKey(m => m.Id);
            e.Property(m => m.Id).HasColumnName("id").ValueGeneratedNever();
            e.Property(m => m.EventId).HasColumnName("event_id").HasMaxLength(200);
            e.Property(m => m.Source).HasColumnName("source").HasMaxLength(200);
            e.Property(m => m.Type).HasColumnName("type").HasMaxLength(200);
            e.Property(m => m.Topic).HasColumnName("topic").HasMaxLength(200);
            e.Property(m => m.Tenant).HasColumnName("tenant").HasMaxLength(64);
            e.Property(m => m.Subject).HasColumnName("subject").HasMaxLength(200);
            e.Property(m => m.Payload).HasColumnName("payload");
            e.Property(m => m.Reason).HasColumnName("reason").HasMaxLength(2000);
            e.Property(m => m.ReceivedAt).HasColumnName("received_at");
            e.Property(m => m.ReplayedAt).HasColumnName("replayed_at");
            e.Property(m => m.ReplayedBy).HasColumnName("replayed_by").HasMaxLength(200);
            e.Property(m => m.ReplayAttempts).HasColumnName("replay_attempts");
            e.Property(m => m.LastReplayError).HasColumnName("last_replay_error").HasMaxLength(2000);
            e.HasIndex(m => new { m.Source, m.EventId }).HasDatabaseName("ix_dead_letters_event");
            e.HasIndex(m => m.ReceivedAt).HasDatabaseName("ix_dead_letters_received_at");
        });
        return modelBuilder;
    }
}
