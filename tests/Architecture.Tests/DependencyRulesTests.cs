using System.Reflection;
using NetArchTest.Rules;
using Xunit;

namespace Platform.Architecture.Tests;

/// <summary>
/// The dependency rules of design/architecture.md: services meet only through contracts and events, building blocks
/// know no service, rules stay apart from transport. Each rule is checked twice: on the assemblies a project was
/// compiled against (what its project file lets it use) and on the types its code actually depends on (NetArchTest).
/// </summary>
public class DependencyRulesTests
{
    [Fact]
    public void Every_production_project_is_held_by_these_rules()
    {
        var referenced = Rooms.ReferencedProjectFiles().ToHashSet();
        var missing = Rooms.ProductionProjectFiles().Where(p => !referenced.Contains(p)).ToList();
        Assert.True(missing.Count == 0,
            "Add these projects to tests/Architecture.Tests/Architecture.Tests.csproj so the dependency rules cover them: " +
            string.Join(", ", missing));
    }

    [Fact]
    public void A_service_references_no_other_services_code()
    {
        var failures = new List<string>();
        foreach (var assembly in Rooms.ServiceAssemblies)
        {
            var own = Rooms.ServiceOf(Rooms.Name(assembly))!;
            var others = Rooms.Services.Where(s => s != own).ToArray();
            failures.AddRange(Rooms.References(assembly).Where(r => others.Contains(Rooms.ServiceOf(r)))
                .Select(r => $"{Rooms.Name(assembly)} references {r}"));
            failures.AddRange(TypesDependingOn(assembly, others.Select(Rooms.NamespaceOf)));
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Building_blocks_know_no_service()
    {
        var failures = new List<string>();
        var serviceNamespaces = Rooms.Services.Select(Rooms.NamespaceOf).ToArray();
        foreach (var block in Rooms.BuildingBlocks.Select(Rooms.Get))
        {
            failures.AddRange(Rooms.References(block).Where(r => Rooms.ServiceOf(r) is not null || r == "Gateway" || r == Rooms.Contracts)
                .Select(r => $"{Rooms.Name(block)} references {r}"));
            failures.AddRange(TypesDependingOn(block, [.. serviceNamespaces, "Platform.Gateway", "Platform.Contracts"]));
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Consent_domain_references_only_platform_domain()
    {
        var domain = Rooms.Get("Consent.Domain");
        var outside = Rooms.References(domain).Where(r => r != "Platform.Domain" && !IsBaseLibrary(r)).ToList();
        Assert.True(outside.Count == 0, "Consent.Domain references " + string.Join(", ", outside));

        // The assembly references above are the whole rule; the type check names the code that breaks it. (NetArchTest's
        // OnlyHaveDependenciesOn counts the compiler's generic parameters, such as TBuffer of an inline array, as
        // dependencies, so the type check lists what must not be used instead.)
        var types = TypesDependingOn(domain, ["Microsoft", "Grpc", "Google", "Npgsql", "Dapr", "Platform.Contracts",
            "Platform.ServiceDefaults", "Platform.Persistence", "Platform.Grpc", "Platform.Messaging"]);
        Assert.True(types.Count == 0, string.Join(Environment.NewLine, types));
    }

    [Fact]
    public void Domain_rules_stay_apart_from_transport_and_storage()
    {
        string[] transport = ["Grpc", "Google.Protobuf", "Microsoft.AspNetCore", "Microsoft.EntityFrameworkCore", "Npgsql", "Dapr", "Platform.Contracts"];
        var failures = new List<string>();
        foreach (var domain in Rooms.All.Where(a => Rooms.Name(a).EndsWith(".Domain", StringComparison.Ordinal)))
        {
            failures.AddRange(Rooms.References(domain).Where(r => transport.Any(t => r.StartsWith(t, StringComparison.Ordinal)))
                .Select(r => $"{Rooms.Name(domain)} references {r}"));
            failures.AddRange(TypesDependingOn(domain, transport));
        }
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Fact]
    public void Service_defaults_reference_neither_grpc_nor_messaging()
    {
        var defaults = Rooms.Get("Platform.ServiceDefaults");
        string[] forbidden = ["Platform.Grpc", "Platform.Messaging", "Platform.Persistence", "Grpc", "Dapr", "Microsoft.EntityFrameworkCore"];
        var refs = Rooms.References(defaults).Where(r => forbidden.Any(f => r.StartsWith(f, StringComparison.Ordinal))).ToList();
        Assert.True(refs.Count == 0, "Platform.ServiceDefaults references " + string.Join(", ", refs));
        var types = TypesDependingOn(defaults, ["Platform.Grpc", "Platform.Messaging", "Platform.Persistence", "Grpc", "Dapr"]);
        Assert.True(types.Count == 0, string.Join(Environment.NewLine, types));
    }

    [Fact]
    public void Only_messaging_references_dapr()
    {
        var failures = Rooms.All.Where(a => Rooms.Name(a) != "Platform.Messaging")
            .SelectMany(a => Rooms.References(a).Where(r => r.StartsWith("Dapr", StringComparison.Ordinal)).Select(r => $"{Rooms.Name(a)} references {r}"))
            .Concat(Rooms.All.Where(a => Rooms.Name(a) != "Platform.Messaging").SelectMany(a => TypesDependingOn(a, ["Dapr"])))
            .ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    [Theory]
    [InlineData("Gateway")]
    [InlineData("Gateway.GraphQL")]
    public void The_gateway_references_contracts_and_building_blocks_but_no_service_code(string assembly)
    {
        var gateway = Rooms.Get(assembly);
        var refs = Rooms.References(gateway).Where(r => Rooms.ServiceOf(r) is not null).ToList();
        Assert.True(refs.Count == 0, assembly + " references " + string.Join(", ", refs));
        var types = TypesDependingOn(gateway, Rooms.Services.Select(Rooms.NamespaceOf).ToArray());
        Assert.True(types.Count == 0, string.Join(Environment.NewLine, types));
    }

    [Fact]
    public void The_graphql_endpoint_keeps_no_data_of_its_own()
    {
        // Resolvers call the services; the endpoint compiles against no database or messaging code.
        var graphql = Rooms.Get("Gateway.GraphQL");
        string[] storage = ["Platform.Persistence", "Platform.Messaging", "Microsoft.EntityFrameworkCore", "Npgsql", "Microsoft.Data.Sqlite", "StackExchange.Redis"];
        var refs = Rooms.References(graphql).Where(r => storage.Any(s => r.StartsWith(s, StringComparison.Ordinal))).ToList();
        Assert.True(refs.Count == 0, "Gateway.GraphQL references " + string.Join(", ", refs));
    }

    [Fact]
    public void The_local_runner_uses_a_service_only_through_its_composition_and_contracts()
    {
        // The runner hosts every app in one process, so it may call each service's composition (Platform.X.Api's
        // XxxApp.Build); everything else it does to a service (seeding the demo region) goes through the gRPC
        // contracts, as a trust's own systems would.
        var runner = Rooms.Get("LocalRunner");
        var inside = Rooms.ServiceAssemblies
            .SelectMany(a => a.GetTypes().Select(t => t.Namespace).OfType<string>())
            .Distinct()
            .Where(ns => !IsCompositionRoot(ns))
            .ToArray();
        var failures = TypesDependingOn(runner, inside);
        Assert.True(failures.Count == 0, "The runner reaches into services' internals: " + string.Join(Environment.NewLine, failures));
    }

    private static bool IsCompositionRoot(string ns) =>
        Rooms.Services.Any(s => ns == Rooms.NamespaceOf(s) + ".Api");

    private static bool IsBaseLibrary(string name) => name is "System.Runtime" or "netstandard" or "mscorlib"
        || name.StartsWith("System.", StringComparison.Ordinal) || name.StartsWith("Microsoft.Win32", StringComparison.Ordinal);

    /// <summary>"Type X depends on Y" for each type of <paramref name="assembly"/> that uses a type in (or below) one of the <paramref name="prefixes"/> namespaces, or one of those types.</summary>
    private static List<string> TypesDependingOn(Assembly assembly, IEnumerable<string> prefixes)
    {
        var list = prefixes.ToArray();
        if (list.Length == 0) return [];
        var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOnAny(list).GetResult();
        return result.IsSuccessful ? [] : (result.FailingTypeNames ?? []).Select(t => $"{Rooms.Name(assembly)}: {t} depends on one of {string.Join(", ", list)}").ToList();
    }
}
