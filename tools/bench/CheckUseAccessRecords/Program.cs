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
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Platform.Consent.Api;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.KnownTrusts;
using Platform.Messaging.Access;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Contracts.Access.V1;
using Platform.ServiceDefaults.Tenancy;
using Platform.Testing;

// CheckUse closed-loop throughput with access records on against the same with them off, side by side in one run: two
// instances of the real consent service (ConsentApp, as Program builds it) in this process, each on its own database
// in the same real PostgreSQL, one with the IAccessRecorder ConsentApp registers ("on"), the other with that
// registration replaced by a recorder that records nothing ("off"), replaced after ConsentApp has registered
// everything (a service provider factory runs last, at Build). Each has one patient with an active use, checked once
// to answer PERMIT; then h2load (nghttp2, in C; on --load-cpus) drives CheckUse over h2c with 32 requests in flight
// (4 connections x 8 streams), the two alternating round by round after a discarded warm-up of each. Both run with the
// outbox relay off (no Dapr sidecar here), so "on" pays what CheckUse itself pays for a record (its outbox row), not
// the relay's publishing. Server CPU per check is this process's CPU (the idle instance adds little) plus PostgreSQL's.
// The run counts AccessRecorded rows in each outbox, so it says whether this build's CheckUse records at all.
// Usage: taskset -c 0 dotnet CheckUseAccessRecords.dll [--duration 3] [--rounds 7] [--load-cpus 1]
string Arg(string name, string fallback) => args.SkipWhile(a => a != "--" + name).Skip(1).FirstOrDefault() ?? fallback;
var duration = int.Parse(Arg("duration", "3"), CultureInfo.InvariantCulture);
var rounds = int.Parse(Arg("rounds", "7"), CultureInfo.InvariantCulture);
var loadCpus = Arg("load-cpus", "1");
// --off-recorder yield: the "off" side's recorder writes nothing but suspends each check once (a hop through the thread
// pool), to tell what answering asynchronously costs apart from the record's write.
var offSuspends = Arg("off-recorder", "none") switch { "none" => false, "yield" => true, var other => throw new ArgumentException($"--off-recorder: 'none' or 'yield', not '{other}'") };
const string Tenant = "RX3";

var pg = await PostgresServer.SharedAsync();
var postgresCpu = new PostgresCpu(pg.Port);
var token = TestTokens.Shared.Mint(Tenant, ["clinician", "trust-admin"], lifetime: TimeSpan.FromHours(2));
var work = Directory.CreateTempSubdirectory("checkuse-access-").FullName;
var on = await StartAsync(accessRecords: true);
var off = await StartAsync(accessRecords: false);
var targets = new[] { ("access records on", on), ("access records off", off) };
if (Arg("profile", "") is { Length: > 0 } profiled)
{
    // --profile on|off: only that instance under load for --duration seconds, for a profiler attached to this process.
    var t = profiled == "on" ? on : off;
    Run(t, 2);
    Console.WriteLine($"profiling {profiled}: pid {Environment.ProcessId}, start {DateTime.UtcNow:HH:mm:ss.fff}");
    var r = Run(t, duration);
    Console.WriteLine($"{profiled}: {r.Rate:N0} checks/s, server CPU {r.CpuMicros:0.0} us/check (PostgreSQL {r.PostgresMicros:0.0})");
    return 0;
}

Console.WriteLine($"CheckUseAccessRecords  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC  load average {LoadAverage()}  {rounds} rounds x {duration} s per target, alternating order{(offSuspends ? "; the off side suspends each check once (--off-recorder yield)" : "")}");
foreach (var (_, t) in targets) Run(t, 2); // warm-up, discarded
var results = targets.Select(_ => new List<(double Rate, double CpuMicros, double PostgresMicros)>()).ToArray();
for (var round = 0; round < rounds; round++)
{
    foreach (var i in round % 2 == 0 ? new[] { 0, 1 } : [1, 0]) results[i].Add(Run(targets[i].Item2, duration));
}

for (var i = 0; i < targets.Length; i++)
{
    Console.WriteLine($"{targets[i].Item1,-20} median {Median(results[i].Select(r => r.Rate)),8:N0} checks/s  server CPU {Median(results[i].Select(r => r.CpuMicros)),6:0.0} us/check (PostgreSQL {Median(results[i].Select(r => r.PostgresMicros)),5:0.0})  " +
        $"(rounds: {string.Join(", ", results[i].Select(r => $"{r.Rate:N0}/{r.CpuMicros:0}"))})");
}

