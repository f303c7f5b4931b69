using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api;
using Platform.Consent.Api.Data;
using Platform.KnownTrusts;
using Platform.ServiceDefaults.Tenancy;
using Platform.Contracts.Consent.V1;
using Platform.Testing;

// CheckUse over REST/JSON (JSON transcoding, HTTP/1.1) against the same check over gRPC (h2c), side by side in one run:
// the real consent service (ConsentApp) on real PostgreSQL, one patient with an active use on her own consent, both
// driven by h2load (nghttp2, in C) with the same number of requests in flight (gRPC: 4 connections x 8 streams; REST:
// 32 HTTP/1.1 connections, as HTTP/1.1 has no streams), in alternating rounds. Reports throughput and server CPU per
// request per target, and the medians of the per-round ratios REST / gRPC.
// Usage: taskset -c 0 dotnet CheckUseRestVsGrpc.dll [--duration 3] [--rounds 7] [--load-cpus 1]
string Arg(string name, string fallback) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault() ?? fallback;
var duration = int.Parse(Arg("duration", "3"), CultureInfo.InvariantCulture);
var rounds = int.Parse(Arg("rounds", "7"), CultureInfo.InvariantCulture);
var loadCpus = Arg("load-cpus", "1");
const string Tenant = "RX3";

var pg = await PostgresServer.SharedAsync();
var database = await pg.CreateDatabaseAsync("restvsgrpc");
var httpPort = FreePort.Next();
var grpcPort = FreePort.Next();
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    ApplicationName = typeof(ConsentApp).Assembly.GetName().Name,
    EnvironmentName = "Production",
    ContentRootPath = AppContext.BaseDirectory,
});
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
{
    ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{httpPort}",
    ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
    ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
    ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
    ["Database:Provider"] = "Postgres",
    ["Database:MigrateAtStartup"] = "true",
    ["Database:AppRole"] = PostgresServer.AppRole,
    ["ConnectionStrings:consent"] = pg.AppConnectionString(database),
    ["ConnectionStrings:consent-owner"] = pg.OwnerConnectionString(database),
    ["Consent:Schedules:Enabled"] = "false",
    ["Logging:LogLevel:Default"] = "Warning",
    ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
});
await using var app = ConsentApp.Build(builder);
await app.StartAsync();

// ---- the trust, as the directory's trust_onboarded event would have made it known (tokens of unknown trusts are refused)
using (var scope = app.Services.CreateScope())
{
    await scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>().RecordAsync(new KnownTrustChange(Tenant, $"Bench trust {Tenant}", Active: true), default);
}

var benchTechnology = Guid.CreateVersion7();

// ---- the ward, as identity's ward events would have put it in consent's directory (the only source of its setting)
using (var scope = app.Services.CreateScope())
{
    scope.ServiceProvider.GetRequiredService<TenantContext>().Use(Tenant);
    var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
    db.Wards.Add(new ConsentWard { TenantId = Tenant, Code = "OAK", SettingCode = "acute-adult", Beds = 18, UpdatedAt = DateTime.UtcNow });
    // The technology, as procurement's technology_registered event would have put it in consent's register.
    db.Technologies.Add(new ConsentTechnology { TenantId = Tenant, Id = benchTechnology, Name = "bedside sleep sensor", LearnedAt = DateTime.UtcNow });
    await db.SaveChangesAsync();
}

// ---- one permitted patient, recorded as a clinician would, over gRPC
var token = TestTokens.Shared.Mint(Tenant, ["clinician", "trust-admin"], lifetime: TimeSpan.FromHours(2));
using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{grpcPort}");
var consent = new ConsentService.ConsentServiceClient(channel);
var auth = new Metadata { { "Authorization", $"Bearer {token}" } };
var technology = (await consent.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest
{
    TechnologyId = benchTechnology.ToString(), TechnologyName = "bedside sleep sensor", SettingCode = "acute-adult", Reason = "Bench set-up: operator override",
}, auth)).TechnologyId;
var patient = (await consent.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = "9434765919", WardCode = "OAK", AgeBand = AgeBand._26To64 }, auth)).PatientId;
await consent.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
{
    PatientId = patient, TechnologyId = technology, Decision = "use of the bedside sleep sensor at night",
    Determination = CapacityDetermination.FunctionalAssessment, AssessedAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddMinutes(-1)),
    AssessedBy = "staff nurse 4411", ImpairmentOfMindOrBrain = false,
    Understand = FunctionalAbility.Able, Retain = FunctionalAbility.Able, UseOrWeigh = FunctionalAbility.Able, Communicate = FunctionalAbility.Able,
}, auth);
await consent.RecordConsentAsync(new RecordConsentRequest
{
    PatientId = patient, TechnologyId = technology, Decision = ConsentDecision.Given, InformationGiven = "easy-read leaflet",
    InformationFormat = AccessibleFormat.EasyRead, RecordedBy = "staff nurse 4411",
}, auth);
var propose = new ProposeUseRequest
{
    TechnologyId = technology, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment,
    CarePlan = new CarePlanItems
    {
        Reason = "falls at night", WhenAndHowUsed = "under the mattress at night", InformationGiven = "easy-read leaflet",
        InformationFormat = AccessibleFormat.EasyRead, DecisionMakingProcess = "ward round", DataUse = "alerts only",
        NextReviewDate = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow.AddDays(30)), ReviewCovers = "falls since",
        HowToWithdraw = "tell any nurse",
    },
};
propose.PatientIds.Add(patient);
var use = await consent.ProposeUseAsync(propose, auth);
await consent.ActivateUseAsync(new ActivateUseRequest { UseId = use.UseId }, auth);

