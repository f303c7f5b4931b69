using Platform.Persistence;

namespace Platform.Evidence.Api.Data;

// For dotnet-ef (tools/migrations-add.sh): each provider's migrations are generated from its own context.
public sealed class EvidenceSqliteDesignTimeFactory() : PlatformDesignTimeFactory<EvidenceSqliteDbContext>(DatabaseProvider.Sqlite, "evidence", (o, t) => new(o, t));

public sealed class EvidencePostgresDesignTimeFactory() : PlatformDesignTimeFactory<EvidencePostgresDbContext>(DatabaseProvider.Postgres, "evidence", (o, t) => new(o, t));
