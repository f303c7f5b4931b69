using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Audit.Api.Grpc;
using Platform.Consent.Api.Grpc;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Evidence.Api.Grpc;
using Platform.Gateway.GraphQL;
using Platform.Procurement.Api.Grpc;
using Platform.ServiceDefaults;
using Platform.Testing;
using Platform.Tools.AuditServiceBench;
using Platform.Tools.ConsentBench;

namespace Platform.Tools.GraphQLBench;

// The full trust dashboard query (dashboard.graphql: every panel of Query.trust a trust's staff see at once: the
// technology register with each technology's evidence, appraisals and approval status per setting with its open
// gates; blanket-use signals on 100 wards; one ward's active uses with their lawful basis; overdue reviews; consent
// required after capacity regained; the sweep's raised blanket-use signals; the audit checkpoint and log) for a trust
// of 10,000 patients (the consent bench's trust: 400 wards, 50 approved technologies, about 40,000 uses) through the
// gateway's GraphQL endpoint, beside the same data fetched by the equivalent direct gRPC calls a dashboard would
// otherwise make itself (the same calls the resolvers make, as concurrently: ListTechnologies; ListEvidenceItems and
// ListAppraisals per technology; ListCases once and ListOpenGatesForCases per 200 cases (ADR 0043); DetectBlanketUseForWards per 200 wards (ADR 0044); ListUses,
// ListOverdueReviews, ListConsentRequired, ListBlanketUseSignals; GetCheckpoint; ListEntries). The four services are
// their real apps on real PostgreSQL 15 (Platform.Testing), in this process; the gateway is composed as gateway/Gateway
// composes its GraphQL, over HTTP/1.1 on loopback. One request at a time (a dashboard loading); rounds alternate the
// order of the two targets; p95 ratio is the median of per-round ratios. Before measuring, the gateway's answer must
// hold the same data as the direct calls' (counts of every panel); the run exits 1 otherwise.
internal static class DashboardBench
{
    private const string Tenant = Trust.Tenant; // RX3

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Program.Option(args, "--rounds", 9);
        var perRound = Program.Option(args, "--requests", 20);
        var patients = Program.Option(args, "--patients", 10_000);
        var warmup = Program.Option(args, "--warmup", 10);
        // The gateway's per-operation timeout and per-call deadline in seconds (its defaults are 10 and 5). With the ward
        // lists in it the full dashboard at 10,000 patients outlived 10 s under load (a 504 in the warm-up, 2026-12-04).
        var timeout = Program.Option(args, "--timeout", 10);
        // How many calls each per-key loader has in flight at once (GraphQL:LoaderCallsAtOnce, default 8); the direct side
        // holds each of its per-key fan-outs to the same number, so both make the same calls as concurrently.
        var atOnce = Program.Option(args, "--at-once", new GraphQLOptions().LoaderCallsAtOnce);
        const int Technologies = 50, EvidencePerTechnology = 4, Wards = 100;

        // WebApplicationFactory (under ServiceFactory) reads the services' content roots from MvcTestingAppManifest.json
        // in the current directory: the build output's.
        Environment.CurrentDirectory = AppContext.BaseDirectory;
        var pg = await PostgresServer.SharedAsync();
        var started = await Task.WhenAll(
            Start<ConsentGrpcService>("consent"), Start<ProcurementGrpcService>("procurement"),
            Start<EvidenceGrpcService>("evidence"), Start<AuditGrpcService>("audit"));
        var consent = (ServiceFactory<ConsentGrpcService>)started[0];
        var procurement = (ServiceFactory<ProcurementGrpcService>)started[1];
        var evidence = (ServiceFactory<EvidenceGrpcService>)started[2];
        var audit = (ServiceFactory<AuditGrpcService>)started[3];

