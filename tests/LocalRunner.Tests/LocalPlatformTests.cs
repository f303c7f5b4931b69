using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts.Audit.V1;
using Platform.Contracts.Consent.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Grpc;
using Platform.Tools.LocalRunner;
using Xunit;

namespace Platform.Tools.LocalRunner.Tests;

public sealed class LocalPlatformTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("platform-local-").FullName;
    private readonly int _offset = FindFreeOffset();
    private readonly List<ServiceProvider> _clientServices = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var provider in _clientServices) await provider.DisposeAsync();
        Directory.Delete(_data, recursive: true);
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

            Assert.Equal(4, await CountPatients("RX3"));
            Assert.Equal(3, await CountPatients("RTQ"));

            await A_technology_registered_at_procurement_reaches_the_audit_log_through_local_event_delivery();
            await The_seeded_patient_on_oak_ward_may_use_the_companion_app_and_a_ward_without_approval_is_denied();

            var clash = await Assert.ThrowsAsync<PortInUseException>(() => LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token));
            Assert.Contains($"Port {8080 + _offset} (gateway HTTP) is already in use", clash.Message);
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{5001 + _offset}/health/ready")).StatusCode);
        }

        // Starting again on the same data changes nothing: the seed is idempotent and the data survived.
        await using (var again = await LocalPlatform.StartAsync(new LocalPlatformOptions(_data, _offset), cts.Token))
        {
            Assert.Equal(4, await CountPatients("RX3"));
            Assert.Equal(3, await CountPatients("RTQ"));
        }
    }

    private async Task The_seeded_patient_on_oak_ward_may_use_the_companion_app_and_a_ward_without_approval_is_denied()
    {
        var clinician = Client<ConsentService.ConsentServiceClient>(5002, "RX3", "clinician", "nurse-1");
        var device = Client<ConsentService.ConsentServiceClient>(5002, "RX3", "device", "tablet-3");
        var patients = await clinician.ListPatientsAsync(new ListPatientsRequest { WardCode = "OAK" });
        var patient = patients.Patients.Single(p => p.NhsNumber == "9990000018").PatientId;
        var technologies = await Client<ProcurementService.ProcurementServiceClient>(5012, "RX3", "clinician", "nurse-1").ListTechnologiesAsync(new ListTechnologiesRequest { PageSize = 50 });
        var app = technologies.Technologies.Single(t => t.Name == "Ward companion app").TechnologyId;

        var permitted = await device.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment });
        Assert.Equal(UseCheckDecision.Permit, permitted.Decision);
        Assert.Equal(LawfulBasisKind.OwnConsent, permitted.LawfulBasis);
        var elsewhere = await device.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = app, WardCode = "ASH", Purpose = UsePurpose.DirectCareOrTreatment });
        Assert.Equal(UseCheckDecision.Deny, elsewhere.Decision);
        Assert.NotEmpty(elsewhere.Reasons);

        // The same question through the gateway, over gRPC (8081) and REST (8080), with the runner's ports.
        var throughGateway = Client<ConsentService.ConsentServiceClient>(8081, "RX3", "device", "tablet-3");
        var again = await throughGateway.CheckUseAsync(new CheckUseRequest { PatientId = patient, TechnologyId = app, WardCode = "OAK", Purpose = UsePurpose.DirectCareOrTreatment });
        Assert.Equal(UseCheckDecision.Permit, again.Decision);
        using var http = new HttpClient();
        using var me = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{8080 + _offset}/consent/me");
        me.Headers.Authorization = new AuthenticationHeaderValue("Bearer", DevTokenIssuer.LoadOrCreate(_data).Mint("RX3", ["device"], TimeSpan.FromMinutes(5), "tablet-3"));
        Assert.Contains("\"tenant\":\"RX3\"", await (await http.SendAsync(me)).Content.ReadAsStringAsync());
    }

    private async Task A_technology_registered_at_procurement_reaches_the_audit_log_through_local_event_delivery()
    {
        var created = await Client<ProcurementService.ProcurementServiceClient>(5012, "RX3", "procurement-lead", "lead-7").RegisterTechnologyAsync(new RegisterTechnologyRequest
        {
            Name = "End-to-end tracker", Supplier = "Test", IntendedUse = "Proving local event delivery", Category = TechnologyCategory.Monitoring,
        });

        var auditor = Client<AuditService.AuditServiceClient>(5032, "RX3", "auditor", "auditor-1");
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var entries = await auditor.ListEntriesAsync(new ListEntriesRequest { PageSize = 500 });
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

    private async Task<int> CountPatients(string tenant) =>
        (await Client<ConsentService.ConsentServiceClient>(5002, tenant, "clinician", "nurse-1").ListPatientsAsync(new ListPatientsRequest { PageSize = 500 })).Patients.Count;

    /// <summary>A generated client of the app on <paramref name="defaultPort"/> (moved by this test's offset), as a user with one role.</summary>
    private TClient Client<TClient>(int defaultPort, string tenant, string role, string subject) where TClient : class
    {
        var tokens = DevTokenIssuer.LoadOrCreate(_data);
        var services = new ServiceCollection();
        services.AddPlatformGrpcClient<TClient>(new Uri($"http://127.0.0.1:{defaultPort + _offset}"), TimeSpan.FromSeconds(30))
            .AddCallCredentials((_, metadata) =>
            {
                metadata.Add("Authorization", $"Bearer {tokens.Mint(tenant, [role], TimeSpan.FromMinutes(5), subject)}");
                return Task.CompletedTask;
            });
        var provider = services.BuildServiceProvider();
        _clientServices.Add(provider);
        return provider.GetRequiredService<TClient>();
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
