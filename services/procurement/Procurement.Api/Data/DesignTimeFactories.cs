using Platform.Persistence;

namespace Platform.Procurement.Api.Data;

// For dotnet-ef (tools/migrations-add.sh): each provider's migrations are generated from its own context.
public sealed class ProcurementSqliteDesignTimeFactory() : PlatformDesignTimeFactory<ProcurementSqliteDbContext>(DatabaseProvider.Sqlite, "procurement", (o, t) => new(o, t));

public sealed class ProcurementPostgresDesignTimeFactory() : PlatformDesignTimeFactory<ProcurementPostgresDbContext>(DatabaseProvider.Postgres, "procurement", (o, t) => new(o, t));