        var clock = Stopwatch.StartNew();
        var trust = new Trust(patients, Technologies, seed: 19, DateTime.UtcNow);
        var (rows, _) = await trust.SeedAsync(consent.Services);
        await SeedRegisterAsync(procurement, evidence, Technologies, EvidencePerTechnology);
        var wards = trust.Wards.Take(Wards).ToArray();
        Console.WriteLine($"GraphQLBench dashboard  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {Stats.LoadAverage()}  trust {Tenant}");
        Console.WriteLine($"seeded {patients:N0} patients ({rows:N0} consent rows), {Technologies} technologies with {EvidencePerTechnology} evidence items each, in {clock.Elapsed.TotalSeconds:F0} s");

        await using var gateway = await StartGatewayAsync(consent, procurement, evidence, audit, TimeSpan.FromSeconds(timeout), atOnce);
        var roles = new[] { "procurement-lead", "ward-manager", "auditor", "clinician" };
        var token = TestTokens.Shared.Mint(Tenant, roles, lifetime: TimeSpan.FromHours(6));
        using var http = new HttpClient { BaseAddress = gateway.Address };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        http.DefaultRequestHeaders.Accept.ParseAdd("application/graphql-response+json");
        var ward = wards[0];
        var body = new JsonObject
        {
            ["query"] = Query,
            ["variables"] = new JsonObject { ["wards"] = new JsonArray(wards.Select(w => (JsonNode)w).ToArray()), ["ward"] = ward },
        }.ToJsonString();