var ratios = Enumerable.Range(0, rounds).Select(r => results[0][r].Rate / results[1][r].Rate).ToList();
var cpuRatio = Median(Enumerable.Range(0, rounds).Select(r => results[1][r].CpuMicros / results[0][r].CpuMicros));
Console.WriteLine($"on / off throughput = {Median(ratios):0.00} median of rounds ({string.Join(", ", ratios.Select(x => x.ToString("0.00", CultureInfo.InvariantCulture)))}); server CPU efficiency on / off = {cpuRatio:0.00}  (aim >= 0.8)");
var recordsOn = await CountAccessRecordsAsync(on.Database);
var recordsOff = await CountAccessRecordsAsync(off.Database);
Console.WriteLine($"access records in the outbox: on {recordsOn.Records:N0} in {recordsOn.Rows:N0} rows, off {recordsOff.Records:N0}" + (recordsOn.Records == 0 ? "  (this build's CheckUse records no access: on and off run the same code)" : ""));
Console.WriteLine($"load average at the end: {LoadAverage()}");
await on.App.StopAsync();
await off.App.StopAsync();
Directory.Delete(work, recursive: true);
return 0;

async Task<Instance> StartAsync(bool accessRecords)
{
    var database = await pg.CreateDatabaseAsync(accessRecords ? "access_on" : "access_off");
    var grpcPort = FreePort.Next();
    var builder = WebApplication.CreateBuilder(new WebApplicationOptions
    {
        ApplicationName = typeof(ConsentApp).Assembly.GetName().Name,
        EnvironmentName = "Production",
        ContentRootPath = AppContext.BaseDirectory,
    });
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>(TestTokens.Shared.AuthConfiguration())
    {
        ["Kestrel:Endpoints:Http:Url"] = $"http://127.0.0.1:{FreePort.Next()}",
        ["Kestrel:Endpoints:Http:Protocols"] = "Http1",
        ["Kestrel:Endpoints:Grpc:Url"] = $"http://127.0.0.1:{grpcPort}",
        ["Kestrel:Endpoints:Grpc:Protocols"] = "Http2",
        ["Database:Provider"] = "Postgres",
        ["Database:MigrateAtStartup"] = "true",
        ["Database:AppRole"] = PostgresServer.AppRole,
        ["ConnectionStrings:consent"] = pg.AppConnectionString(database),
        ["ConnectionStrings:consent-owner"] = pg.OwnerConnectionString(database),
        ["Consent:Schedules:Enabled"] = "false",
        ["Messaging:Relay:Enabled"] = "false",
        ["Logging:LogLevel:Default"] = "Warning",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore.Database.Command"] = "Critical",
    });
    if (!accessRecords)
    {
        builder.Host.UseServiceProviderFactory(new LastWordServiceProviderFactory(services =>
            services.Replace(offSuspends ? ServiceDescriptor.Scoped<IAccessRecorder, SuspendingNoAccessRecorder>() : ServiceDescriptor.Scoped<IAccessRecorder, NoAccessRecorder>())));
    }

    var app = ConsentApp.Build(builder);
    await app.StartAsync();
    var recorder = app.Services.CreateScope().ServiceProvider.GetRequiredService<IAccessRecorder>();
    if (recorder is NoAccessRecorder == accessRecords) throw new InvalidOperationException($"the {(accessRecords ? "on" : "off")} instance has the wrong recorder: {recorder.GetType().Name}");

    // The trust, as the directory's trust_onboarded event would have made it known (tokens of unknown trusts are refused).
    await using (var scope = app.Services.CreateAsyncScope())
    {
        await scope.ServiceProvider.GetRequiredService<KnownTrustRecorder>().RecordAsync(new KnownTrustChange(Tenant, $"Bench trust {Tenant}", Active: true), default);
    }

    var benchTechnology = Guid.CreateVersion7();

    // The ward, as identity's ward events would have put it in consent's directory (the only source of its setting).
    using (var scope = app.Services.CreateScope())
    {
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(Tenant);
        var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
        db.Wards.Add(new ConsentWard { TenantId = Tenant, Code = "OAK", SettingCode = "acute-adult", Beds = 18, UpdatedAt = DateTime.UtcNow });
        // The technology, as procurement's technology_registered event would have put it in consent's register.
        db.Technologies.Add(new ConsentTechnology { TenantId = Tenant, Id = benchTechnology, Name = "bedside sleep sensor", LearnedAt = DateTime.UtcNow });
        await db.SaveChangesAsync();
    }

    // One permitted patient, recorded as a clinician would, over gRPC.
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

    var check = new CheckUseRequest { PatientId = patient, TechnologyId = technology, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment };
    if ((await consent.CheckUseAsync(check, auth)).Decision != UseCheckDecision.Permit) throw new InvalidOperationException("CheckUse does not answer PERMIT");
    var message = check.ToByteArray();
    var frame = new byte[5 + message.Length];
    BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)message.Length);
    message.CopyTo(frame, 5);
    var body = Path.Combine(work, accessRecords ? "on" : "off");
    File.WriteAllBytes(body, frame);
    return new Instance(app, database, grpcPort, body);
}