// ---- the two bodies, each checked once to answer PERMIT
var check = new CheckUseRequest { PatientId = patient, TechnologyId = technology, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment };
if ((await consent.CheckUseAsync(check, auth)).Decision != UseCheckDecision.Permit) throw new InvalidOperationException("gRPC CheckUse does not answer PERMIT");
var work = Directory.CreateTempSubdirectory("restvsgrpc-").FullName;
var message = check.ToByteArray();
var frame = new byte[5 + message.Length];
BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
message.CopyTo(frame, 5);
File.WriteAllBytes(Path.Combine(work, "grpc"), frame);
var json = JsonFormatter.Default.Format(check);
File.WriteAllText(Path.Combine(work, "rest"), json);
using (var http = new HttpClient())
{
    using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{httpPort}/consent/v1/uses:check") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
    request.Headers.Authorization = new("Bearer", token);
    var answer = await (await http.SendAsync(request)).Content.ReadAsStringAsync();
    if (!answer.Contains("\"USE_CHECK_DECISION_PERMIT\"", StringComparison.Ordinal)) throw new InvalidOperationException($"REST CheckUse does not answer PERMIT: {answer}");
}

var targets = new (string Name, string[] Shape)[]
{
    ("gRPC (h2c, 4 x 8 streams)", ["-c", "4", "-m", "8", "-d", Path.Combine(work, "grpc"), "-H", "content-type: application/grpc", "-H", "te: trailers",
        $"http://127.0.0.1:{grpcPort}/platform.consent.v1.ConsentService/CheckUse"]),
    ("REST/JSON (HTTP/1.1, 32 connections)", ["--h1", "-c", "32", "-m", "1", "-d", Path.Combine(work, "rest"), "-H", "content-type: application/json",
        $"http://127.0.0.1:{httpPort}/consent/v1/uses:check"]),
};
Console.WriteLine($"CheckUseRestVsGrpc  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {File.ReadAllText("/proc/loadavg")[..14]}  {rounds} rounds x {duration} s per target, alternating order");
foreach (var t in targets) Run(t.Shape, 2); // warm-up, discarded
var results = targets.Select(_ => new List<(double Rate, double CpuMicros)>()).ToArray();
for (var round = 0; round < rounds; round++)
{
    foreach (var i in round % 2 == 0 ? new[] { 0, 1 } : [1, 0]) results[i].Add(Run(targets[i].Shape, duration));
}
for (var i = 0; i < targets.Length; i++)
{
    Console.WriteLine($"{targets[i].Name,-38} median {Median(results[i].Select(r => r.Rate)),8:N0} req/s  server CPU {Median(results[i].Select(r => r.CpuMicros)),6:0.0} us/req  " +
        $"(rounds: {string.Join(", ", results[i].Select(r => $"{r.Rate:N0}/{r.CpuMicros:0.0}"))})");
}
var rateRatio = Median(Enumerable.Range(0, rounds).Select(r => results[1][r].Rate / results[0][r].Rate));
var cpuRatio = Median(Enumerable.Range(0, rounds).Select(r => results[1][r].CpuMicros / results[0][r].CpuMicros));
Console.WriteLine($"REST / gRPC throughput = {rateRatio:0.00} (median of per-round ratios); server CPU per request REST / gRPC = {cpuRatio:0.00}");
Directory.Delete(work, recursive: true);
return 0;

// One h2load run; the server's CPU is this process's CPU time over the run (the bench does nothing else meanwhile).
(double Rate, double CpuMicros) Run(string[] shape, int seconds)
{
    var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in new[] { "-c", loadCpus, "h2load", "-t", "1", "-D", seconds.ToString(CultureInfo.InvariantCulture), "-H", $"authorization: Bearer {token}" }.Concat(shape)) info.ArgumentList.Add(a);
    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var clock = Stopwatch.StartNew();
    using var h2load = Process.Start(info)!;
    var output = h2load.StandardOutput.ReadToEnd();
    h2load.WaitForExit();
    clock.Stop();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    var requests = Regex.Match(output, @"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout");
    var codes = Regex.Match(output, @"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx");
    if (h2load.ExitCode != 0 || !requests.Success || !codes.Success) throw new InvalidOperationException($"h2load failed: {output}");
    long N(Match m, int g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
    if (N(requests, 2) + N(requests, 3) + N(requests, 4) + N(codes, 3) + N(codes, 4) > 0) throw new InvalidOperationException($"requests failed: {output}");
    var succeeded = N(requests, 1);
    return (succeeded / (double)seconds, cpu.TotalMicroseconds / succeeded);
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}
