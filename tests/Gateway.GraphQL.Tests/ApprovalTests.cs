using Platform.Contracts.Procurement.V1;
using Platform.Testing;
using Xunit;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>Procurement's approval status per setting with its open gates, on the trust's dashboard, in a bounded number of calls.</summary>
[Collection(Dashboard.Name)]
public sealed class ApprovalTests(DashboardHosts hosts)
{
    private static readonly string[] Settings = ["acute-adult", "picu"];

    private async Task<List<Technology>> TechnologiesWithCasesAsync(string trust, int count)
    {
        var made = await Seed.TechnologiesAsync(hosts, trust, count);
        var procurement = hosts.Procurement.GrpcClient<ProcurementService.ProcurementServiceClient>(trust, "procurement-lead");
        // Procurement takes a setting only from the directory's open wards: identity's ward_registered, as Dapr delivers it.
        using (var http = hosts.Procurement.CreateHttpClient())
            foreach (var setting in Settings)
            {
                var (code, status) = await SidecarDelivery.PublishAsync(http, new Platform.Contracts.Identity.V1.WardRegistered
                {
                    WardCode = $"{setting}-1".ToUpperInvariant(), Name = $"Ward of {setting}", SettingCode = setting, Beds = 20,
                    Actor = new Platform.Contracts.Common.V1.Actor { Subject = "admin-1", Role = "trust-admin" },
                }, trust, Guid.NewGuid().ToString());
                if (status != "SUCCESS") throw new InvalidOperationException($"Procurement did not take ward_registered: {code} {status}");
            }
        foreach (var technology in made)
            foreach (var setting in Settings)
                await procurement.OpenCaseAsync(new OpenCaseRequest { TechnologyId = technology.TechnologyId, SettingCode = setting, SettingDescription = $"{setting} wards", Purpose = StatedPurpose.PatientSafety });
        return made;
    }

    [Fact]
    public async Task Each_technology_shows_its_approval_status_per_setting_with_the_open_gates_in_one_ListCases_and_one_ListOpenGatesForCases()
    {
        var trust = Seed.NewTrust();
        var made = await TechnologiesWithCasesAsync(trust, 3);
        hosts.ResetCounts();

        // Two aliases over the same cases, and the same gates asked for twice: one call for every case's gates (ADR 0043).
        var (_, body) = await hosts.Gateway.Client(trust).PostAsync("""
            {
              trust {
                technologies(first: 10) { edges { node { id
                  a: settings(first: 5) { totalCount edges { node { settingCode status currentApproval { inForce } openGates { code name state } again: openGates(kind: FULL) { code } } } }
                  b: settings(first: 1) { edges { node { caseId } } }
                } } }
              }
            }
            """);

        Assert.Null(body!["errors"]);
        var technologies = body["data"]!["trust"]!["technologies"]!["edges"]!.AsArray();
        Assert.Equal(made.Select(t => t.TechnologyId), technologies.Select(t => t!["node"]!["id"]!.GetValue<string>()));
        foreach (var technology in technologies)
        {
            var settings = technology!["node"]!["a"]!["edges"]!.AsArray().Select(e => e!["node"]!).ToList();
            Assert.Equal(Settings, settings.Select(s => s["settingCode"]!.GetValue<string>()));
            Assert.All(settings, s =>
            {
                Assert.Equal("OPEN", s["status"]!.GetValue<string>());
                Assert.Null(s["currentApproval"]);
                // A new case has passed nothing: among its open gates are the DPIA and the evidence appraisal, none recorded yet.
                var gates = s["openGates"]!.AsArray().Select(g => g!["code"]!.GetValue<string>()).ToList();
                Assert.Contains("dpia", gates);
                Assert.All(s["openGates"]!.AsArray(), g => Assert.Equal("NOT_RECORDED", g!["state"]!.GetValue<string>()));
                Assert.Equal(gates, s["again"]!.AsArray().Select(g => g!["code"]!.GetValue<string>()));
            });
        }
        Assert.Equal(1, hosts.ProcurementCalls["ListTechnologies"]);
        Assert.Equal(1, hosts.ProcurementCalls["ListCases"]);
        Assert.Equal(1, hosts.ProcurementCalls["ListOpenGatesForCases"]);
        Assert.Equal(0, hosts.ProcurementCalls["ListOpenGates"]);
    }

    [Fact]
    public async Task A_trial_asks_for_its_own_open_gates_and_another_trust_sees_none_of_the_cases()
    {
        var a = Seed.NewTrust();
        await TechnologiesWithCasesAsync(a, 1);
        var b = Seed.NewTrust();
        hosts.ResetCounts();

        var (_, ofA) = await hosts.Gateway.Client(a).PostAsync(
            "{ trust { technologies(first: 5) { edges { node { settings(first: 5) { edges { node { full: openGates { code } trial: openGates(kind: TRIAL) { code } } } } } } } } }");
        var (_, ofB) = await hosts.Gateway.Client(b).PostAsync(
            "{ trust { technologies(first: 5) { edges { node { settings(first: 5) { edges { node { caseId openGates { code } } } } } } } } }");

        Assert.Null(ofA!["errors"]);
        Assert.Equal(1, hosts.ProcurementCalls["ListOpenGatesForCases"]); // two cases, two kinds each, in one call
        Assert.Empty(ofB!["data"]!["trust"]!["technologies"]!["edges"]!.AsArray());
        Assert.DoesNotContain(a, ofB.ToJsonString());
    }
}
