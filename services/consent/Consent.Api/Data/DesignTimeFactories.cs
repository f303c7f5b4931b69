using Platform.Persistence;

namespace Platform.Consent.Api.Data;

// For dotnet-ef (tools/migrations-add.sh): each provider's migrations are generated from its own context.
public sealed class ConsentSqliteDesignTimeFactory() : PlatformDesignTimeFactory<ConsentSqliteDbContext>(DatabaseProvider.Sqlite, "consent", (o, t) => new(o, t));

public sealed class ConsentPostgresDesignTimeFactory() : PlatformDesignTimeFactory<ConsentPostgresDbContext>(DatabaseProvider.Postgres, "consent", (o, t) => new(o, t));
