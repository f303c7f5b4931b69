using System.Net;
using GraphQL;
using GraphQL.Types;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Gateway.GraphQL.Loading;
using Platform.Gateway.GraphQL.Protection;
using Platform.Gateway.GraphQL.Schema;
using Platform.ServiceDefaults.Tenancy;
using Xunit;
using ConsentDomain = Platform.Consent.Domain;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// Blanket use on the dashboards (issue 19, principle 2, ADR 0044): the trust's wards' signals in one consent call per
/// request batch; the region analyst's counts of the month's signals by kind and setting, suppressed, in one call per
/// request, with no ward, technology, use or patient; a trust's token never reaches them.
/// </summary>
[Collection(Dashboard.Name)]
public sealed class BlanketUseTests(DashboardHosts hosts)
{
    private const string RegionQuery = """
        { region { blanketUseSignals { period periodStart periodEnd suppressionThreshold trusts countedAt
            tables { dimension categories rows { odsCode cells { suppressed signals } total { suppressed signals } } } } } }
        """;

    /// <summary>Signals as consent's sweep stores them, raised at <paramref name="raisedAt"/>, one per technology.</summary>
    private async Task SignalsAsync(string trust, string ward, ConsentDomain.BlanketSignalKind kind, DateTime raisedAt, int count)
    {
        await using var scope = hosts.Consent.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(trust);
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        for (var i = 0; i < count; i++)
            db.RaisedBlanketSignals.Add(new RaisedBlanketSignal
            {
                Id = Guid.NewGuid(), SignalKey = Guid.NewGuid().ToString("N"), Kind = kind, WardCode = ward, TechnologyId = Guid.NewGuid(),
                UseCount = 4, UseIds = [Guid.NewGuid().ToString()], RaisedAt = raisedAt,
            });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task The_region_analyst_gets_last_months_signals_suppressed_in_one_call_and_a_trust_token_is_refused_before_any_call()
    {
        var (a, b) = (Seed.NewTrust(), Seed.NewTrust());
        // Consent counts the last complete calendar month of its own clock (the real one here).
        var thisMonth = new DateTime(DateTime.UtcNow.Year, DateTime.UtcNow.Month, 1, 0, 0, 0, DateTimeKind.Utc);
        var lastMonth = thisMonth.AddMonths(-1);
        await SignalsAsync(a, "W1", ConsentDomain.BlanketSignalKind.HighShareOfWard, lastMonth.AddDays(3), 6);
        await SignalsAsync(a, "W2", ConsentDomain.BlanketSignalKind.NearIdenticalRationales, lastMonth.AddDays(4), 5);
        await SignalsAsync(b, "W1", ConsentDomain.BlanketSignalKind.HighShareOfWard, lastMonth.AddDays(5), 2);
        await SignalsAsync(b, "W1", ConsentDomain.BlanketSignalKind.HighShareOfWard, thisMonth.AddMinutes(1), 9); // this month: not yet

        // A trust's token, with the dashboard's roles or carrying region-analyst, gets nothing of the region, and no
        // service is asked.
        hosts.ResetCounts();
        foreach (var roles in new[] { GatewayHost.DashboardRoles, ["region-analyst"], ["clinician", "ward-manager"] })
        {
            var (_, refused) = await hosts.Gateway.Client(a, roles).PostAsync(RegionQuery);
            Assert.Equal(["FORBIDDEN"], refused.ErrorCodes());
            Assert.Null(refused!["data"]);
        }
        Assert.Equal(0, hosts.CallsToAllServices);

        var (response, body) = await hosts.Gateway.RegionClient().PostAsync(RegionQuery.Replace("{ region {", "{ region { twice: blanketUseSignals { trusts }", StringComparison.Ordinal));

        Assert.True(response.StatusCode == HttpStatusCode.OK && body!["errors"] is null, body?.ToJsonString());
        Assert.Equal(1, hosts.ConsentCalls["GetRegionalBlanketUseSignals"]);
        Assert.Equal(1, hosts.CallsToAllServices);
        var signals = body!["data"]!["region"]!["blanketUseSignals"]!;
        Assert.Equal($"{lastMonth:yyyy-MM}", signals["period"]!.GetValue<string>());
        var trusts = signals["trusts"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        var tables = signals["tables"]!.AsArray();
        Assert.Equal(["kind", "setting"], tables.Select(t => t!["dimension"]!.GetValue<string>()));
        Assert.Equal(["high-share-of-ward", "near-identical-rationales"], tables[0]!["categories"]!.AsArray().Select(c => c!.GetValue<string>()));
        var rowA = tables[0]!["rows"]!.AsArray()[trusts.IndexOf(a)]!;
        Assert.True(rowA["cells"]![0]!["suppressed"]!.GetValue<bool>() || rowA["cells"]![0]!["signals"]!.GetValue<int>() == 6, rowA.ToJsonString());
        Assert.True(rowA["total"]!["suppressed"]!.GetValue<bool>() || rowA["total"]!["signals"]!.GetValue<int>() == 11, rowA.ToJsonString());
        // b's two signals of last month: hidden (its nine of this month are not counted at all).
        Assert.True(tables[0]!["rows"]!.AsArray()[trusts.IndexOf(b)]!["total"]!["suppressed"]!.GetValue<bool>(), "b's two signals");
        var cells = tables.SelectMany(t => t!["rows"]!.AsArray()).SelectMany(r => r!["cells"]!.AsArray().Append(r["total"])).ToList();
        Assert.All(cells.Where(c => c!["suppressed"]!.GetValue<bool>()), c => Assert.Null(c!["signals"]));
        Assert.All(cells.Where(c => c!["signals"] is not null), c => Assert.True(c!["signals"]!.GetValue<int>() is 0 or >= 5, $"a small count {c["signals"]} was shown"));
        // Codes and counts: no ward code in the region's answer.
        Assert.DoesNotContain("\"W1\"", body.ToJsonString());
        Assert.DoesNotContain("\"W2\"", body.ToJsonString());
    }

    [Fact]
    public async Task No_field_a_region_token_can_reach_from_the_regions_signals_names_a_ward_a_use_or_a_patient()
    {
        var schema = hosts.Gateway.Services.GetRequiredService<DashboardSchema>();
        schema.Initialize();
        var region = (IComplexGraphType)schema.AllTypes["Region"]!;
        var reached = new List<string>();
        var seen = new HashSet<string>();
        var queue = new Queue<(string Path, FieldType Field)>([("Region.blanketUseSignals", region.GetField("blanketUseSignals")!)]);
        while (queue.Count > 0)
        {
            var (path, field) = queue.Dequeue();
            reached.Add(path);
            Assert.False(field.GetMetadata(PatientDataRule.PatientData, false), $"{path} is marked as patient data");
            Assert.DoesNotContain(field.Name, new[] { "patientId", "useIds", "use", "id", "wardCode", "technologyId", "patientsOnWard", "useCount", "summary" });
            Assert.False(string.IsNullOrWhiteSpace(field.Description), $"{path} has no description");
            if (field.ResolvedType?.GetNamedType() is IComplexGraphType complex && seen.Add(complex.Name))
            {
                Assert.False(string.IsNullOrWhiteSpace(complex.Description), $"{complex.Name} has no description");
                foreach (var next in complex.Fields) queue.Enqueue(($"{complex.Name}.{next.Name}", next));
            }
        }
        Assert.Contains("BlanketSignalCountCell.signals", reached);

        // A region token asking for a trust's ward signals beside the counts gets none: it names no trust.
        hosts.ResetCounts();
        var (_, body) = await hosts.Gateway.RegionClient().PostAsync("{ trust { blanketUseSignals(wardCodes: [\"W1\"]) { kind } } }");
        Assert.Equal(["FORBIDDEN"], body.ErrorCodes());
        Assert.Equal(0, hosts.CallsToAllServices);
    }

    [Fact]
    public async Task A_batch_of_more_wards_than_one_call_takes_is_split_and_each_ward_gets_its_own_signals()
    {
        var consent = new WardEcho();
        var loaders = new DashboardLoaders(new Contracts.Evidence.V1.EvidenceService.EvidenceServiceClient(consent), new ConsentService.ConsentServiceClient(consent),
            new Contracts.Procurement.V1.ProcurementService.ProcurementServiceClient(consent), new GraphQLOptions { LoaderCallsAtOnce = 2 });
        var wards = Enumerable.Range(0, 450).Select(i => $"w{i}").ToList();

        var found = await loaders.BlanketUseByWard.LoadMany(wards).GetResultAsync();

        Assert.Equal([200, 200, 50], consent.Asked.Select(r => r.WardCodes.Count).Order().Reverse());
        Assert.Equal(wards.Order(), consent.Asked.SelectMany(r => r.WardCodes).Order());
        for (var i = 0; i < wards.Count; i++) Assert.Equal(wards[i].ToUpperInvariant(), Assert.Single(found[i]).WardCode);
    }

    /// <summary>Consent's DetectBlanketUseForWards as a fake: each ward answered in the order asked, normalised, with one signal naming it.</summary>
    private sealed class WardEcho : CallInvoker
    {
        public List<DetectBlanketUseForWardsRequest> Asked { get; } = [];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request)
        {
            var asked = Assert.IsType<DetectBlanketUseForWardsRequest>(request);
            lock (Asked) Asked.Add(asked);
            var reply = new DetectBlanketUseForWardsResponse();
            foreach (var ward in asked.WardCodes)
                reply.Wards.Add(new WardBlanketUseSignals { WardCode = ward.ToUpperInvariant(), Signals = { new BlanketUseSignal { WardCode = ward.ToUpperInvariant() } } });
            return new AsyncUnaryCall<TResponse>(Task.FromResult((TResponse)(object)reply), Task.FromResult(new Metadata()), () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();
        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) => throw new NotSupportedException();
        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();
        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) => throw new NotSupportedException();
    }
}
