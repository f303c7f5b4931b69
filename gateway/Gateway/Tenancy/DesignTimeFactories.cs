using Platform.Persistence;

namespace Platform.Gateway.Tenancy;

// For dotnet-ef (tools/migrations-add.sh): each provider's migrations are generated from its own context.
public sealed class GatewaySqliteDesignTimeFactory() : PlatformDesignTimeFactory<GatewaySqliteDbContext>(DatabaseProvider.Sqlite, "gateway", (o, t) => new(o, t));

public sealed class GatewayPostgresDesignTimeFactory() : PlatformDesignTimeFactory<GatewayPostgresDbContext>(DatabaseProvider.Postgres, "gateway", (o, t) => new(o, t));
