using Platform.Persistence;

namespace Platform.Audit.Api.Data;

// For dotnet-ef (tools/migrations-add.sh): each provider's migrations are generated from its own context.
public sealed class AuditSqliteDesignTimeFactory() : PlatformDesignTimeFactory<AuditSqliteDbContext>(DatabaseProvider.Sqlite, "audit", (o, t) => new(o, t));

public sealed class AuditPostgresDesignTimeFactory() : PlatformDesignTimeFactory<AuditPostgresDbContext>(DatabaseProvider.Postgres, "audit", (o, t) => new(o, t));
