using System.Diagnostics;
using System.Globalization;
using Platform.Audit.Domain.Tree;

namespace Platform.Tools.AuditBench;

/// <summary>
/// Inclusion and consistency proof latency, and append rate, of the audit log's tree at 10^4, 10^5 and 10^6 entries
/// on the in-memory compact store, measured side by side: each round visits the three sizes in a rotating order,
/// and the headline is the median over rounds of each size's figure, with the 10^6 / 10^4 growth ratio.
/// Proofs are taken at the tree's current size for random leaves (inclusion) and random earlier sizes (consistency),
/// and every inclusion proof (and 200 consistency proofs a round) is verified after the timed window, so a wrong
/// proof fails the run. CPU figures are the process's CPU time over the window divided by the operations.
/// </summary>
public static class Program
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static async Task<int> Main(string[] args)
    {
        var rounds = Option(args, "--rounds", 9);
        var proofsPerRound = Option(args, "--proofs", 20_000);
        var appendsPerRound = Option(args, "--appends", 20_000);
        long[] sizes = [10_000, 100_000, 1_000_000];

        Console.WriteLine($"AuditBench: {rounds} rounds; per round and size {proofsPerRound:N0} inclusion + {proofsPerRound:N0} consistency proofs, {appendsPerRound:N0} single-leaf appends");
        var trees = new Dictionary<long, MerkleTree>();
        var build = Stopwatch.StartNew();
        foreach (var size in sizes) trees[size] = await BuildAsync(size);
        Console.WriteLine($"built trees of {string.Join(", ", sizes.Select(s => s.ToString("N0", Invariant)))} leaves in {build.Elapsed.TotalSeconds:F1} s (batches of 10,000)");

        var results = sizes.ToDictionary(s => s, _ => new List<RoundResult>());
        var random = new Random(6962);
        // One warm-up round, discarded, so every size is measured with JIT-compiled code.
        foreach (var size in sizes) await MeasureAsync(trees[size], await BuildAsync(size), random, proofsPerRound / 10, appendsPerRound / 10);
        for (var round = 0; round < rounds; round++)
        {
            var order = sizes.Skip(round % sizes.Length).Concat(sizes.Take(round % sizes.Length)).ToList();
            foreach (var size in order)
            {
                // Appends go to a fresh copy of the tree at exactly this size, built untimed, so every round
                // measures proofs and appends at the size it names.
                var result = await MeasureAsync(trees[size], await BuildAsync(size), random, proofsPerRound, appendsPerRound);
                results[size].Add(result);
                Console.WriteLine(string.Create(Invariant,
                    $"round {round + 1}  size {size,9:N0}  inclusion p50 {result.InclusionP50Us,6:F2} us p99 {result.InclusionP99Us,6:F2} us CPU {result.InclusionCpuUs,6:F2} us  consistency p50 {result.ConsistencyP50Us,6:F2} us p99 {result.ConsistencyP99Us,6:F2} us CPU {result.ConsistencyCpuUs,6:F2} us  appends {result.AppendsPerSecond,10:N0}/s"));
            }
        }

        Console.WriteLine();
        Console.WriteLine("median of rounds:");
        foreach (var size in sizes)
        {
            var r = results[size];
            Console.WriteLine(string.Create(Invariant,
                $"  {size,9:N0} entries  inclusion p50 {Median(r, x => x.InclusionP50Us),6:F2} us (CPU {Median(r, x => x.InclusionCpuUs):F2} us/proof)  consistency p50 {Median(r, x => x.ConsistencyP50Us),6:F2} us (CPU {Median(r, x => x.ConsistencyCpuUs):F2} us/proof)  appends {Median(r, x => x.AppendsPerSecond),10:N0}/s (CPU {Median(r, x => x.AppendCpuUs):F2} us/append)"));
        }

        var small = results[sizes[0]];
        var large = results[sizes[^1]];
        var inclusionGrowth = Median(large, x => x.InclusionP50Us) / Median(small, x => x.InclusionP50Us);
        var consistencyGrowth = Median(large, x => x.ConsistencyP50Us) / Median(small, x => x.ConsistencyP50Us);
        var inclusionCpuGrowth = Median(large, x => x.InclusionCpuUs) / Median(small, x => x.InclusionCpuUs);
        var consistencyCpuGrowth = Median(large, x => x.ConsistencyCpuUs) / Median(small, x => x.ConsistencyCpuUs);
        var appendRatio = Median(large, x => x.AppendsPerSecond) / Median(small, x => x.AppendsPerSecond);
        Console.WriteLine(string.Create(Invariant, $"growth 10^4 -> 10^6: inclusion p50 x{inclusionGrowth:F2} (CPU x{inclusionCpuGrowth:F2}), consistency p50 x{consistencyGrowth:F2} (CPU x{consistencyCpuGrowth:F2})  (target < 2)"));
        Console.WriteLine(string.Create(Invariant, $"append rate at 10^6 / at 10^4: {appendRatio:F2}"));
        var pass = inclusionGrowth < 2 && consistencyGrowth < 2;
        Console.WriteLine(pass ? "PASS: proof latency grows less than 2x from 10^4 to 10^6 entries" : "FAIL: proof latency grew 2x or more");
        return pass ? 0 : 1;
    }

    private sealed record RoundResult(
        double InclusionP50Us, double InclusionP99Us, double InclusionCpuUs,
        double ConsistencyP50Us, double ConsistencyP99Us, double ConsistencyCpuUs,
        double AppendsPerSecond, double AppendCpuUs);

    private static async Task<MerkleTree> BuildAsync(long size)
    {
        var tree = new MerkleTree(new InMemoryMerkleNodeStore());
        for (long at = 0; at < size; at += 10_000)
        {
            await tree.AppendAsync(Enumerable.Range(0, (int)Math.Min(10_000, size - at)).Select(i => Leaf(at + i)).ToList());
        }

        return tree;
    }

    private static async Task<RoundResult> MeasureAsync(MerkleTree tree, MerkleTree appendTree, Random random, int proofs, int appends)
    {
        var size = await tree.GetSizeAsync();
        var root = await tree.RootAsync(size);
        var latencies = new double[proofs];
        var made = new (long Index, IReadOnlyList<byte[]> Proof)[proofs];
        var cpu = ProcessCpu();
        for (var i = 0; i < proofs; i++)
        {
            var index = random.NextInt64(size);
            var start = Stopwatch.GetTimestamp();
            var proof = await tree.InclusionProofAsync(index, size);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            made[i] = (index, proof);
        }

        var inclusionCpu = (ProcessCpu() - cpu).TotalMicroseconds / proofs;
        // Checked after the timed window: a wrong proof fails the run.
        foreach (var (index, proof) in made)
        {
            if (!MerkleProof.VerifyInclusion(index, size, Leaf(index), proof, root)) throw new InvalidOperationException($"Inclusion proof {index}/{size} did not verify.");
        }

        var inclusion = Percentiles(latencies);

        var consistencyLatencies = new double[proofs];
        var checks = new List<(long Size1, IReadOnlyList<byte[]> Proof)>(Math.Min(proofs, 200));
        cpu = ProcessCpu();
        for (var i = 0; i < proofs; i++)
        {
            var size1 = random.NextInt64(1, size);
            var start = Stopwatch.GetTimestamp();
            var proof = await tree.ConsistencyProofAsync(size1, size);
            consistencyLatencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (checks.Count < 200) checks.Add((size1, proof));
        }

        var consistencyCpu = (ProcessCpu() - cpu).TotalMicroseconds / proofs;
        foreach (var (size1, proof) in checks)
        {
            if (!MerkleProof.VerifyConsistency(size1, size, await tree.RootAsync(size1), root, proof)) throw new InvalidOperationException($"Consistency proof {size1}->{size} did not verify.");
        }

        var consistency = Percentiles(consistencyLatencies);

        var leaves = Enumerable.Range(0, appends).Select(i => Leaf(size + i)).ToList();
        cpu = ProcessCpu();
        var appendClock = Stopwatch.StartNew();
        foreach (var leaf in leaves) await appendTree.AppendAsync([leaf]);
        var appendSeconds = appendClock.Elapsed.TotalSeconds;
        var appendCpu = (ProcessCpu() - cpu).TotalMicroseconds / appends;
        if (await appendTree.GetSizeAsync() != size + appends || !(await appendTree.RootAsync(size)).AsSpan().SequenceEqual(root)) throw new InvalidOperationException("The appends did not extend the tree they started from.");

        return new RoundResult(inclusion.P50, inclusion.P99, inclusionCpu, consistency.P50, consistency.P99, consistencyCpu, appends / appendSeconds, appendCpu);
    }

    private static byte[] Leaf(long i) => MerkleHash.Leaf(BitConverter.GetBytes(i));

    private static (double P50, double P99) Percentiles(double[] values)
    {
        Array.Sort(values);
        return (values[values.Length / 2], values[(int)(values.Length * 0.99)]);
    }

    private static double Median(List<RoundResult> results, Func<RoundResult, double> pick)
    {
        var values = results.Select(pick).Order().ToList();
        return values[values.Count / 2];
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], Invariant, out var value) ? value : fallback;
    }
}
