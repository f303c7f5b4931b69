using System.Diagnostics;
using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;
using Platform.Audit.Api.Application;
using Platform.Audit.Domain.Tree;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;

namespace Platform.Tools.AuditServiceBench;

/// <summary>
/// Inclusion and consistency proof latency of a trust's log through the service's own tree on PostgreSQL
/// (<see cref="AuditLog.Tree"/> over <c>DatabaseMerkleNodeStore</c>: one indexed query for the O(log n) nodes), at
/// 10^4, 10^5 and 10^6 entries, one trust per size. Each tree is built by the domain's <see cref="MerkleTree"/> code
/// over an in-memory store that keeps every node it is given, in appends of 100 leaves (a Dapr bulk delivery's), and
/// each append's tile rows (DatabaseMerkleNodeStore.TileRows: about three runs per 256-leaf tile) are copied (binary
/// COPY) into audit_tree_tiles with the trust's head row, exactly the rows the service's appends would have written. Each proof
/// is timed on its own, from a new DI scope (as a gRPC call gets) to the hashes, and verified against the in-memory
/// tree's root after its timer stops (every inclusion proof, every tenth consistency proof; RFC 9162 §2.1.3.2 /
/// §2.1.4.2), so a wrong proof fails the run. Proofs of the different sizes are interleaved one by one, so the
/// neighbours' load hits every size alike; the growth is the median of per-round ratios.
/// </summary>
internal sealed class ProofBench(WebApplication app, PostgresServer pg, string database, string[] args)
{
    public static readonly string[] Trusts = ["PRF4", "PRF5", "PRF6", "PRF7"];

    private readonly int _rounds = Program.Option(args, "--rounds", 5);
    private readonly int _proofs = Program.Option(args, "--proofs", 1000);
    private readonly int _warmup = Program.Option(args, "--warmup", 300);
    private readonly int _cpuProofs = Program.Option(args, "--cpu-proofs", 200);
    private readonly long[] _sizes = Program.Option(args, "--sizes", "10000,100000,1000000").Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray();
    private readonly CpuMeter _cpu = new(pg.Port);

    private sealed record Seeded(string Trust, long Size, MerkleTree Memory, byte[][] Leaves, byte[] Root);

    private sealed record RoundResult(double InclusionP50, double InclusionP99, double InclusionCpu, double ConsistencyP50, double ConsistencyP99, double ConsistencyCpu);

    public async Task<int> RunAsync()
    {
        if (_sizes.Length > Trusts.Length) throw new ArgumentException($"At most {Trusts.Length} sizes.");
        Console.WriteLine($"AuditServiceBench proofs  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {Stats.LoadAverage()}  sizes {string.Join(", ", _sizes.Select(s => s.ToString("N0", CultureInfo.InvariantCulture)))}; {_rounds} rounds x {_proofs:N0} inclusion + {_proofs:N0} consistency proofs per size interleaved across sizes (then {_cpuProofs:N0} of each per size in a block for CPU), after a warm-up round of {_warmup:N0}");
        var seeded = new List<Seeded>();
        for (var i = 0; i < _sizes.Length; i++) seeded.Add(await SeedAsync(Trusts[i], _sizes[i]));

        var random = new Random(9162);
        await MeasureRoundAsync(seeded, random, _warmup, Math.Min(_warmup, _cpuProofs)); // warm-up, discarded: enough for tiered compilation to settle
        var results = seeded.ToDictionary(s => s.Size, _ => new List<RoundResult>());
        for (var round = 0; round < _rounds; round++)
        {
            var measured = await MeasureRoundAsync(seeded, random, _proofs, _cpuProofs);
            foreach (var s in seeded)
            {
                var r = measured[s.Size];
                results[s.Size].Add(r);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"round {round + 1}  size {s.Size,9:N0}  inclusion p50 {r.InclusionP50,7:F0} us p99 {r.InclusionP99,7:F0} us CPU {r.InclusionCpu,6:F0} us  consistency p50 {r.ConsistencyP50,7:F0} us p99 {r.ConsistencyP99,7:F0} us CPU {r.ConsistencyCpu,6:F0} us"));
            }

