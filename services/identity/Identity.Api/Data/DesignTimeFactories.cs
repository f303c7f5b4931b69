using Platform.Persistence;

namespace Platform.Identity.Api.Data;

// For dotnet-ef (tools/migrations-add.sh): each provider's migrations are generated from its own context.
public sealed class IdentitySqliteDesignTimeFactory() : PlatformDesignTimeFactory<IdentitySqliteDbContext>(DatabaseProvider.Sqlite, "identity", (o, t) => new(o, t));

public sealed class IdentityPostgresDesignTimeFactory() : PlatformDesignTimeFactory<IdentityPostgresDbContext>(DatabaseProvider.Postgres, "identity", (o, t) => new(o, t));
