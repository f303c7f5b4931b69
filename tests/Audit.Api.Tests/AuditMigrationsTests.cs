using Platform.Audit.Api.Data;
using Platform.Testing;
using Xunit;

namespace Platform.Audit.Api.Tests;

/// <summary>
/// The migrations dotnet-ef generated hold the whole model on both providers: a model edit without its migration fails
/// here (and the app refuses to migrate). No database is needed: the design-time factories build the contexts.
/// </summary>
public sealed class AuditMigrationsTests
{
    [Fact]
    public void The_sqlite_migrations_hold_every_change_to_the_model()
    {
        using var db = new AuditSqliteDesignTimeFactory().CreateDbContext([]);
        SchemaAssert.NoPendingModelChanges(db);
    }

    [Fact]
    public void The_postgres_migrations_hold_every_change_to_the_model()
    {
        using var db = new AuditPostgresDesignTimeFactory().CreateDbContext([]);
        SchemaAssert.NoPendingModelChanges(db);
    }
}
