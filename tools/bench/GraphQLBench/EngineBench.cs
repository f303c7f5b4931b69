using System.Diagnostics;
using System.Text.Json.Nodes;
using GraphQL;
using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;
using Platform.Tools.AuditServiceBench;

namespace Platform.Tools.GraphQLBench;

// GraphQL.NET (composed as the gateway composes it: AddGraphQL, AddSystemTextJson, the DI-built executer) beside
// graphql-js (engine.mjs, a node child process) on one mid-size query (engine-query.graphql: 50 technologies with 8
// evidence items each, 2,800 fields, 71 kB of JSON) over the same in-memory data: each engine parses, validates,
// executes and serialises the query to a string, one at a time, for the round's time. Before measuring, the two results
// must be the same JSON; the run exits 1 otherwise.
internal static class EngineBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Program.Option(args, "--rounds", 9);
        var seconds = Program.Option(args, "--duration", 2);
        var here = AppContext.BaseDirectory;
        var query = await File.ReadAllTextAsync(Path.Combine(here, "engine-query.graphql"));
        var variables = new Inputs(new Dictionary<string, object?> { ["first"] = 50 });

        var services = new ServiceCollection();
        services.AddGraphQL(b => b.AddSchema<EngineSchema>().AddGraphTypes(typeof(EngineSchema).Assembly).AddSystemTextJson());
        await using var provider = services.BuildServiceProvider();
        var executer = provider.GetRequiredService<IDocumentExecuter<EngineSchema>>();
        var serializer = provider.GetRequiredService<IGraphQLTextSerializer>();

        async Task<string> OnceAsync()
        {
            var result = await executer.ExecuteAsync(new ExecutionOptions { Query = query, Variables = variables, RequestServices = provider });
            return serializer.Serialize(result);
        }

        using var node = new NodeEngine(Path.Combine(here, "engine.mjs"), Program.InteropDirectory());
        var ours = JsonNode.Parse(await OnceAsync());
        var theirs = JsonNode.Parse(await node.CommandAsync("result"));
        if (!JsonNode.DeepEquals(ours, theirs) || ours?["errors"] is not null)
        {
            Console.WriteLine("the two engines' results differ:");
            Console.WriteLine(ours?.ToJsonString()[..400]);
            Console.WriteLine(theirs?.ToJsonString()[..400]);
            return 1;
        }

        var bytes = (await OnceAsync()).Length;
        var fields = CountFields(ours!["data"]!);
        Console.WriteLine($"GraphQLBench engine  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {Stats.LoadAverage()}");
        Console.WriteLine($"query: engine-query.graphql, {fields:N0} fields, {bytes:N0} characters of JSON; the same result from both engines");

        async Task<(int Count, double CpuMs, double Ms)> OursForAsync(TimeSpan duration)
        {
            var cpu = CpuMeter.ProcessMs();
            var clock = Stopwatch.StartNew();
            var count = 0;
            long total = 0;
            while (clock.Elapsed < duration)
            {
                total += (await OnceAsync()).Length;
                count++;
            }
            return (count, CpuMeter.ProcessMs() - cpu, clock.Elapsed.TotalMilliseconds);
        }

        async Task<(int Count, double CpuMs, double Ms)> TheirsForAsync(TimeSpan duration)
        {
            var clock = Stopwatch.StartNew();
            var reply = JsonNode.Parse(await node.CommandAsync($"run {(int)duration.TotalMilliseconds}"))!;
            return (reply["count"]!.GetValue<int>(), reply["cpuMicros"]!.GetValue<double>() / 1000, clock.Elapsed.TotalMilliseconds);
        }

        var targets = new (string Name, Func<TimeSpan, Task<(int Count, double CpuMs, double Ms)>> Run)[]
        {
            ("GraphQL.NET 8.8.5", OursForAsync),
            ("graphql-js 17.1.0", TheirsForAsync),
        };
        // Warm-up: both JITs to their steady code.
        foreach (var (_, run) in targets) await run(TimeSpan.FromSeconds(seconds));

        var results = targets.Select(_ => new List<(double PerSecond, double CpuUsPerOp)>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            var order = round % 2 == 0 ? new[] { 0, 1 } : [1, 0];
            foreach (var t in order)
            {
                var (count, cpuMs, ms) = await targets[t].Run(TimeSpan.FromSeconds(seconds));
                results[t].Add((count / (ms / 1000), cpuMs * 1000 / count));
            }
            Console.WriteLine($"round {round + 1}: {string.Join("  ", targets.Select((x, i) => $"{x.Name} {results[i][^1].PerSecond,7:N0}/s {results[i][^1].CpuUsPerOp,6:N0} us CPU/op"))}  load {Stats.LoadAverage()}");
        }

        for (var t = 0; t < targets.Length; t++)
            Console.WriteLine($"{targets[t].Name,-20} median {Stats.Median(results[t].Select(r => r.PerSecond)),7:N0} executions/s, CPU {Stats.Median(results[t].Select(r => r.CpuUsPerOp)),6:N0} us per execution (rounds: {string.Join(", ", results[t].Select(r => r.PerSecond.ToString("N0")))})");
        var throughput = Enumerable.Range(0, rounds).Select(r => results[0][r].PerSecond / results[1][r].PerSecond).ToList();
        var efficiency = Enumerable.Range(0, rounds).Select(r => results[1][r].CpuUsPerOp / results[0][r].CpuUsPerOp).ToList();
        Console.WriteLine($"GraphQL.NET / graphql-js throughput = {Stats.Median(throughput):F2} median of rounds ({string.Join(", ", throughput.Select(x => x.ToString("F2")))}); " +
            $"CPU efficiency {Stats.Median(efficiency):F2} median (graphql-js CPU per execution / ours)");
        Console.WriteLine($"load average at the end: {Stats.LoadAverage()}");
        await node.CommandAsync("exit", expectReply: false);
        return 0;
    }

    private static int CountFields(JsonNode node) => node switch
    {
        JsonObject o => o.Sum(p => 1 + (p.Value is null ? 0 : CountFields(p.Value))),
        JsonArray a => a.Sum(e => e is null ? 0 : CountFields(e)),
        _ => 0,
    };

    /// <summary>engine.mjs under node, spoken to a line at a time.</summary>
    private sealed class NodeEngine : IDisposable
    {
        private readonly Process _process;

        public NodeEngine(string script, string interop)
        {
            var info = new ProcessStartInfo("node") { RedirectStandardInput = true, RedirectStandardOutput = true };
            info.ArgumentList.Add(script);
            info.ArgumentList.Add(interop);
            _process = Process.Start(info)!;
        }

        public async Task<string> CommandAsync(string command, bool expectReply = true)
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            if (!expectReply) return "";
            return await _process.StandardOutput.ReadLineAsync() ?? throw new InvalidOperationException("graphql-js (node) ended");
        }

        public void Dispose()
        {
            if (!_process.HasExited) _process.Kill();
            _process.Dispose();
        }
    }
}

