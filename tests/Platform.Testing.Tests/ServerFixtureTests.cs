using Npgsql;
using Platform.Testing;
using Xunit;

namespace Platform.Testing.Tests;

public class ServerFixtureTests
{
    [Fact]
    public async Task Postgres_serves_version_15_on_loopback_and_app_role_is_not_a_superuser()
    {
        var server = await PostgresServer.SharedAsync();
        var db = await server.CreateDatabaseAsync("fixture");
        await using var conn = new NpgsqlConnection(server.AppConnectionString(db));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT current_setting('server_version_num')::int, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user", conn);
        await using var reader = await cmd.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.InRange(reader.GetInt32(0), 150000, 159999);
        Assert.False(reader.GetBoolean(1));
        Assert.False(reader.GetBoolean(2));
    }

    [Fact]
    public async Task Each_created_database_is_new_and_empty()
    {
        var server = await PostgresServer.SharedAsync();
        var a = await server.CreateDatabaseAsync("fixture");
        var b = await server.CreateDatabaseAsync("fixture");
        Assert.NotEqual(a, b);
        await using var conn = new NpgsqlConnection(server.OwnerConnectionString(b));
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", conn);
        Assert.Equal(0L, (long)(await cmd.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Redis_answers_ping_on_loopback()
    {
        var redis = await RedisServer.SharedAsync();
        Assert.True(await redis.PingAsync());
        Assert.StartsWith("127.0.0.1:", redis.Endpoint);
    }
}
