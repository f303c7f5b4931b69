using Npgsql;
using Platform.Persistence;
using Xunit;

namespace Platform.Testing.Tests;

/// <summary>The connection defaults every service's PostgreSQL app connection gets.</summary>
public sealed class PostgresConnectionsTests
{
    [Fact]
    public void Statements_are_prepared_automatically_unless_the_connection_string_says_otherwise()
    {
        var given = "Host=127.0.0.1;Port=5432;Database=consent;Username=platform_app";
        var withDefaults = new NpgsqlConnectionStringBuilder(PostgresConnections.WithPlatformDefaults(given));
        Assert.Equal(64, withDefaults.MaxAutoPrepare);
        Assert.Equal(2, withDefaults.AutoPrepareMinUsages);
        Assert.Equal("consent", withDefaults.Database);
        Assert.Equal("platform_app", withDefaults.Username);

        // An operator behind a transaction-pooling proxy turns it off, and that choice stands (in either spelling).
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(PostgresConnections.WithPlatformDefaults(given + ";Max Auto Prepare=0")).MaxAutoPrepare);
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(PostgresConnections.WithPlatformDefaults(given + ";MaxAutoPrepare=0")).MaxAutoPrepare);
        Assert.Equal(10, new NpgsqlConnectionStringBuilder(PostgresConnections.WithPlatformDefaults(given + ";max auto prepare=10")).MaxAutoPrepare);
    }
}
