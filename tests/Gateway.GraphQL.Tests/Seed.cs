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

    public static async Task<List<Technology>> TechnologiesAsync(DashboardHosts hosts, string trust, int count, int evidencePerTechnology = 0, string? name = null)
    {
        var procurement = hosts.Procurement.GrpcClient<ProcurementService.ProcurementServiceClient>(trust, "procurement-lead");
        var evidence = hosts.Evidence.GrpcClient<EvidenceService.EvidenceServiceClient>(trust, "evidence-reviewer");
        var made = new List<Technology>();
        for (var i = 1; i <= count; i++)
        {
            var technology = await procurement.RegisterTechnologyAsync(new RegisterTechnologyRequest
            {
                Name = name is null ? $"Sensor {i} of {trust}" : count == 1 ? name : $"{name} {i}",
                Supplier = "Acme Health",
                IntendedUse = "Night-time observations without waking the patient",
                Category = TechnologyCategory.Monitoring,
            });
            made.Add(technology);
            if (evidencePerTechnology > 0 || name is not null)
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

    /// <summary>The calendar quarter before this one: the latest an outcome report may cover.</summary>
    public static DateTime PreviousQuarterStart
    {
        get
        {
            var now = DateTime.UtcNow;
            return new DateTime(now.Year, (now.Month - 1) / 3 * 3 + 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMonths(-3);
        }
    }

    public static string PreviousQuarter => $"{PreviousQuarterStart.Year}-Q{(PreviousQuarterStart.Month - 1) / 3 + 1}";

    /// <summary>
    /// <paramref name="patients"/> patients of <paramref name="trust"/> under the technology, each with a use consent
    /// authorised (its use_authorised event, as Dapr delivers it), a profile of <paramref name="sex"/>, and HoNOS totals
    /// falling by <paramref name="improvement"/> last quarter. Returns their patient keys.
    /// </summary>
    public static async Task<List<string>> OutcomesAsync(DashboardHosts hosts, string trust, string technologyId, Sex sex, int patients, int improvement)
    {
        var evidence = hosts.Evidence.GrpcClient<EvidenceService.EvidenceServiceClient>(trust, "clinician");
        int[] Ratings(int total) => [.. Enumerable.Range(0, 12).Select(i => i == 7 ? 0 : Math.Min(4, Math.Max(0, total - 4 * (i < 7 ? i : i - 1))))];
        var keys = new List<string>();
        for (var p = 0; p < patients; p++)
        {
            var (useId, key) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
            using (var http = hosts.Evidence.CreateHttpClient())
            {
                var (code, status) = await SidecarDelivery.PublishAsync(http, new Platform.Contracts.Consent.V1.UseAuthorised
                {
                    UseId = useId, PatientId = key, TechnologyId = technologyId, WardCode = "W1", SettingCode = "acute-adult",
                    Actor = new Platform.Contracts.Common.V1.Actor { Subject = "clin-1", Role = "clinician" },
                }, trust, useId);
                if (status != "SUCCESS") throw new InvalidOperationException($"Evidence did not take use_authorised: {code} {status}");
            }
            await evidence.RecordEqualityProfileAsync(new EqualityProfile
            {
                PatientKey = key, Age = AgeGroup.Aged26To64, Disability = DisabilityStatus.NotStated, GenderReassignment = GenderIdentityStatus.NotStated,
                MarriageOrCivilPartnership = MarriageOrCivilPartnership.NotStated, PregnancyOrMaternity = PregnancyOrMaternity.NotStated,
                EthnicGroup = EthnicGroup.NotStated, ReligionOrBelief = ReligionOrBelief.NotStated, Sex = sex, SexualOrientation = SexualOrientation.NotStated,
                TraumaHistory = YesNoNotStated.NotStated, Paranoia = YesNoNotStated.NotStated,
            });
            foreach (var (day, total) in new[] { (5, 20), (40, 20 - improvement) })
            {
                var measurement = new RecordMeasurementRequest
                {
                    UseId = useId, PatientKey = key, MeasuredAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(PreviousQuarterStart.AddDays(day)), Honos = new HonosAnswers(),
                };
                measurement.Honos.Ratings.AddRange(Ratings(total));
                await evidence.RecordMeasurementAsync(measurement);
            }
            keys.Add(key);
        }
        return keys;
    }
}
