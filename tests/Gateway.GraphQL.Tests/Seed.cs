using Platform.Contracts.Evidence.V1;
using Platform.Contracts.Procurement.V1;
using Platform.Testing;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>Data put into the services through their own gRPC methods, as a trust's systems would.</summary>
public static class Seed
{
    private static int s_trust;

    /// <summary>How many trusts the tests may take; the hosts learn them all at start, as the directory's onboarding events would tell them.</summary>
    public const int TrustCount = 200;

    /// <summary>Every trust code <see cref="NewTrust"/> hands out.</summary>
    public static IEnumerable<string> AllTrusts => Enumerable.Range(1, TrustCount).Select(Code);

    /// <summary>The wards every trust has in consent's ward directory (as identity's ward events would have put them there).</summary>
    public static readonly string[] Wards = ["W1", "W2"];

    /// <summary>A trust code no other test uses (three characters: R, then two letters), so each test sees only its own data.</summary>
    public static string NewTrust()
    {
        var n = Interlocked.Increment(ref s_trust);
        if (n > TrustCount) throw new InvalidOperationException($"More than {TrustCount} trusts: raise Seed.TrustCount.");
        return Code(n);
    }

    private static string Code(int n) => $"R{(char)('A' + n / 26 % 26)}{(char)('A' + n % 26)}";

    public static async Task<List<Technology>> TechnologiesAsync(DashboardHosts hosts, string trust, int count, int evidencePerTechnology = 0)
    {
        var procurement = hosts.Procurement.GrpcClient<ProcurementService.ProcurementServiceClient>(trust, "procurement-lead");
        var evidence = hosts.Evidence.GrpcClient<EvidenceService.EvidenceServiceClient>(trust, "evidence-reviewer");
        var made = new List<Technology>();
        for (var i = 1; i <= count; i++)
        {
            var technology = await procurement.RegisterTechnologyAsync(new RegisterTechnologyRequest
            {
                Name = $"Sensor {i} of {trust}",
                Supplier = "Acme Health",
                IntendedUse = "Night-time observations without waking the patient",
                Category = TechnologyCategory.Monitoring,
            });
            made.Add(technology);
            if (evidencePerTechnology > 0)
            {
                // Evidence learns the trust's technologies from procurement's technology_registered event, as Dapr delivers it.
                using var http = hosts.Evidence.CreateHttpClient();
                var (code, status) = await SidecarDelivery.PublishAsync(http, new TechnologyRegistered
                {
                    TechnologyId = technology.TechnologyId, Name = technology.Name, Category = technology.Category, Supplier = technology.Supplier,
                }, trust, technology.TechnologyId);
                if (status != "SUCCESS") throw new InvalidOperationException($"Evidence did not take technology_registered: {code} {status}");
            }
            for (var e = 1; e <= evidencePerTechnology; e++)
            {
                await evidence.RecordEvidenceItemAsync(new RecordEvidenceItemRequest
                {
                    TechnologyId = technology.TechnologyId,
                    Title = $"Study {e} of {technology.Name}",
                    StudyDesign = StudyDesign.Cohort,
                    SampleSize = 40 + e,
                    IndependentOfSupplier = true,
                    SettingRelevance = SettingRelevance.Direct,
                    Quality = EvidenceQuality.Moderate,
                    Citation = $"Report {e} on {technology.Name}",
                    RiskOfBias = RiskOfBias.SomeConcerns,
                });
            }
        }

        return made;
    }
}
