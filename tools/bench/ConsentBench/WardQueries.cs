using System.Diagnostics;
using Grpc.Core;
using C = Platform.Contracts.Consent.V1;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// The ward queries (issue 17) over one full 40-bed ward (<see cref="Trust.QueryWard"/>) of the 10,000-patient trust,
/// each timed as a ratio to one CheckUse round trip measured beside it: per round, one call at a time from one client
/// on one HTTP/2 connection, <c>calls</c> CheckUse round trips (a random patient of that ward and one of their uses)
/// and <c>calls</c> of each query (the whole ward: every page at the default page size of 50; the two blanket-use kinds
/// over the trust's first 100 wards, ADR 0044), the order of the seven
/// alternating round by round. Each query's figure is the median over rounds of its mean time per call divided by
/// that round's mean CheckUse time; the CPU per call is this process's (service and client, they share it) and
/// PostgreSQL's, per call of each kind.
/// </summary>
public static class WardQueryPhase
{
    /// <summary>The wards of a large trust's dashboard (GraphQLBench's dashboard names 100).</summary>
    public const int DashboardWards = 100;

    public sealed record Row(string Name, double MeanMicros, double Ratio, double ProcessCpuMicros, double PostgresCpuMicros, int Items);

    public static async Task<IReadOnlyList<Row>> RunAsync(Uri address, string token, Trust trust, int rounds, int calls, Func<double> postgresCpuSeconds)
    {
        using var clients = ConsentClients.Create(address, token);
        var client = clients.First;
        var onWard = trust.Patients.Where(p => p.Ward == Trust.QueryWard).ToArray();
        var rng = new Random(17);
        var kinds = new (string Name, Func<Task<int>> Call)[]
        {
            ("CheckUse (one round trip)", async () =>
            {
                var p = onWard[rng.Next(onWard.Length)];
                await client.CheckUseAsync(new C.CheckUseRequest { PatientId = p.Id.ToString(), TechnologyId = p.Uses[0].TechnologyId.ToString(), WardCode = p.Ward, Purpose = C.UsePurpose.DirectCareOrTreatment });
                return 1;
            }),
            ("ListUses by ward (all pages)", () => AllPagesAsync(async token => { var r = await client.ListUsesAsync(new C.ListUsesRequest { WardCode = Trust.QueryWard, PageToken = token }); return (r.Uses.Count, r.NextPageToken); })),
            ("ListOverdueReviews (all pages)", () => AllPagesAsync(async token => { var r = await client.ListOverdueReviewsAsync(new C.ListOverdueReviewsRequest { WardCode = Trust.QueryWard, PageToken = token }); return (r.Uses.Count, r.NextPageToken); })),
            ("ListConsentRequired (all pages)", () => AllPagesAsync(async token => { var r = await client.ListConsentRequiredAsync(new C.ListConsentRequiredRequest { WardCode = Trust.QueryWard, PageToken = token }); return (r.Uses.Count, r.NextPageToken); })),
            ("ListBlanketUseSignals (all pages)", () => AllPagesAsync(async token => { var r = await client.ListBlanketUseSignalsAsync(new C.ListBlanketUseSignalsRequest { WardCode = Trust.QueryWard, PageToken = token }); return (r.Signals.Count, r.NextPageToken); })),
            // A trust dashboard's blanket-use panel (ADR 0044): 100 wards one DetectBlanketUse at a time, against one DetectBlanketUseForWards.
            ("DetectBlanketUse x100 wards (one call each)", async () =>
            {
                var n = 0;
                foreach (var w in trust.Wards.Take(DashboardWards)) n += (await client.DetectBlanketUseAsync(new C.DetectBlanketUseRequest { WardCode = w })).Signals.Count;
                return n;
            }),
            ("DetectBlanketUseForWards (100 wards, one call)", async () =>
                (await client.DetectBlanketUseForWardsAsync(new C.DetectBlanketUseForWardsRequest { WardCodes = { trust.Wards.Take(DashboardWards) } })).Wards.Sum(w => w.Signals.Count)),
        };

        // Warm: tier-up and the ward's snapshots in the cache.
        foreach (var (_, call) in kinds) for (var i = 0; i < calls; i++) await call();

        var means = kinds.Select(_ => new List<double>()).ToArray();
        var cpu = new double[kinds.Length];
        var pgCpu = new double[kinds.Length];
        var items = new int[kinds.Length];
        var me = Process.GetCurrentProcess();
        for (var round = 0; round < rounds; round++)
        {
            var order = Enumerable.Range(0, kinds.Length).ToArray();
            if (round % 2 == 1) Array.Reverse(order);
            foreach (var k in order)
            {
                me.Refresh();
                var (cpu0, pg0) = (me.TotalProcessorTime, postgresCpuSeconds());
                var clock = Stopwatch.StartNew();
                for (var i = 0; i < calls; i++) items[k] = await kinds[k].Call();
                clock.Stop();
                me.Refresh();
                cpu[k] += (me.TotalProcessorTime - cpu0).TotalSeconds;
                pgCpu[k] += postgresCpuSeconds() - pg0;
                means[k].Add(clock.Elapsed.TotalMicroseconds / calls);
            }
        }
        var ratios = Enumerable.Range(0, kinds.Length).Select(k => Median(Enumerable.Range(0, rounds).Select(r => means[k][r] / means[0][r]))).ToArray();
        return Enumerable.Range(0, kinds.Length)
            .Select(k => new Row(kinds[k].Name, Median(means[k]), ratios[k], cpu[k] * 1e6 / (rounds * calls), pgCpu[k] * 1e6 / (rounds * calls), items[k]))
            .ToList();
    }

    private static async Task<int> AllPagesAsync(Func<string, Task<(int Count, string Next)>> page)
    {
        var total = 0;
        var token = "";
        do
        {
            var (count, next) = await page(token);
            total += count;
            token = next;
        } while (!string.IsNullOrEmpty(token));
        return total;
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