            Console.WriteLine($"  load {Stats.LoadAverage()}");
        }

        Console.WriteLine();
        Console.WriteLine("median of rounds (CPU = this process + PostgreSQL, per proof):");
        foreach (var size in _sizes)
        {
            var r = results[size];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  {size,9:N0} entries  inclusion p50 {Stats.Median(r.Select(x => x.InclusionP50)),6:F0} us p99 {Stats.Median(r.Select(x => x.InclusionP99)),6:F0} us (CPU {Stats.Median(r.Select(x => x.InclusionCpu)),4:F0} us)  consistency p50 {Stats.Median(r.Select(x => x.ConsistencyP50)),6:F0} us p99 {Stats.Median(r.Select(x => x.ConsistencyP99)),6:F0} us (CPU {Stats.Median(r.Select(x => x.ConsistencyCpu)),4:F0} us)"));
        }

        var small = results[_sizes[0]];
        var large = results[_sizes[^1]];
        // Per-round ratios of sizes measured back to back in the same round, then their median.
        var inclusionGrowth = Stats.Median(Enumerable.Range(0, _rounds).Select(i => large[i].InclusionP50 / small[i].InclusionP50));
        var consistencyGrowth = Stats.Median(Enumerable.Range(0, _rounds).Select(i => large[i].ConsistencyP50 / small[i].ConsistencyP50));
        var inclusionP99Growth = Stats.Median(Enumerable.Range(0, _rounds).Select(i => large[i].InclusionP99 / small[i].InclusionP99));
        var consistencyP99Growth = Stats.Median(Enumerable.Range(0, _rounds).Select(i => large[i].ConsistencyP99 / small[i].ConsistencyP99));
        var label = $"{_sizes[^1]:N0} / {_sizes[0]:N0}";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"growth {label} (median of per-round ratios): inclusion p50 x{inclusionGrowth:F2} (p99 x{inclusionP99Growth:F2}), consistency p50 x{consistencyGrowth:F2} (p99 x{consistencyP99Growth:F2})  (aim < 2)"));
        Console.WriteLine($"load average at the end: {Stats.LoadAverage()}");
        return inclusionGrowth < 2 && consistencyGrowth < 2 ? 0 : 1;
    }

    private async Task<Seeded> SeedAsync(string trust, long size)
    {
        var clock = Stopwatch.StartNew();
        var store = new KeepingStore();
        var memory = new MerkleTree(store);
        var random = new Random((int)size);
        var leaves = new byte[size][];
        for (long at = 0; at < size; at += 100)
        {
            var batch = new List<byte[]>();
            for (var i = at; i < Math.Min(size, at + 100); i++)
            {
                var data = new byte[64];
                random.NextBytes(data);
                leaves[i] = MerkleHash.Leaf(data);
                batch.Add(leaves[i]);
            }

            await memory.AppendAsync(batch);
        }

        var built = clock.Elapsed.TotalSeconds;
        // The superuser copies (the tables force row-level security on their owner too); the service reads as the app role.
        long rows = 0;
        await using (var conn = new NpgsqlConnection(pg.SuperuserConnectionString(database)))
        {
            await conn.OpenAsync();
            await using (var copy = await conn.BeginBinaryImportAsync("COPY audit_tree_tiles (tenant_id, level, start_index, hashes) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (level, start, hashes) in store.Appends.SelectMany(Platform.Audit.Api.Tree.DatabaseMerkleNodeStore.TileRows))
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(trust, NpgsqlDbType.Varchar);
                    await copy.WriteAsync(level, NpgsqlDbType.Smallint);
                    await copy.WriteAsync(start, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(hashes, NpgsqlDbType.Bytea);
                    rows++;
                }

                await copy.CompleteAsync();
            }

            await using var head = new NpgsqlCommand("INSERT INTO audit_tree_heads (tenant_id, tree_size) VALUES ($1, $2)", conn);
            head.Parameters.AddWithValue(trust);
            head.Parameters.AddWithValue(size);
            await head.ExecuteNonQueryAsync();
            await using var analyze = new NpgsqlCommand("ANALYZE audit_tree_tiles", conn);
            await analyze.ExecuteNonQueryAsync();
        }

        var root = (await memory.HeadAsync()).RootHash;
        Console.WriteLine($"seeded {trust}: {size:N0} entries, {store.Written.Count:N0} tree nodes in {rows:N0} tile rows (built in {built:F1} s, copied in {clock.Elapsed.TotalSeconds - built:F1} s)  load {Stats.LoadAverage()}");
        return new Seeded(trust, size, memory, leaves, root);
    }

    // Latency: proofs interleaved across the sizes one by one (the size order rotating each time), so a burst of the
    // neighbours' load hits every size alike. CPU: then a block of proofs per size, timed by the process's and
    // PostgreSQL's CPU time (a block is the only way to give CPU time to one size).
    private async Task<Dictionary<long, RoundResult>> MeasureRoundAsync(List<Seeded> seeded, Random random, int proofs, int cpuProofs)
    {
        var inclusion = seeded.ToDictionary(s => s.Size, _ => new List<double>(proofs));
        var consistency = seeded.ToDictionary(s => s.Size, _ => new List<double>(proofs));
        for (var i = 0; i < proofs; i++)
        {
            for (var k = 0; k < seeded.Count; k++)
            {
                var s = seeded[(i + k) % seeded.Count];
                inclusion[s.Size].Add(await InclusionAsync(s, random));
                consistency[s.Size].Add(await ConsistencyAsync(s, random, verify: i % 10 == 0));
            }
        }

        var result = new Dictionary<long, RoundResult>();
        foreach (var s in seeded)
        {
            var before = CpuMeter.ProcessMs() + _cpu.PostgresMs();
            for (var i = 0; i < cpuProofs; i++) await InclusionAsync(s, random);
            var inclusionCpu = (CpuMeter.ProcessMs() + _cpu.PostgresMs() - before) * 1000 / cpuProofs;
            before = CpuMeter.ProcessMs() + _cpu.PostgresMs();
            for (var i = 0; i < cpuProofs; i++) await ConsistencyAsync(s, random, verify: false);
            var consistencyCpu = (CpuMeter.ProcessMs() + _cpu.PostgresMs() - before) * 1000 / cpuProofs;
            result[s.Size] = new RoundResult(Stats.Median(inclusion[s.Size]), Stats.Percentile(inclusion[s.Size], 0.99), inclusionCpu,
                Stats.Median(consistency[s.Size]), Stats.Percentile(consistency[s.Size], 0.99), consistencyCpu);
        }

        return result;
    }

    // One inclusion proof for a random leaf, from a new DI scope to the hashes; verified after the timer stops.
    private async Task<double> InclusionAsync(Seeded s, Random random)
    {
        var index = random.NextInt64(s.Size);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<byte[]> proof;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(s.Trust);
            proof = await scope.ServiceProvider.GetRequiredService<AuditLog>().Tree().InclusionProofAsync(index, s.Size);
        }

        var micros = clock.Elapsed.TotalMicroseconds;
        if (!MerkleProof.VerifyInclusion(index, s.Size, s.Leaves[index], proof, s.Root)) throw new InvalidOperationException($"inclusion proof of {index} in {s.Size} does not verify");
        return micros;
    }

    // One consistency proof from a random earlier size; verifying needs the root at that size (O(log n) in memory).
    private async Task<double> ConsistencyAsync(Seeded s, Random random, bool verify)
    {
        var earlier = 1 + random.NextInt64(s.Size - 1);
        var clock = Stopwatch.StartNew();
        IReadOnlyList<byte[]> proof;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(s.Trust);
            proof = await scope.ServiceProvider.GetRequiredService<AuditLog>().Tree().ConsistencyProofAsync(earlier, s.Size);
        }

        var micros = clock.Elapsed.TotalMicroseconds;
        if (verify && !MerkleProof.VerifyConsistency(earlier, s.Size, await s.Memory.RootAsync(earlier), s.Root, proof))
        {
            throw new InvalidOperationException($"consistency proof {earlier} -> {s.Size} does not verify");
        }

        return micros;
    }

    // The in-memory store, plus every node the tree asks it to store, in order: the rows the database store would get.
    private sealed class KeepingStore : IMerkleNodeStore
    {
        private readonly InMemoryMerkleNodeStore _inner = new();

        public List<StoredNode> Written { get; } = [];

        public List<IReadOnlyList<StoredNode>> Appends { get; } = [];

        public ValueTask<long> GetSizeAsync(CancellationToken cancellationToken = default) => _inner.GetSizeAsync(cancellationToken);

        public ValueTask<IReadOnlyDictionary<NodeId, byte[]>> ReadAsync(IReadOnlyCollection<NodeId> ids, CancellationToken cancellationToken = default) =>
            _inner.ReadAsync(ids, cancellationToken);

        public ValueTask AppendAsync(long expectedSize, long newSize, IReadOnlyList<StoredNode> nodes, CancellationToken cancellationToken = default)
        {
            Written.AddRange(nodes);
            Appends.Add(nodes);
            return _inner.AppendAsync(expectedSize, newSize, nodes, cancellationToken);
        }
    }
}