        async Task<JsonNode> ThroughGatewayAsync()
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/graphql", content);
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{(int)response.StatusCode}: {text}");
            return JsonNode.Parse(text)!;
        }

        var headers = new Metadata { { "Authorization", $"Bearer {token}" } };
        using var procurementChannel = GrpcChannel.ForAddress(procurement.GrpcAddress);
        using var evidenceChannel = GrpcChannel.ForAddress(evidence.GrpcAddress);
        using var consentChannel = GrpcChannel.ForAddress(consent.GrpcAddress);
        using var auditChannel = GrpcChannel.ForAddress(audit.GrpcAddress);
        var procurementClient = new ProcurementService.ProcurementServiceClient(procurementChannel);
        var evidenceClient = new EvidenceService.EvidenceServiceClient(evidenceChannel);
        var consentClient = new ConsentService.ConsentServiceClient(consentChannel);
        var auditClient = new AuditService.AuditServiceClient(auditChannel);

        // One call per item, at most atOnce in flight at once: as each of the gateway's per-key loaders makes them.
        async Task<int[]> EachAsync<T>(IReadOnlyList<T> items, Func<T, Task<int>> call)
        {
            using var slots = new SemaphoreSlim(atOnce);
            return await Task.WhenAll(items.Select(async item =>
            {
                await slots.WaitAsync();
                try { return await call(item); }
                finally { slots.Release(); }
            }));
        }

        // What the resolvers ask for, asked directly: the register's first page (one more than shown, as the
        // connection does to know whether there is a next page), each shown technology's evidence and appraisals, the
        // trust's cases in one call and their open gates in one, each ward's signals, the ward lists' first pages, the
        // audit checkpoint and the log's first page; the panels concurrently.
        async Task<Direct> DirectAsync()
        {
            async Task<(IReadOnlyList<Technology>, IReadOnlyList<int>, IReadOnlyList<int>, int, int)> RegisterAsync()
            {
                var page = await procurementClient.ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = Technologies + 1 }, headers);
                var shown = page.Technologies.Take(Technologies).ToList();
                var items = EachAsync(shown, async t =>
                    (await evidenceClient.ListEvidenceItemsAsync(new ListEvidenceItemsRequest { TechnologyId = t.TechnologyId }, headers)).Items.Count);
                var appraisals = EachAsync(shown, async t =>
                    (await evidenceClient.ListAppraisalsAsync(new ListAppraisalsRequest { TechnologyId = t.TechnologyId }, headers)).Appraisals.Count);
                var ids = shown.Select(t => t.TechnologyId).ToHashSet();
                var cases = (await procurementClient.ListCasesAsync(new ListCasesRequest(), headers)).Cases.Where(c => ids.Contains(c.TechnologyId)).ToList();
                // The cases' open gates in calls of at most 200 (ListOpenGatesForCases, ADR 0043), as the gateway's loader asks.
                var gates = await EachAsync(cases.Chunk(200).ToList(), async chunk =>
                {
                    var request = new ListOpenGatesForCasesRequest();
                    request.Queries.AddRange(chunk.Select(c => new ListOpenGatesRequest { CaseId = c.CaseId, Kind = ApprovalKind.Full }));
                    return (await procurementClient.ListOpenGatesForCasesAsync(request, headers)).Results.Sum(r => r.OpenGates.Count);
                });
                return (shown, await items, await appraisals, cases.Count, gates.Sum());
            }

            async Task<long?> CheckpointAsync()
            {
                try { return (await auditClient.GetCheckpointAsync(new GetCheckpointRequest(), headers)).TreeSize; }
                catch (RpcException e) when (e.StatusCode == StatusCode.NotFound) { return null; }
            }

            var register = RegisterAsync();
            // The wards' blanket use in calls of at most 200 (DetectBlanketUseForWards, ADR 0044), as the gateway's loader asks.
            var signals = EachAsync(wards.Chunk(200).ToList(), async chunk =>
            {
                var request = new DetectBlanketUseForWardsRequest();
                request.WardCodes.AddRange(chunk);
                return (await consentClient.DetectBlanketUseForWardsAsync(request, headers)).Wards.Sum(w => w.Signals.Count);
            });
            var usesRequest = new ListUsesRequest { WardCode = ward, PageSize = 100 };
            usesRequest.Statuses.Add(UseStatus.Active);
            var uses = consentClient.ListUsesAsync(usesRequest, headers).ResponseAsync;
            var overdue = consentClient.ListOverdueReviewsAsync(new ListOverdueReviewsRequest { PageSize = 50 }, headers).ResponseAsync;
            var consentRequired = consentClient.ListConsentRequiredAsync(new ListConsentRequiredRequest { PageSize = 50 }, headers).ResponseAsync;
            var raised = consentClient.ListBlanketUseSignalsAsync(new ListBlanketUseSignalsRequest { PageSize = 20 }, headers).ResponseAsync;
            var checkpoint = CheckpointAsync();
            var entries = auditClient.ListEntriesAsync(new ListEntriesRequest { PageSize = 51 }, headers).ResponseAsync;
            var (technologies, evidenceCounts, appraisalCounts, caseCount, openGates) = await register;
            return new Direct(technologies.Select(t => t.Name).ToList(), evidenceCounts, appraisalCounts, caseCount, openGates, (await signals).Sum(),
                (await uses).Uses.Count, (await overdue).Uses.Count, (await consentRequired).Uses.Count, (await raised).Signals.Count, await checkpoint,
                (await entries).Entries.Take(50).Select(e => e.Sequence).ToList());
        }

        var targets = new (string Name, Func<Task> Run)[]
        {
            ("gateway GraphQL (POST /graphql)", ThroughGatewayAsync),
            ("direct gRPC calls", DirectAsync),
        };
        // The warm-up's times are printed: the first dashboard through the gateway also pays the services' cold start
        // (their handlers' first calls, PostgreSQL's cold cache), since it runs before the first direct one.
        for (var w = 0; w < warmup; w++)
            foreach (var (name, run) in targets)
            {
                var one = Stopwatch.StartNew();
                await run();
                Console.WriteLine($"warm-up {w + 1}: {name} {one.Elapsed.TotalMilliseconds:F0} ms");
            }

        // The same answer both ways, before anything is timed (after the warm-up, which fills the audit log's first page).
        var viaGateway = await ThroughGatewayAsync();
        var direct = await DirectAsync();
        if (viaGateway["errors"] is not null)
        {
            Console.WriteLine($"the gateway answered with errors: {viaGateway["errors"]!.ToJsonString()}");
            return 1;
        }
        if (!SameData(viaGateway["data"]!["trust"]!, direct, out var why))
        {
            Console.WriteLine($"the gateway's answer differs from the direct calls': {why}");
            return 1;
        }
        Console.WriteLine($"same data both ways: {direct.Technologies.Count} technologies, {direct.EvidenceCounts.Sum()} evidence items, {direct.AppraisalCounts.Sum()} appraisals, " +
            $"{direct.Cases} cases with {direct.OpenGates} open gates, {direct.Signals} blanket-use signals on {Wards} wards, {direct.ActiveUses} active uses on ward {ward}, " +
            $"{direct.Overdue} overdue reviews, {direct.ConsentRequired} consent required, {direct.Raised} raised signals, {direct.AuditEntries.Count} audit entries; " +
            $"the gateway's JSON is {viaGateway.ToJsonString().Length:N0} characters");

        var cpu = new CpuMeter(pg.Port);
        var results = targets.Select(_ => new List<Round>()).ToArray();
        Console.WriteLine($"{rounds} rounds of {perRound} requests per target, one at a time, the order alternating; {warmup} warm-up requests per target first; at most {atOnce} calls at once per per-key loader (both sides)");
        for (var round = 0; round < rounds; round++)
        {
            foreach (var t in round % 2 == 0 ? new[] { 0, 1 } : [1, 0])
            {
                var times = new List<double>(perRound);
                var (process, postgres) = (CpuMeter.ProcessMs(), cpu.PostgresMs());
                var wall = Stopwatch.StartNew();
                for (var i = 0; i < perRound; i++)
                {
                    var one = Stopwatch.StartNew();
                    await targets[t].Run();
                    times.Add(one.Elapsed.TotalMilliseconds);
                }
                results[t].Add(new Round(Stats.Percentile(times, 0.5), Stats.Percentile(times, 0.95), perRound / wall.Elapsed.TotalSeconds,
                    (CpuMeter.ProcessMs() - process) / perRound, (cpu.PostgresMs() - postgres) / perRound));
            }
            Console.WriteLine($"round {round + 1}: {string.Join("   ", targets.Select((x, i) => $"{x.Name}: p50 {results[i][^1].P50,6:F1} ms p95 {results[i][^1].P95,6:F1} ms"))}  load {Stats.LoadAverage()}");
        }

        for (var t = 0; t < targets.Length; t++)
        {
            var r = results[t];
            Console.WriteLine($"{targets[t].Name,-32} median of rounds: p50 {Stats.Median(r.Select(x => x.P50)),6:F1} ms  p95 {Stats.Median(r.Select(x => x.P95)),6:F1} ms  " +
                $"{Stats.Median(r.Select(x => x.PerSecond)),5:F1} dashboards/s  CPU per dashboard: this process {Stats.Median(r.Select(x => x.ProcessCpuMs)),6:F1} ms, PostgreSQL {Stats.Median(r.Select(x => x.PostgresCpuMs)),6:F1} ms");
        }

        double RatioOf(Func<Round, double> f) => Stats.Median(Enumerable.Range(0, rounds).Select(i => f(results[0][i]) / f(results[1][i])));
        var p95Ratios = Enumerable.Range(0, rounds).Select(i => results[0][i].P95 / results[1][i].P95).ToList();
        Console.WriteLine($"gateway / direct p95 = {Stats.Median(p95Ratios):F2} median of rounds ({string.Join(", ", p95Ratios.Select(x => x.ToString("F2")))})  (aim < 1.5)");
        Console.WriteLine($"gateway / direct p50 = {RatioOf(x => x.P50):F2}; throughput {RatioOf(x => x.PerSecond):F2}; CPU per dashboard (this process) {RatioOf(x => x.ProcessCpuMs):F2}, PostgreSQL {RatioOf(x => x.PostgresCpuMs):F2}");
        Console.WriteLine($"load average at the end: {Stats.LoadAverage()}");

        foreach (var service in started) await ((IAsyncDisposable)service).DisposeAsync();
        return 0;
    }

    /// <summary>The full trust dashboard (dashboard.graphql beside this program; LimitTests runs the same file).</summary>
    public static string Query => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "dashboard.graphql"));

    private sealed record Direct(IReadOnlyList<string> Technologies, IReadOnlyList<int> EvidenceCounts, IReadOnlyList<int> AppraisalCounts, int Cases, int OpenGates,
        int Signals, int ActiveUses, int Overdue, int ConsentRequired, int Raised, long? Checkpoint, IReadOnlyList<long> AuditEntries);

    private sealed record Round(double P50, double P95, double PerSecond, double ProcessCpuMs, double PostgresCpuMs);

    private static bool SameData(JsonNode trust, Direct direct, out string why)
    {
        var edges = trust["technologies"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();
        var names = edges.Select(n => n["name"]!.GetValue<string>()).ToList();
        var counts = edges.Select(n => n["evidence"]!["totalCount"]!.GetValue<int>()).ToList();
        var appraisals = edges.Select(n => n["appraisals"]!["totalCount"]!.GetValue<int>()).ToList();
        var cases = edges.Sum(n => n["settings"]!["totalCount"]!.GetValue<int>());
        var gates = edges.Sum(n => n["settings"]!["edges"]!.AsArray().Sum(s => s!["node"]!["openGates"]!.AsArray().Count));
        var signals = trust["blanketUseSignals"]!.AsArray().Count;
        int Count(string list) => trust[list]!["edges"]!.AsArray().Count;
        var entries = trust["auditEntries"]!["edges"]!.AsArray().Select(e => e!["node"]!["sequence"]!.GetValue<long>()).ToList();
        why = $"technologies {names.Count} / {direct.Technologies.Count}, evidence {counts.Sum()} / {direct.EvidenceCounts.Sum()}, appraisals {appraisals.Sum()} / {direct.AppraisalCounts.Sum()}, " +
            $"cases {cases} / {direct.Cases}, open gates {gates} / {direct.OpenGates}, signals {signals} / {direct.Signals}, active uses {Count("activeUses")} / {direct.ActiveUses}, " +
            $"overdue {Count("overdueReviews")} / {direct.Overdue}, consent required {Count("consentRequired")} / {direct.ConsentRequired}, raised {Count("raisedBlanketUseSignals")} / {direct.Raised}, " +
            $"audit entries {entries.Count} / {direct.AuditEntries.Count}";
        // The audit log grows with every read of it (each is recorded), so the direct read, made after, may see more
        // of a first page that is not yet full: the gateway's entries must be the first of the direct read's.
        return names.SequenceEqual(direct.Technologies) && counts.SequenceEqual(direct.EvidenceCounts) && appraisals.SequenceEqual(direct.AppraisalCounts)
            && cases == direct.Cases && gates == direct.OpenGates && signals == direct.Signals && Count("activeUses") == direct.ActiveUses
            && Count("overdueReviews") == direct.Overdue && Count("consentRequired") == direct.ConsentRequired && Count("raisedBlanketUseSignals") == direct.Raised
            && entries.Count > 0 && direct.AuditEntries.Take(entries.Count).SequenceEqual(entries);
    }

    /// <summary>Each technology's procurement cases: one per setting type, each with every gate still open.</summary>
    private static readonly string[] CaseSettings = ["acute-adult", "picu"];

    private static async Task<object> Start<T>(string name) where T : class => await ServiceFactory<T>.StartOnPostgresAsync(name);

    // The technology register (procurement) and its evidence (evidence learns each technology from procurement's
    // technology_registered event, delivered as Dapr delivers it), through the services' own methods.
    internal static async Task SeedRegisterAsync(ServiceFactory<ProcurementGrpcService> procurement, ServiceFactory<EvidenceGrpcService> evidence, int count, int perTechnology)
    {
        var register = procurement.GrpcClient<ProcurementService.ProcurementServiceClient>(Tenant, "procurement-lead");
        var reviewer = evidence.GrpcClient<EvidenceService.EvidenceServiceClient>(Tenant, "evidence-reviewer");
        using var sidecar = evidence.CreateHttpClient();
        // Procurement takes a setting only from the directory's open wards (identity's ward_registered, as Dapr delivers it).
        using (var procurementSidecar = procurement.CreateHttpClient())
            foreach (var setting in CaseSettings)
            {
                var (wardCode, wardStatus) = await SidecarDelivery.PublishAsync(procurementSidecar, new Platform.Contracts.Identity.V1.WardRegistered
                {
                    WardCode = $"{setting}-1".ToUpperInvariant(), Name = $"Ward of {setting}", SettingCode = setting, Beds = 20,
                    Actor = new Platform.Contracts.Common.V1.Actor { Subject = "admin-1", Role = "trust-admin" },
                }, Tenant, Guid.NewGuid().ToString());
                if (wardStatus != "SUCCESS") throw new InvalidOperationException($"Procurement did not take ward_registered: {wardCode} {wardStatus}");
            }
        for (var i = 1; i <= count; i++)
        {
            var technology = await register.RegisterTechnologyAsync(new RegisterTechnologyRequest
            {
                Name = $"Technology {i:00}", Supplier = $"Supplier {i % 7}", IntendedUse = "Night-time observations without waking the patient",
                Category = TechnologyCategory.Monitoring,
            });
            var (code, status) = await SidecarDelivery.PublishAsync(sidecar, new TechnologyRegistered
            {
                TechnologyId = technology.TechnologyId, Name = technology.Name, Category = technology.Category, Supplier = technology.Supplier,
            }, Tenant, technology.TechnologyId);
            if (status != "SUCCESS") throw new InvalidOperationException($"Evidence did not take technology_registered: {code} {status}");
            foreach (var setting in CaseSettings)
                await register.OpenCaseAsync(new OpenCaseRequest
                {
                    TechnologyId = technology.TechnologyId, SettingCode = setting, SettingDescription = $"{setting} wards", Purpose = StatedPurpose.PatientSafety,
                });
            for (var e = 1; e <= perTechnology; e++)
                await reviewer.RecordEvidenceItemAsync(new RecordEvidenceItemRequest
                {
                    TechnologyId = technology.TechnologyId, Title = $"Study {e} of {technology.Name}", StudyDesign = StudyDesign.Cohort, SampleSize = 40 + e,
                    IndependentOfSupplier = true, SettingRelevance = SettingRelevance.Direct, Quality = EvidenceQuality.Moderate,
                    Citation = $"Report {e} on {technology.Name}", RiskOfBias = RiskOfBias.SomeConcerns,
                });
        }
    }

    private sealed class GatewayApp(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    // Composed as gateway/Gateway composes its GraphQL (service defaults, AddPlatformGraphQL, MapPlatformGraphQL),
    // in the Testing environment the services run in here, pointing at the four services.
    private static async Task<GatewayApp> StartGatewayAsync(ServiceFactory<ConsentGrpcService> consent, ServiceFactory<ProcurementGrpcService> procurement,
        ServiceFactory<EvidenceGrpcService> evidence, ServiceFactory<AuditGrpcService> audit, TimeSpan timeout, int atOnce)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing", ApplicationName = typeof(DashboardBench).Assembly.GetName().Name });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
        {
            ["GraphQL:Services:Consent"] = consent.GrpcAddress.ToString(),
            ["GraphQL:Services:Procurement"] = procurement.GrpcAddress.ToString(),
            ["GraphQL:Services:Evidence"] = evidence.GrpcAddress.ToString(),
            ["GraphQL:Services:Audit"] = audit.GrpcAddress.ToString(),
            ["Logging:LogLevel:Default"] = "Warning",
            ["GraphQL:Timeout"] = timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["GraphQL:CallDeadline"] = timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
            ["GraphQL:LoaderCallsAtOnce"] = atOnce.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.AddServiceDefaults();
        builder.Services.AddPlatformGraphQL(builder.Configuration);
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapPlatformGraphQL();
        await app.StartAsync();
        return new GatewayApp(app, new Uri($"http://127.0.0.1:{port}"));
    }
}
