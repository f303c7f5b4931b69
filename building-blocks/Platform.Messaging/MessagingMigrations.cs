using Microsoft.EntityFrameworkCore.Migrations;

namespace Platform.Messaging;

/// <summary>
/// The messaging tables (<see cref="ModelBuilderExtensions.AddOutbox"/>, <see cref="ModelBuilderExtensions.AddInbox"/>)
/// for a service's hand-written migrations: columns carry CLR types only, so each provider picks its store types.
/// None of these tables has row-level security: the relay reads every tenant's rows, and each row names its tenant.
/// </summary>
public static class MessagingMigrations
{
    public static void CreateMessagingTables(this MigrationBuilder mb)
    {
        mb.CreateTable("outbox_messages", c => new
        {
            id = c.Column<Guid>(nullable: false),
            sequence = c.Column<long>(nullable: false),
            topic = c.Column<string>(maxLength: 200, nullable: false),
            type = c.Column<string>(maxLength: 200, nullable: false),
            subject = c.Column<string>(maxLength: 200, nullable: false),
            tenant = c.Column<string>(maxLength: 64, nullable: false),
            payload = c.Column<string>(nullable: false),
            created_at = c.Column<DateTime>(nullable: false),
            due_at = c.Column<DateTime>(nullable: false),
            attempts = c.Column<int>(nullable: false),
            refused_attempts = c.Column<int>(nullable: false),
            last_error = c.Column<string>(maxLength: 2000, nullable: true),
            sent_at = c.Column<DateTime>(nullable: true),
        }, constraints: t => t.PrimaryKey("pk_outbox_messages", x => x.id));
        mb.CreateIndex("ix_outbox_messages_pending", "outbox_messages", "sequence", filter: "sent_at IS NULL");
        mb.CreateIndex("ix_outbox_messages_pending_subject", "outbox_messages", ["subject", "sequence"], filter: "sent_at IS NULL");

        mb.CreateTable("outbox_leases", c => new
        {
            name = c.Column<string>(maxLength: 64, nullable: false),
            owner = c.Column<string>(maxLength: 200, nullable: true),
            until = c.Column<DateTime>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_outbox_leases", x => x.name));
        // The relay's lease row (the model's HasData). Hand-written migrations have no target model, so InsertData would
        // need provider column types; a literal in each provider's own timestamp form is simpler.
        var longAgo = mb.ActiveProvider?.Contains("Npgsql", StringComparison.Ordinal) == true ? "'2000-01-01 00:00:00+00'" : "'2000-01-01 00:00:00'";
        mb.Sql($"INSERT INTO outbox_leases (name, owner, until) VALUES ('{Outbox.OutboxLease.RelayLease}', NULL, {longAgo})");

        mb.CreateTable("inbox_messages", c => new
        {
            source = c.Column<string>(maxLength: 200, nullable: false),
            event_id = c.Column<string>(maxLength: 200, nullable: false),
            type = c.Column<string>(maxLength: 200, nullable: false),
            tenant = c.Column<string>(maxLength: 64, nullable: false),
            handled_at = c.Column<DateTime>(nullable: false),
        }, constraints: t => t.PrimaryKey("pk_inbox_messages", x => new { x.source, x.event_id }));

        mb.CreateTable("dead_letters", c => new
        {
            id = c.Column<Guid>(nullable: false),
            event_id = c.Column<string>(maxLength: 200, nullable: false),
            source = c.Column<string>(maxLength: 200, nullable: false),
            type = c.Column<string>(maxLength: 200, nullable: false),
            topic = c.Column<string>(maxLength: 200, nullable: false),
            tenant = c.Column<string>(maxLength: 64, nullable: false),
            subject = c.Column<string>(maxLength: 200, nullable: true),
            payload = c.Column<string>(nullable: false),
            reason = c.Column<string>(maxLength: 2000, nullable: false),
            received_at = c.Column<DateTime>(nullable: false),
            replayed_at = c.Column<DateTime>(nullable: true),
            replayed_by = c.Column<string>(maxLength: 200, nullable: true),
            replay_attempts = c.Column<int>(nullable: false),
            last_replay_error = c.Column<string>(maxLength: 2000, nullable: true),
        }, constraints: t => t.PrimaryKey("pk_dead_letters", x => x.id));
        mb.CreateIndex("ix_dead_letters_event", "dead_letters", ["source", "event_id"]);
        mb.CreateIndex("ix_dead_letters_received_at", "dead_letters", "received_at");
    }

    public static void DropMessagingTables(this MigrationBuilder mb)
    {
        mb.DropTable("dead_letters");
        mb.DropTable("inbox_messages");
        mb.DropTable("outbox_leases");
        mb.DropTable("outbox_messages");
    }
}
