using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc.Client;
using Platform.ServiceDefaults.Tenancy;
using Platform.Tools.LocalRunner;
using Xunit;

namespace Platform.Tools.LocalRunner.Tests;

public sealed class LocalPlatformTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("platform-local-").FullName;
    private readonly int _offset = FindFreeOffset();

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_data, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task All_five_apps_become_ready_with_a_seeded_region_and_a_second_start_is_refused_naming_the_port()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using (var platform = await LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token))
        {
            await platform.WaitUntilReadyAsync(TimeSpan.FromSeconds(60), cts.Token);
            using var http = new HttpClient();
            foreach (var spec in LocalPlatform.Apps)
            {
                var ready = await http.GetAsync($"http://127.0.0.1:{spec.HttpPort + _offset}/health/ready");
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                var anonymous = await http.GetAsync($"http://127.0.0.1:{spec.HttpPort + _offset}/me");
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }

            // A token from the `token` command works against the running platform.
            var token = DevTokenIssuer.LoadOrCreate(_data).Mint("RTQ", ["auditor"], TimeSpan.FromMinutes(5), "someone");
            using var me = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{5001 + _offset}/me");
            me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var body = await (await http.SendAsync(me)).Content.ReadAsStringAsync();
            Assert.Contains("\"tenant\":\"RTQ\"", body);

            Assert.Equal(4, await CountPatients(platform, "RX3"));
            Assert.Equal(3, await CountPatients(platform, "RTQ"));

            await A_technology_registered_at_procurement_reaches_the_audit_log_through_local_event_delivery(platform);
            await The_seeded_patient_on_oak_ward_may_use_the_companion_app_and_a_ward_without_approval_is_denied(platform);

            var clash = await Assert.ThrowsAsync<PortInUseException>(() => LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token));
            Assert.Contains($"Port {8080 + _offset} (gateway HTTP) is already in use", clash.Message);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{5001 + _offset}/health/ready")).StatusCode);
        }

        // Starting again on the same data changes nothing: the seed is idempotent and the data survived.
        await using (var again = await LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token))
        {
            Assert.Equal(4, await CountPatients(again, "RX3"));
            Assert.Equal(3, await CountPatients(again, "RTQ"));
        }
    }

    private async Task The_seeded_patient_on_oak_ward_may_use_the_companion_app_and_a_ward_without_approval_is_denied(LocalPlatform platform)
    {
        var tokens = DevTokenIssuer.LoadOrCreate(_data);
        using var consent = GrpcChannel.ForAddress($"http://127.0.0.1:{5002 + _offset}");
        var service = Platform.Contracts.Consent.V1.ConsentReflection.Descriptor.Services[0];
        var clinician = new CallOptions { Credentials = CallCredentials.BearerToken(tokens.Mint("RX3", ["clinician"], TimeSpan.FromMinutes(5), "nurse-1")) }.WithTimeout(TimeSpan.FromSeconds(30));
        var device = new CallOptions { Credentials = CallCredentials.BearerToken(tokens.Mint("RX3", ["device"], TimeSpan.FromMinutes(5), "tablet-3")) }.WithTimeout(TimeSpan.FromSeconds(30));
        var patients = await consent.UnaryCall(Method<Platform.Contracts.Consent.V1.ListPatientsRequest, Platform.Contracts.Consent.V1.ListPatientsResponse>.From(service, "ListPatients"),
            new Platform.Contracts.Consent.V1.ListPatientsRequest { WardCode = "OAK" }, clinician).ResponseAsync;
        var patient = patients.Patients.Single(p => p.NhsNumber == "9990000018").PatientId;
        var technologies = await TechnologiesOf(platform, "RX3");
        var app = technologies.Single(t => t.Name == "Ward companion app").Id.ToString();

        var check = Method<Platform.Contracts.Consent.V1.CheckUseRequest, Platform.Contracts.Consent.V1.CheckUseResponse>.From(service, "CheckUse");
        var permitted = await consent.UnaryCall(check, new Platform.Contracts.Consent.V1.CheckUseRequest
        {
            PatientId = patient, TechnologyId = app, WardCode = "OAK", Purpose = Platform.Contracts.Consent.V1.UsePurpose.DirectCareOrTreatment,
        }, device).ResponseAsync;
        Assert.Equal(Platform.Contracts.Consent.V1.UseCheckDecision.Permit, permitted.Decision);
        Assert.Equal(Platform.Contracts.Consent.V1.LawfulBasisKind.OwnConsent, permitted.LawfulBasis);
        var elsewhere = await consent.UnaryCall(check, new Platform.Contracts.Consent.V1.CheckUseRequest
        {
            PatientId = patient, TechnologyId = app, WardCode = "ASH", Purpose = Platform.Contracts.Consent.V1.UsePurpose.DirectCareOrTreatment,
        }, device).ResponseAsync;
        Assert.Equal(Platform.Contracts.Consent.V1.UseCheckDecision.Deny, elsewhere.Decision);
        Assert.NotEmpty(elsewhere.Reasons);
    }

    private static async Task<IReadOnlyList<Platform.Procurement.Api.Data.Technology>> TechnologiesOf(LocalPlatform platform, string tenant)
    {
        await using var scope = platform.Running.Single(r => r.Spec.Name == "procurement").App.Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(tenant);
        return (await scope.ServiceProvider.GetRequiredService<Platform.Procurement.Api.Application.TechnologyRegister>().ListAsync(50, null, default)).Value.Technologies;
    }

    private async Task A_technology_registered_at_procurement_reaches_the_audit_log_through_local_event_delivery(LocalPlatform platform)
    {
        var tokens = DevTokenIssuer.LoadOrCreate(_data);
        using var procurement = GrpcChannel.ForAddress($"http://127.0.0.1:{5012 + _offset}");
        var register = Method<RegisterTechnologyRequest, Technology>.From(ProcurementReflection.Descriptor.Services[0], "RegisterTechnology");
        var created = await procurement.UnaryCall(register, new RegisterTechnologyRequest
        {
            Name = "End-to-end tracker", Supplier = "Test", IntendedUse = "Proving local event delivery", Category = TechnologyCategory.Monitoring,
        }, new CallOptions { Credentials = CallCredentials.BearerToken(tokens.Mint("RX3", ["procurement-lead"], TimeSpan.FromMinutes(5), "lead-7")) }
            .WithTimeout(TimeSpan.FromSeconds(30))).ResponseAsync;

        using var audit = GrpcChannel.ForAddress($"http://127.0.0.1:{5032 + _offset}");
        var list = Method<ListEntriesRequest, ListEntriesResponse>.From(AuditReflection.Descriptor.Services[0], "ListEntries");
        var auditor = new CallOptions { Credentials = CallCredentials.BearerToken(tokens.Mint("RX3", ["auditor"], TimeSpan.FromMinutes(5), "auditor-1")) };
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var entries = await audit.UnaryCall(list, new ListEntriesRequest { PageSize = 500 }, auditor.WithTimeout(TimeSpan.FromSeconds(30))).ResponseAsync;
            var entry = entries.Entries.FirstOrDefault(e => e.Entity.What == $"Technology/{created.TechnologyId}");
            // The seeded patients' registrations arrive too, as the internal key only.
            var patients = entries.Entries.Where(e => e.Type == "patient-registered").ToList();
            if (entry is not null && patients.Count >= 4)
            {
                Assert.Equal(("technology-registered", "lead-7", "procurement-lead"), (entry.Type, entry.Agent.Who, entry.Agent.Role));
                Assert.False(string.IsNullOrEmpty(entry.SourceEventId));
                Assert.All(patients, p => Assert.Matches("^Patient/[0-9a-f-]{36}$", p.Entity.What));
                return;
            }
            Assert.True(DateTime.UtcNow < until, "The technology_registered and seeded patient_registered events did not reach the audit log within 30 s.");
            await Task.Delay(100);
        }
    }

    private static async Task<int> CountPatients(LocalPlatform platform, string tenant)
    {
        var consent = platform.Running.Single(r => r.Spec.Name == "consent").App.Services;
        await using var scope = consent.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<TenantContext>().Use(tenant);
        var page = await scope.ServiceProvider.GetRequiredService<PatientRegistry>().ListAsync(null, 500, null);
        return page.Value.Patients.Count;
    }

    // The default ports may be in use on a developer's machine (a running platform); move them all to free ones.
    private static int FindFreeOffset()
    {
        var random = new Random();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var offset = random.Next(20000, 50000);
            if (LocalPlatform.Apps.All(a => IsFree(a.HttpPort + offset) && IsFree(a.GrpcPort + offset))) return offset;
        }
        throw new InvalidOperationException("No free block of ports for the local platform.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
