using System.Text;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Application;
using Platform.Consent.Api.Data;
using Platform.Contracts.Consent.V1;
using Platform.Messaging.CloudEvents;
using Platform.Messaging.Contracts.Access.V1;
using Platform.Messaging.Outbox;
using Platform.Testing;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>Patients and their technology uses on a trust's wards, entered through the consent service's own gRPC methods.</summary>
public static class WardSeed
{
    private static int s_nhs = Random.Shared.Next(1_000_000, 9_000_000);

    private static Timestamp Ts(DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private static ConsentService.ConsentServiceClient Clinic(DashboardHosts hosts, string trust) =>
        hosts.Consent.GrpcClient<ConsentService.ConsentServiceClient>(trust, "clinician", "trust-admin");

    /// <summary>A technology approved in the trust's wards' setting (procurement's register event, then the operator override, ADR 0029).</summary>
    public static async Task<string> ApprovedTechnologyAsync(DashboardHosts hosts, string trust)
    {
        var technology = Guid.NewGuid().ToString();
        using (var http = hosts.Consent.CreateHttpClient())
        {
            var (code, status) = await SidecarDelivery.PublishAsync(http, new Platform.Contracts.Procurement.V1.TechnologyRegistered
            {
                TechnologyId = technology, Name = "bedside sleep sensor", Category = Platform.Contracts.Procurement.V1.TechnologyCategory.Monitoring, Supplier = "Acme Vision Ltd",
            }, trust, technology);
            if (status != "SUCCESS") throw new InvalidOperationException($"Consent did not take technology_registered: {code} {status}");
        }
        await Clinic(hosts, trust).RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest
        {
            TechnologyId = technology, TechnologyName = "bedside sleep sensor", SettingCode = "acute-adult",
            Reason = "Test set-up: approval set by the operator override, not by a procurement case",
        });
        return technology;
    }

    /// <summary>A patient on <paramref name="ward"/> with capacity who consented, and the active use: (patient, use).</summary>
    public static async Task<(string Patient, string Use)> ConsentedUseAsync(DashboardHosts hosts, string trust, string technology, string ward = "W1")
    {
        var clinic = Clinic(hosts, trust);
        var patient = (await clinic.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = NextNhsNumber(), WardCode = ward, AgeBand = AgeBand._26To64 })).PatientId;
        await clinic.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
        {
            PatientId = patient, TechnologyId = technology, Decision = "use of the bedside sleep sensor at night",
            Determination = CapacityDetermination.FunctionalAssessment, AssessedAt = Ts(DateTime.UtcNow.AddMinutes(-1)), AssessedBy = "staff nurse 4411",
            ImpairmentOfMindOrBrain = false, Understand = FunctionalAbility.Able, Retain = FunctionalAbility.Able, UseOrWeigh = FunctionalAbility.Able, Communicate = FunctionalAbility.Able,
        });
        await clinic.RecordConsentAsync(new RecordConsentRequest
        {
            PatientId = patient, TechnologyId = technology, Decision = ConsentDecision.Given,
            InformationGiven = "what the sensor does, that it records movement only, who sees the data and for how long",
            InformationFormat = AccessibleFormat.EasyRead, RecordedAt = Ts(DateTime.UtcNow.AddSeconds(-30)), RecordedBy = "staff nurse 4411",
        });
        var proposal = new ProposeUseRequest
        {
            TechnologyId = technology, WardCode = ward, Purpose = UsePurpose.DirectCareOrTreatment,
            CarePlan = new CarePlanItems
            {
                Reason = "falls at night; sensor alerts staff when she gets up so someone can help", WhenAndHowUsed = "under the mattress from 22:00 to 07:00",
                InformationGiven = "easy-read leaflet and a talk with her nurse", InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "discussed at the ward round with her and her son", DataUse = "alerts only; nothing is recorded beyond 24 hours",
                NextReviewDate = Ts(DateTime.UtcNow.AddDays(30)), ReviewCovers = "falls since, sleep quality, whether she still wants it", HowToWithdraw = "tell any nurse",
            },
        };
        proposal.PatientIds.Add(patient);
        var proposed = await clinic.ProposeUseAsync(proposal);
        var active = await clinic.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId });
        if (active.Status != UseStatus.Active) throw new InvalidOperationException($"The use is {active.Status}, not active.");
        return (patient, active.UseId);
    }

    /// <summary>Moves a use's review date into the past, as time passing would.</summary>
    public static Task MakeReviewOverdueAsync(DashboardHosts hosts, string trust, string useId) =>
        hosts.Consent.InTenantAsync(trust, async sp =>
        {
            var db = sp.GetRequiredService<ConsentDbContext>();
            var use = await db.TechnologyUses.SingleAsync(u => u.Id == Guid.Parse(useId));
            use.CarePlan.NextReviewDate = DateTime.UtcNow.AddDays(-5);
            await db.SaveChangesAsync();
            sp.GetRequiredService<PatientRecordsStore>().InvalidatePatient(use.PatientId);
            return 0;
        });

    /// <summary>The access records consent's outbox holds for the trust, in order: what the audit log will be told.</summary>
    public static Task<List<AccessRecorded>> AccessRecordsAsync(DashboardHosts hosts, string trust)
    {
        var type = EventName.For(AccessRecorded.Descriptor).Type;
        return hosts.Consent.InTenantAsync(trust, async sp =>
        {
            var rows = await sp.GetRequiredService<ConsentDbContext>().Set<OutboxMessage>().AsNoTracking()
                .Where(m => m.Type == type && m.Tenant == trust).OrderBy(m => m.Sequence).ToListAsync();
            return rows.Select(r =>
            {
                if (!CloudEvent.TryParse(Encoding.UTF8.GetBytes(r.Payload), out var ce, out var error)) throw new InvalidOperationException(error);
                return JsonParser.Default.Parse<AccessRecorded>(ce!.DataJson!);
            }).ToList();
        });
    }

    internal static string NextNhsNumber()
    {
        while (true)
        {
            var body = "99" + Interlocked.Increment(ref s_nhs).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            var sum = 0;
            for (var i = 0; i < 9; i++) sum += (body[i] - '0') * (10 - i);
            var check = 11 - (sum % 11);
            if (check == 10) continue;
            return body + (check == 11 ? 0 : check).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
