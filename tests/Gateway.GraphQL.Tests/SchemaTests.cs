using System.Text.Json.Nodes;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Gateway.GraphQL.Schema;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>The schema a developer reads in the explorer: described everywhere, with IDs, DateTimes and Relay connections.</summary>
[Collection(Dashboard.Name)]
public sealed class SchemaTests(DashboardHosts hosts)
{
    [Fact]
    public void Every_type_field_and_argument_of_ours_has_a_description()
    {
        var schema = hosts.Gateway.Services.GetRequiredService<DashboardSchema>();
        schema.Initialize();
        var missing = new List<string>();
        foreach (var type in schema.AllTypes.Where(t => !t.Name.StartsWith("__", StringComparison.Ordinal)))
        {
            if (type is ScalarGraphType) continue; // the built-in scalars are the specification's
            if (string.IsNullOrWhiteSpace(type.Description)) missing.Add(type.Name);
            if (type is not IComplexGraphType complex) continue;
            foreach (var field in complex.Fields)
            {
                if (string.IsNullOrWhiteSpace(field.Description)) missing.Add($"{type.Name}.{field.Name}");
                foreach (var argument in field.Arguments ?? [])
                    if (string.IsNullOrWhiteSpace(argument.Description)) missing.Add($"{type.Name}.{field.Name}({argument.Name})");
            }
        }

        Assert.True(missing.Count == 0, "Undescribed: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Ids_are_ID_and_times_are_DateTime_in_iso_8601()
    {
        var trust = Seed.NewTrust();
        var made = await Seed.TechnologiesAsync(hosts, trust, 1);

        var (_, typeBody) = await hosts.Gateway.Client(trust).PostAsync(
            "{ __type(name: \"Technology\") { fields { name type { kind name ofType { name } } } } }");
        var (_, dataBody) = await hosts.Gateway.Client(trust).PostAsync("{ trust { technologies(first: 1) { edges { node { id registeredAt } } } } }");

        var fields = typeBody!["data"]!["__type"]!["fields"]!.AsArray().ToDictionary(f => f!["name"]!.GetValue<string>(), f => f!["type"]!);
        Assert.Equal("ID", fields["id"]["ofType"]!["name"]!.GetValue<string>());
        Assert.Equal("DateTime", fields["registeredAt"]["name"]!.GetValue<string>());
        var node = dataBody!["data"]!["trust"]!["technologies"]!["edges"]![0]!["node"]!;
        Assert.Equal(made[0].TechnologyId, node["id"]!.GetValue<string>());
        // The DateTime scalar carries microseconds, the service's clock ticks finer.
        Assert.Equal(made[0].RegisteredAt.ToDateTime(), DateTime.Parse(node["registeredAt"]!.GetValue<string>(), null,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal), TimeSpan.FromMicroseconds(1));
    }

    [Fact]
    public async Task Following_end_cursors_walks_every_technology_once_in_order()
    {
        var trust = Seed.NewTrust();
        var made = await Seed.TechnologiesAsync(hosts, trust, 5);
        var client = hosts.Gateway.Client(trust);
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        while (true)
        {
            var (_, body) = await client.PostAsync(
                "query($after: String) { trust { technologies(first: 2, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } } }",
                new { after });
            var page = body!["data"]!["trust"]!["technologies"]!;
            seen.AddRange(page["edges"]!.AsArray().Select(e => e!["node"]!["id"]!.GetValue<string>()));
            pages++;
            if (!page["pageInfo"]!["hasNextPage"]!.GetValue<bool>()) break;
            after = page["pageInfo"]!["endCursor"]!.GetValue<string>();
        }

        Assert.Equal(made.Select(t => t.TechnologyId), seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_made_up_cursor_is_refused_by_name()
    {
        var (_, body) = await hosts.Gateway.Client(Seed.NewTrust()).PostAsync("{ trust { technologies(first: 2, after: \"b2Zmc2V0OjEw\") { edges { cursor } } } }");

        Assert.Equal(["BAD_CURSOR"], body.ErrorCodes());
    }
}