// One h2load run; server CPU is this process's CPU time over the run plus PostgreSQL's.
(double Rate, double CpuMicros, double PostgresMicros) Run(Instance target, int seconds)
{
    var info = new ProcessStartInfo("taskset") { RedirectStandardOutput = true, UseShellExecute = false };
    foreach (var a in new[]
             {
                 "-c", loadCpus, "h2load", "-t", "1", "-D", seconds.ToString(CultureInfo.InvariantCulture), "-H", $"authorization: Bearer {token}",
                 "-c", "4", "-m", "8", "-d", target.Body, "-H", "content-type: application/grpc", "-H", "te: trailers",
                 $"http://127.0.0.1:{target.GrpcPort}/platform.consent.v1.ConsentService/CheckUse",
             })
    {
        info.ArgumentList.Add(a);
    }

    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
    var postgresBefore = postgresCpu.Ms();
    using var h2load = Process.Start(info)!;
    var output = h2load.StandardOutput.ReadToEnd();
    h2load.WaitForExit();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
    var postgres = postgresCpu.Ms() - postgresBefore;
    var requests = Regex.Match(output, @"requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout");
    var codes = Regex.Match(output, @"status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx");
    if (h2load.ExitCode != 0 || !requests.Success || !codes.Success) throw new InvalidOperationException($"h2load failed: {output}");
    long N(Match m, int g) => long.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);
    if (N(requests, 2) + N(requests, 3) + N(requests, 4) + N(codes, 3) + N(codes, 4) > 0) throw new InvalidOperationException($"requests failed: {output}");
    var succeeded = N(requests, 1);
    return (succeeded / (double)seconds, (cpu.TotalMilliseconds + postgres) * 1000 / succeeded, postgres * 1000 / succeeded);
}

// The access records (an AccessRecorded event each, or several in an AccessRecordBatch event, docs/decisions/0035) and the rows holding them.
async Task<(long Records, long Rows)> CountAccessRecordsAsync(string database)
{
    await using var conn = new NpgsqlConnection(pg.SuperuserConnectionString(database));
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand("""
        SELECT count(*) FILTER (WHERE type = $1)
             + coalesce(sum(jsonb_array_length((payload::jsonb) -> 'data' -> 'records')) FILTER (WHERE type = $2), 0),
               count(*)
        FROM outbox_messages WHERE type IN ($1, $2)
        """, conn);
    cmd.Parameters.AddWithValue(EventName.For<AccessRecorded>().Type);
    cmd.Parameters.AddWithValue(EventName.For<AccessRecordBatch>().Type);
    await using var reader = await cmd.ExecuteReaderAsync();
    await reader.ReadAsync();
    return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), reader.GetInt64(1));
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
}

static string LoadAverage() => File.ReadAllText("/proc/loadavg")[..14].Trim();

internal sealed record Instance(WebApplication App, string Database, int GrpcPort, string Body);

/// <summary>The "off" side: records nothing, costs nothing.</summary>
internal class NoAccessRecorder : IAccessRecorder
{
    public Guid Record(AccessRecord access) => Guid.Empty;

    public virtual Task<Guid> RecordDurablyAsync(AccessRecord access, CancellationToken cancellationToken) => Task.FromResult(Guid.Empty);
}

/// <summary>The "off" side with <c>--off-recorder yield</c>: records nothing, but the check waits once, as for a commit.</summary>
internal sealed class SuspendingNoAccessRecorder : NoAccessRecorder
{
    public override async Task<Guid> RecordDurablyAsync(AccessRecord access, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return Guid.Empty;
    }
}

/// <summary>
/// The default service provider, built after <paramref name="lastWord"/> has had the last word on the registrations:
/// the host calls <see cref="CreateBuilder"/> at Build, after everything ConsentApp.Build registered.
/// </summary>
internal sealed class LastWordServiceProviderFactory(Action<IServiceCollection> lastWord) : IServiceProviderFactory<IServiceCollection>
{
    private readonly DefaultServiceProviderFactory _inner = new();

    public IServiceCollection CreateBuilder(IServiceCollection services)
    {
        lastWord(services);
        return services;
    }

    public IServiceProvider CreateServiceProvider(IServiceCollection containerBuilder) => _inner.CreateServiceProvider(containerBuilder);
}

/// <summary>CPU time of the PostgreSQL server (postmaster, its live backends, and exited backends through its child times).</summary>
internal sealed class PostgresCpu(int port)
{
    public double Ms()
    {
        var postmaster = Directory.EnumerateDirectories("/proc").Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0).Where(pid => pid > 0)
            .FirstOrDefault(pid => Read($"/proc/{pid}/cmdline")?.Replace('\0', ' ') is { } cmd && cmd.Contains("bin/postgres", StringComparison.Ordinal) && cmd.Contains($"-p {port} ", StringComparison.Ordinal));
        if (postmaster == 0) return 0;
        double ticks = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid) || Read($"/proc/{pid}/stat") is not { } text) continue;
            var stat = text[(text.LastIndexOf(')') + 2)..].Split(' ').Select(s => double.TryParse(s, CultureInfo.InvariantCulture, out var d) ? d : 0).ToArray();
            if (pid == postmaster) ticks += stat[11] + stat[12] + stat[13] + stat[14];
            else if ((int)stat[1] == postmaster) ticks += stat[11] + stat[12];
        }

        return ticks * 10; // USER_HZ = 100
    }

    private static string? Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