// The same data as engine.mjs makes, as plain objects whose properties the fields read.
public sealed record EngineEvidence(string Id, string Title, string StudyDesign, int SampleSize, bool IndependentOfSupplier, string Citation);

public sealed record EngineTechnology(string Id, string Name, string Supplier, string Category, bool Approved, double RiskScore, string RegisteredAt,
    IReadOnlyList<EngineEvidence> Evidence)
{
    private static readonly string[] s_categories = ["monitoring", "communication", "therapy", "safety"];
    private static readonly string[] s_designs = ["cohort", "rct", "case-series"];

    public static readonly IReadOnlyList<EngineTechnology> All = Enumerable.Range(0, 100).Select(i => new EngineTechnology(
        $"t{i}", $"Technology {i}", $"Supplier {i % 7}", s_categories[i % 4], i % 3 != 0, (i % 10) / 4.0, $"2026-01-{i % 28 + 1:00}T09:00:00Z",
        Enumerable.Range(0, 8).Select(j => new EngineEvidence($"t{i}-e{j}", $"Study {j} of Technology {i}", s_designs[j % 3], 40 + i + j,
            (i + j) % 2 == 0, $"Report {j} on Technology {i}")).ToList())).ToList();
}

public sealed class EngineSchema : Schema
{
    public EngineSchema(IServiceProvider services) : base(services) => Query = services.GetRequiredService<EngineQuery>();
}

public sealed class EngineQuery : ObjectGraphType
{
    public EngineQuery()
    {
        Name = "Query";
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<EngineTechnologyType>>>>("technologies")
            .Argument<NonNullGraphType<IntGraphType>>("first")
            .Resolve(c => EngineTechnology.All.Take(c.GetArgument<int>("first")));
    }
}

public sealed class EngineTechnologyType : ObjectGraphType<EngineTechnology>
{
    public EngineTechnologyType()
    {
        Name = "Technology";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Name);
        Field(x => x.Supplier);
        Field(x => x.Category);
        Field(x => x.Approved);
        Field(x => x.RiskScore);
        Field(x => x.RegisteredAt);
        Field<NonNullGraphType<ListGraphType<NonNullGraphType<EngineEvidenceType>>>>("evidence").Resolve(c => c.Source.Evidence);
    }
}

public sealed class EngineEvidenceType : ObjectGraphType<EngineEvidence>
{
    public EngineEvidenceType()
    {
        Name = "EvidenceItem";
        Field(x => x.Id, type: typeof(NonNullGraphType<IdGraphType>));
        Field(x => x.Title);
        Field(x => x.StudyDesign);
        Field(x => x.SampleSize);
        Field(x => x.IndependentOfSupplier);
        Field(x => x.Citation);
    }
}
