using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Platform.Messaging.Outbox;

/// <summary>
/// Writes outbox rows on PostgreSQL inside the caller's own <c>SaveChanges</c> command instead of as tracked entities
/// (docs/decisions/0008). <see cref="IEventPublisher"/> hands rows to <see cref="TryEnqueue"/>; when EF executes the
/// first command of that <c>SaveChanges</c>, one <c>INSERT</c> of the rows leads its first statement as a
/// data-modifying <c>WITH</c> (or, before any other kind of statement, follows it), so the rows travel in the same round
/// trip and the same transaction as the state change (EF's own transaction when it opens one, the caller's when there
/// is one, otherwise the lone statement's own). The rows are forgotten only after <c>SaveChanges</c> succeeds; if it
/// fails they are sent again with the next one, as EF would do with added entities. A <c>SaveChanges</c> with nothing
/// else to write inserts them on its own.
/// Other providers (SQLite, the embedded default) keep EF's change tracker.
/// </summary>
internal sealed class OutboxBatchWriter : DbCommandInterceptor, ISaveChangesInterceptor
{
    private const string NpgsqlProvider = "Npgsql.EntityFrameworkCore.PostgreSQL";

    private readonly ConditionalWeakTable<DbContext, Pending> _pending = new();
    private readonly ConditionalWeakTable<IDbContextOptions, object> _enabled = new(); // a boxed bool per options instance
    private readonly ConditionalWeakTable<IModel, string> _insertHead = new();

    /// <summary>Rows published in one context and not yet saved; <see cref="Sent"/> while a command carrying them runs.</summary>
    private sealed class Pending
    {
        public readonly List<OutboxMessage> Rows = [];
        public bool Sent;

        /// <summary>The caller's transaction behaviour, while this writer has made a SaveChanges open a transaction.</summary>
        public AutoTransactionBehavior? Restore;
    }

    /// <summary>
    /// Takes <paramref name="row"/> for the next <c>SaveChanges</c> of <paramref name="db"/> when its options carry this
    /// writer and its provider is PostgreSQL; otherwise returns false and the caller adds the row to the change tracker.
    /// </summary>
    public bool TryEnqueue(DbContext db, OutboxMessage row)
    {
        if (!Enabled(db)) return false;
        _pending.GetOrCreateValue(db).Rows.Add(row);
        return true;
    }

    private bool Enabled(DbContext db)
    {
        var options = db.GetService<IDbContextOptions>();
        if (!_enabled.TryGetValue(options, out var enabled))
        {
            var carriesThis = options.FindExtension<CoreOptionsExtension>()?.Interceptors?.Contains(this) == true;
            enabled = carriesThis && db.Database.ProviderName == NpgsqlProvider;
            _enabled.AddOrUpdate(options, enabled);
        }
        return enabled is true;
    }

    /// <summary>
    /// Writes <paramref name="rows"/> at once as one INSERT statement, committed on its own, on <paramref name="db"/>'s
    /// connection, when this writer serves the context (as <see cref="TryEnqueue"/>); otherwise returns false and writes
    /// nothing. The group commit's write (docs/decisions/0027, 0035): no SaveChanges (the change tracker has nothing to
    /// do), and the connection is opened by Npgsql, not by EF, so it costs one round trip: EF's opening would first set
    /// the session's tenant for row-level security, a round trip of its own, which an INSERT into outbox_messages does
    /// not need (the table has no row-level security: the relay reads every trust's rows; each row names its tenant).
    /// </summary>
    public async Task<bool> TryWriteNowAsync(DbContext db, IReadOnlyList<OutboxMessage> rows)
    {
        if (!Enabled(db)) return false;
        if (db.Database.CurrentTransaction is not null) throw new InvalidOperationException("The group commit's write runs in no caller's transaction.");
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(CancellationToken.None);
        try
        {
            await using var command = StandaloneCommand(db, rows);
            await command.ExecuteNonQueryAsync(CancellationToken.None);
        }
        finally
        {
            await connection.CloseAsync();
        }
        return true;
    }

