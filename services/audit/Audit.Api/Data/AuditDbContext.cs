using Platform.KnownTrusts;
using Microsoft.EntityFrameworkCore;
using Platform.Audit.Domain.Entries;
using Platform.Domain;
using Platform.Messaging;
using Platform.Persistence;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Audit.Api.Data;

/// <summary>
/// One entry of a trust's append-only log as stored; <see cref="ToDomain"/> gives the domain entry whose canonical
/// bytes are the tree's leaf (docs/audit/canonical-entry.md). Never updated or deleted.
/// </summary>
public sealed class AuditEntryRow : ITenantOwned
{
    public Guid Id { get; init; }
    public string TenantId { get; set; } = "";
    public long Sequence { get; init; }
    public string Type { get; init; } = "";
    public AuditAction Action { get; init; }
    public AuditOutcome Outcome { get; init; }
    public string AgentWho { get; init; } = "";
    public string AgentRole { get; init; } = "";
    public string AgentPurposeOfUse { get; init; } = "";
    public string EntityWhat { get; init; } = "";
    public string EntityType { get; init; } = "";
    public DateTime Recorded { get; init; }
    public string? Patient { get; init; }
    public string? SourceEventSource { get; init; }
    public string? SourceEventId { get; init; }

    public AuditEntry ToDomain() => new(
        Id, TenantId, Sequence, Type, Action, Outcome, new DateTimeOffset(DateTime.SpecifyKind(Recorded, DateTimeKind.Utc)),
        new AuditAgent(AgentWho, AgentRole, AgentPurposeOfUse), new AuditEntity(EntityWhat, EntityType), Patient,
        SourceEventId is null ? null : new SourceEvent(SourceEventSource ?? "", SourceEventId));

    public static AuditEntryRow From(AuditEntry e) => new()
    {
        Id = e.Id,
        TenantId = e.Tenant,
        Sequence = e.Sequence,
        Type = e.Type,
        Action = e.Action,
        Outcome = e.Outcome,
        AgentWho = e.Agent.Who,
        AgentRole = e.Agent.Role,
        AgentPurposeOfUse = e.Agent.PurposeOfUse,
        EntityWhat = e.Entity.What,
        EntityType = e.Entity.Type,
        Recorded = e.Recorded.UtcDateTime,
        Patient = e.Patient,
        SourceEventSource = e.SourceEvent?.Source,
        SourceEventId = e.SourceEvent?.Id,
    };
}

/// <summary>
/// A run of consecutive node hashes of a trust's Merkle tree at a tile level (0, 8, 16, ...: C2SP tlog-tiles' tiles of
/// height 8), starting at <see cref="StartIndex"/> and never crossing a 256-node tile's edge: one append's new
/// nodes at that level, 32 bytes each (<see cref="Tree.DatabaseMerkleNodeStore"/>). Written once, never changed.
/// </summary>
public sealed class TreeTileRow : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public short Level { get; init; }
    public long StartIndex { get; init; }
    public byte[] Hashes { get; init; } = [];
}

/// <summary>
/// How many leaves a trust's tree holds, moved by compare-and-set on each append. Deliberately not tenant-owned: it
/// holds a trust code and a count, nothing about anyone, and the deployment's checkpointer must see which trusts grew.
/// </summary>
public sealed class TreeHeadRow
{
    public string TenantId { get; set; } = "";
    public long TreeSize { get; set; }
}

/// <summary>A signed checkpoint of a trust's log (the log's own signature only; cosignatures are their own rows).</summary>
public sealed class CheckpointRow : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public long TreeSize { get; init; }
    public byte[] RootHash { get; init; } = [];
    public DateTime SignedAt { get; init; }
    public string Note { get; init; } = "";
}

/// <summary>A witness's cosignature of a checkpoint: one signature line of the signed note, appended when it arrives.</summary>
public sealed class CosignatureRow : ITenantOwned
{
    public string TenantId { get; set; } = "";
    public long TreeSize { get; init; }
    public string Witness { get; init; } = "";
    public string Line { get; init; } = "";
}

/// <summary>What this service, as a witness, last cosigned for another log (IWitnessStateStore). Not per tenant.</summary>
public sealed class WitnessHeadRow
{
    public string Origin { get; set; } = "";
    public long TreeSize { get; set; }
    public byte[] RootHash { get; set; } = [];
    public DateTime CosignedAt { get; set; }
}

