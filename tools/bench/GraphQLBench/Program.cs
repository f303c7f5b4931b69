using System.Globalization;

namespace Platform.Tools.GraphQLBench;

// The gateway's GraphQL, measured side by side (tools/bench/README.md, "GraphQL"):
//   dotnet GraphQLBench.dll dashboard [--patients 10000] [--rounds 9] [--requests 20] [--warmup 10]
//       the full trust dashboard query through the gateway against the same data by direct gRPC calls (p95 ratio)
//   dotnet GraphQLBench.dll cold [--patients 10000] [--runs 1] [--requests 10] [--compare | --compare-env NAME=VALUE]
//       the first dashboard after the four services and the gateway start as processes of their own (readiness time,
//       first dashboard at the default timeout, warm p95); --compare alternates runs with the start-up warm-up off and on,
//       --compare-env runs without and with an environment variable (a runtime setting) in the five processes
//   dotnet GraphQLBench.dll engine [--rounds 9] [--duration 2]
//       GraphQL.NET against graphql-js on one mid-size in-memory query (throughput ratio); needs
//       `npm ci --prefix tests/interop` (graphql-js)
public static class Program
{
    public static async Task<int> Main(string[] args) => args.FirstOrDefault() switch
    {
        "dashboard" => await DashboardBench.RunAsync(args),
        "engine" => await EngineBench.RunAsync(args),
        "cold" => await ColdStartBench.RunAsync(args),
        "gateway-host" => await ColdStartBench.HostGatewayAsync(args),
        _ => Usage(),
    };

    private static int Usage()
    {
        Console.Error.WriteLine("usage: GraphQLBench dashboard [--patients 10000] [--rounds 9] [--requests 20] [--warmup 10] | cold [--patients 10000] [--runs 1] [--requests 10] [--compare | --compare-env NAME=VALUE] | engine [--rounds 9] [--duration 2]");
        return 2;
    }

    internal static int Option(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }

    internal static string InteropDirectory()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "tests", "interop", "package.json"))) return Path.Combine(d.FullName, "tests", "interop");
        throw new InvalidOperationException("tests/interop not found: run the bench from the repository's build output");
    }
}