    // ---- the SaveChanges command: append the rows -------------------------------------------------------------------

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Append(command, eventData);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Append(command, eventData);
        return ValueTask.FromResult(result);
    }

    // The command that carried the rows failed: a retry of SaveChanges (or of its execution strategy) must carry them again.
    public override void CommandFailed(DbCommand command, CommandErrorEventData eventData) => Unsend(eventData.Context);

    public override Task CommandFailedAsync(DbCommand command, CommandErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Unsend(eventData.Context);
        return Task.CompletedTask;
    }

    private void Append(DbCommand command, CommandEventData eventData)
    {
        if (eventData.CommandSource != CommandSource.SaveChanges || eventData.Context is not { } db) return;
        if (!_pending.TryGetValue(db, out var pending) || pending.Sent || pending.Rows.Count == 0) return;
        if (command.Transaction is null && ChecksRowCounts(command.CommandText))
        {
            // Saving() makes such a save open a transaction; reaching here means EF wrote an UPDATE or DELETE for changes
            // the tracker showed as inserts. Refuse rather than commit the event with a change that may not happen.
            throw new InvalidOperationException("An outbox row cannot join an UPDATE or DELETE sent without a transaction; " +
                "open a transaction around this SaveChanges.");
        }
        var sql = command.CommandText;
        var head = InsertHead(db);
        var text = new StringBuilder(sql.Length + head.Length + 120 * pending.Rows.Count);
        if (LeadsWithModification(sql))
        {
            // One statement instead of two: PostgreSQL runs a data-modifying WITH exactly once, to completion, in the
            // statement's own snapshot and transaction, whatever the main statement reads of it; the command tag (the
            // row count EF checks) stays the main statement's.
            text.Append("WITH ").Append(BatchName).Append(" AS (");
            AddInsert(command, text, head, pending.Rows);
            text.Append(")\n").Append(sql);
        }
        else
        {
            text.Append(sql);
            if (text.Length > 0 && text[^1] != '\n') text.Append('\n');
            AddInsert(command, text, head, pending.Rows);
            text.Append(";\n");
        }
        command.CommandText = text.ToString();
        pending.Sent = true;
    }

    /// <summary>The WITH name of the outbox rows: quoted and unlike any table a service names, so it shadows none.</summary>
    private const string BatchName = "\"platform_outbox_rows\"";

    /// <summary>Whether the command's first statement is one PostgreSQL lets a WITH clause lead.</summary>
    private static bool LeadsWithModification(string sql)
    {
        var start = sql.AsSpan().TrimStart();
        return start.StartsWith("INSERT ", StringComparison.OrdinalIgnoreCase) || start.StartsWith("UPDATE ", StringComparison.OrdinalIgnoreCase)
            || start.StartsWith("DELETE ", StringComparison.OrdinalIgnoreCase);
    }

    private static bool ChecksRowCounts(string sql)
    {
        foreach (var line in sql.AsSpan().EnumerateLines())
        {
            if (line.StartsWith("UPDATE ", StringComparison.OrdinalIgnoreCase) || line.StartsWith("DELETE ", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return false;
    }

    private void Unsend(DbContext? db)
    {
        if (db is not null && _pending.TryGetValue(db, out var pending)) pending.Sent = false;
    }

    // ---- SaveChanges outcome ------------------------------------------------------------------------------------------

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    /// <summary>
    /// EF sends a lone statement without a transaction, and checks an UPDATE's or DELETE's row count only after
    /// PostgreSQL has run (and implicitly committed) the whole command; an outbox row riding with it would then stay
    /// although EF reports a concurrency failure. So unless every change is an insert (which fails as a whole or not at
    /// all), a SaveChanges carrying rows with no transaction of its own is made to open one.
    /// </summary>
    private void Saving(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending)) return;
        pending.Sent = false;
        if (pending.Rows.Count == 0 || OnlyNewEntities(db.ChangeTracker)) return;
        if (db.Database.CurrentTransaction is not null || db.Database.AutoTransactionBehavior != AutoTransactionBehavior.WhenNeeded) return;
        foreach (var entry in db.ChangeTracker.Entries())
        {
            // An owned part added to an owner already stored (a column group of its row, null until now) is written as an
            // UPDATE of the owner's row, though the tracker shows it as Added; with a new owner a transaction costs nothing.
            if (entry.State is EntityState.Modified or EntityState.Deleted || (entry.State == EntityState.Added && entry.Metadata.IsOwned()))
            {
                pending.Restore = db.Database.AutoTransactionBehavior;
                db.Database.AutoTransactionBehavior = AutoTransactionBehavior.Always;
                return;
            }
        }
    }

    /// <summary>
    /// Whether every tracked entity is Added, read without detecting changes (which SaveChanges does next anyway). Only an
    /// entity tracked in another state can turn out Modified or Deleted, so a save of new entities, the usual command that
    /// creates a record and publishes its event, needs no closer look.
    /// </summary>
    private static bool OnlyNewEntities(ChangeTracker tracker)
    {
        var detect = tracker.AutoDetectChangesEnabled;
        tracker.AutoDetectChangesEnabled = false;
        try
        {
            foreach (var entry in tracker.Entries())
            {
                if (entry.State != EntityState.Added) return false;
            }
            return true;
        }
        finally
        {
            tracker.AutoDetectChangesEnabled = detect;
        }
    }

    private static void RestoreTransactionBehaviour(DbContext db, Pending pending)
    {
        if (pending.Restore is { } behaviour) db.Database.AutoTransactionBehavior = behaviour;
        pending.Restore = null;
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (eventData.Context is not { } db || !_pending.TryGetValue(db, out var pending)) return result;
        if (!pending.Sent && pending.Rows.Count > 0)
        {
            // Nothing else was written: the rows go on their own, in the caller's transaction if there is one.
            db.Database.OpenConnection();
            try
            {
                using var command = StandaloneCommand(db, pending.Rows);
                command.ExecuteNonQuery();
            }
            finally
            {
                db.Database.CloseConnection();
            }
        }
        var written = pending.Rows.Count;
        RestoreTransactionBehaviour(db, pending);
        _pending.Remove(db);
        return result + written;
    }

    public async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is not { } db || !_pending.TryGetValue(db, out var pending)) return result;
        if (!pending.Sent && pending.Rows.Count > 0)
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                await using var command = StandaloneCommand(db, pending.Rows);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        }
        var written = pending.Rows.Count;
        RestoreTransactionBehaviour(db, pending);
        _pending.Remove(db);
        return result + written;
    }

    // A failed SaveChanges keeps its rows for the next one (its transaction, if any, rolled them back with the rest).
    public void SaveChangesFailed(DbContextErrorEventData eventData) => Failed(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Failed(eventData.Context);
        return Task.CompletedTask;
    }

    // EF reports a lost concurrency check here, not through SaveChangesFailed.
    public InterceptionResult ThrowingConcurrencyException(ConcurrencyExceptionEventData eventData, InterceptionResult result)
    {
        Failed(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result,
        CancellationToken cancellationToken = default)
    {
        Failed(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Failed(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var pending)) return;
        pending.Sent = false;
        RestoreTransactionBehaviour(db, pending);
    }

    private DbCommand StandaloneCommand(DbContext db, IReadOnlyList<OutboxMessage> rows)
    {
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        if (db.Database.GetCommandTimeout() is { } timeout) command.CommandTimeout = timeout;
        var text = new StringBuilder();
        AddInsert(command, text, InsertHead(db), rows);
        command.CommandText = text.Append(';').ToString();
        return command;
    }

    // ---- SQL ----------------------------------------------------------------------------------------------------------

    /// <summary>
    /// The columns an INSERT gives a value, each with where the value comes from: one list for both the column names and
    /// the parameters, so they cannot fall out of order. The relay's bookkeeping starts at zero and NULL, as literals.
    /// </summary>
    private static readonly (string Property, Func<OutboxMessage, object> Value)[] s_valued =
    [
        (nameof(OutboxMessage.Id), m => m.Id), (nameof(OutboxMessage.Sequence), m => m.Sequence), (nameof(OutboxMessage.Topic), m => m.Topic),
        (nameof(OutboxMessage.Type), m => m.Type), (nameof(OutboxMessage.Subject), m => m.Subject), (nameof(OutboxMessage.Tenant), m => m.Tenant),
        (nameof(OutboxMessage.Payload), m => m.Payload), (nameof(OutboxMessage.CreatedAt), m => m.CreatedAt), (nameof(OutboxMessage.DueAt), m => m.DueAt),
    ];

    /// <summary>"INSERT INTO outbox_messages (...) VALUES " for one model's table and column names.</summary>
    private string InsertHead(DbContext db)
    {
        var model = db.Model;
        if (_insertHead.TryGetValue(model, out var head)) return head;
        var entity = model.FindEntityType(typeof(OutboxMessage))
            ?? throw new InvalidOperationException($"{db.GetType().Name} has no outbox: call modelBuilder.AddOutbox() in OnModelCreating.");
        var table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        var quote = db.GetService<ISqlGenerationHelper>();
        string Column(string property) => quote.DelimitIdentifier(entity.FindProperty(property)!.GetColumnName(table)!);
        head = $"INSERT INTO {quote.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", s_valued.Select(c => Column(c.Property)))}, " +
            $"{Column(nameof(OutboxMessage.Attempts))}, {Column(nameof(OutboxMessage.RefusedAttempts))}) VALUES ";
        _insertHead.AddOrUpdate(model, head);
        return head;
    }

    /// <summary>
    /// One INSERT of every row, in publishing order, without its terminator. Its text depends only on the row count, so
    /// Npgsql's automatic preparation covers it (a save usually publishes one event).
    /// </summary>
    private static void AddInsert(DbCommand command, StringBuilder text, string head, IReadOnlyList<OutboxMessage> rows)
    {
        text.Append(head);
        for (var r = 0; r < rows.Count; r++)
        {
            var row = RowParametersFor(r);
            if (r > 0) text.Append(", ");
            text.Append(row.Values);
            for (var c = 0; c < s_valued.Length; c++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = row.Names[c];
                parameter.Value = s_valued[c].Value(rows[r]);
                command.Parameters.Add(parameter);
            }
        }
    }

    /// <summary>Row r's parameter names (@outbox{r}_{c}; EF names its own @p0, @p1, ..., so they cannot collide) and its VALUES tuple.</summary>
    private sealed record RowParameters(string[] Names, string Values);

    private static readonly RowParameters[] s_rows = Enumerable.Range(0, 16).Select(NewRow).ToArray();

    private static RowParameters RowParametersFor(int row) => row < s_rows.Length ? s_rows[row] : NewRow(row);

    private static RowParameters NewRow(int row)
    {
        var names = Enumerable.Range(0, s_valued.Length).Select(c => $"@outbox{row}_{c}").ToArray();
        return new RowParameters(names, $"({string.Join(", ", names)}, 0, 0)");
    }
}