public class AuditDbContext(DbContextOptions options, ITenantContext tenant) : PlatformDbContext(options, tenant)
{
    public DbSet<AuditEntryRow> Entries => Set<AuditEntryRow>();
    public DbSet<TreeTileRow> TreeTiles => Set<TreeTileRow>();
    public DbSet<TreeHeadRow> TreeHeads => Set<TreeHeadRow>();
    public DbSet<CheckpointRow> Checkpoints => Set<CheckpointRow>();
    public DbSet<CosignatureRow> Cosignatures => Set<CosignatureRow>();
    public DbSet<WitnessHeadRow> WitnessHeads => Set<WitnessHeadRow>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<AuditEntryRow>(e =>
        {
            e.ToTable("audit_entries");
            // The trust's sequence is the key (and the order every query reads in): one index where there were two
            // (a key on the id alone, which nothing looks up, and a unique index on tenant and sequence).
            e.HasKey(x => new { x.TenantId, x.Sequence });
            e.Property(x => x.Type).HasMaxLength(64).IsRequired();
            e.Property(x => x.Action).HasConversion<string>().HasMaxLength(12);
            e.Property(x => x.Outcome).HasConversion<int>();
            e.Property(x => x.AgentWho).HasMaxLength(128).IsRequired();
            e.Property(x => x.AgentRole).HasMaxLength(64).IsRequired();
            e.Property(x => x.AgentPurposeOfUse).HasMaxLength(32).IsRequired();
            e.Property(x => x.EntityWhat).HasMaxLength(256).IsRequired();
            e.Property(x => x.EntityType).HasMaxLength(64).IsRequired();
            e.Property(x => x.Patient).HasMaxLength(128);
            e.Property(x => x.SourceEventSource).HasMaxLength(256);
            e.Property(x => x.SourceEventId).HasMaxLength(128);
            // A second guard behind the inbox: one event can never become two entries.
            e.HasIndex(x => new { x.TenantId, x.SourceEventSource, x.SourceEventId }).IsUnique()
                .HasFilter("source_event_id IS NOT NULL").HasDatabaseName("ix_audit_entries_source_event");
            // "Who accessed my record", newest last.
            e.HasIndex(x => new { x.TenantId, x.Patient, x.Sequence }).HasFilter("patient IS NOT NULL").HasDatabaseName("ix_audit_entries_patient");
            e.HasIndex(x => new { x.TenantId, x.AgentWho, x.Sequence }).HasDatabaseName("ix_audit_entries_agent");
        });
        modelBuilder.Entity<TreeTileRow>(e =>
        {
            e.ToTable("audit_tree_tiles");
            e.HasKey(x => new { x.TenantId, x.Level, x.StartIndex });
            e.Property(x => x.Hashes).IsRequired();
        });
        modelBuilder.Entity<TreeHeadRow>(e =>
        {
            e.ToTable("audit_tree_heads");
            e.HasKey(x => x.TenantId);
            e.Property(x => x.TenantId).HasMaxLength(8);
        });
        modelBuilder.Entity<CheckpointRow>(e =>
        {
            e.ToTable("audit_checkpoints");
            e.HasKey(x => new { x.TenantId, x.TreeSize });
            e.Property(x => x.RootHash).IsRequired();
            e.Property(x => x.Note).IsRequired();
        });
        modelBuilder.Entity<CosignatureRow>(e =>
        {
            e.ToTable("audit_cosignatures");
            e.HasKey(x => new { x.TenantId, x.TreeSize, x.Witness });
            e.Property(x => x.Witness).HasMaxLength(256);
            e.Property(x => x.Line).HasMaxLength(1024).IsRequired();
        });
        modelBuilder.Entity<WitnessHeadRow>(e =>
        {
            e.ToTable("audit_witness_heads");
            e.HasKey(x => x.Origin);
            e.Property(x => x.Origin).HasMaxLength(256);
            e.Property(x => x.RootHash).IsRequired();
        });
        modelBuilder.AddOutbox();
        modelBuilder.AddInbox();
        modelBuilder.AddKnownTrusts();
        base.OnModelCreating(modelBuilder);
    }
}

public sealed class AuditSqliteDbContext(DbContextOptions<AuditSqliteDbContext> options, ITenantContext tenant) : AuditDbContext(options, tenant);

public sealed class AuditPostgresDbContext(DbContextOptions<AuditPostgresDbContext> options, ITenantContext tenant) : AuditDbContext(options, tenant);
