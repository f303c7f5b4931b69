using Google.Protobuf.WellKnownTypes;
using Platform.Contracts.Consent.V1;
using Platform.Testing;

namespace Platform.Gateway.GraphQL.Tests;

/// <summary>
/// Uses in "consent required" after capacity was regained, entered through consent's own gRPC methods: a patient who
/// lost capacity three days ago, a best-interests decision then (MCA 2005 s4), the use active, and a finding of
/// capacity (s1(2), s2-3) at the time given.
/// </summary>
public static class ConsentRequiredSeed
{
    private static Timestamp Ts(DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    /// <summary>Capacity found five minutes ago: within the 12-hour default grace.</summary>
    public static DateTime Within => DateTime.UtcNow.AddMinutes(-5);

    /// <summary>Capacity found a day ago: the grace ran out half a day ago.</summary>
    public static DateTime Past => DateTime.UtcNow.AddDays(-1);

    /// <returns>(patient, use).</returns>
    public static async Task<(string Patient, string Use)> UseAsync(DashboardHosts hosts, string trust, string technology, DateTime regained, string ward = "W1")
    {
        var clinic = hosts.Consent.GrpcClient<ConsentService.ConsentServiceClient>(trust, "clinician", "trust-admin");
        var lost = DateTime.UtcNow.AddDays(-3);
        var patient = (await clinic.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = WardSeed.NextNhsNumber(), WardCode = ward, AgeBand = AgeBand._26To64 })).PatientId;
        await clinic.RecordCapacityAssessmentAsync(Assessment(patient, technology, lost, able: false));
        var decision = new RecordBestInterestsDecisionRequest
        {
            PatientId = patient, TechnologyId = technology, WishesAndFeelings = "has said she hates being checked on at night", WrittenStatements = "none known",
            BeliefsAndValues = "values privacy and independence", MayRegainCapacity = false, SupportToParticipate = "explained with pictures at her best time of day",
            LessRestrictiveOptions = "hourly observations (wake her); door sensor only (misses falls)", DecisionMaker = "consultant psychiatrist 2019",
            DecidedAt = Ts(lost.AddHours(1)), UseIsInBestInterests = true,
        };
        decision.PeopleConsulted.Add(new ConsultedPerson { Role = ConsultedRole.Family, Relationship = "son", ViewsGiven = "supports it if it means fewer night checks", ConsultedAt = Ts(lost.AddMinutes(30)) });
        await clinic.RecordBestInterestsDecisionAsync(decision);
        var proposal = new ProposeUseRequest
        {
            TechnologyId = technology, WardCode = ward, Purpose = UsePurpose.DirectCareOrTreatment,
            CarePlan = new CarePlanItems
            {
                Reason = "falls at night; sensor alerts staff when she gets up so someone can help", WhenAndHowUsed = "under the mattress from 22:00 to 07:00",
                InformationGiven = "easy-read leaflet and a talk with her nurse", InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "best-interests meeting with her son", DataUse = "alerts only; nothing is recorded beyond 24 hours",
                NextReviewDate = Ts(DateTime.UtcNow.AddDays(30)), ReviewCovers = "falls since, sleep quality, her own view once she can give it", HowToWithdraw = "tell any nurse",
            },
            // Every use not on the patient's own consent needs its Article 8 balancing (ADR 0014).
            HumanRights = new HumanRightsBalancing { RightsEngaged = 4, HowBalanced = "movement alerts only, no images; night-time only", LegalAdviceSought = false },
        };
        proposal.PatientIds.Add(patient);
        var proposed = await clinic.ProposeUseAsync(proposal);
        var active = await clinic.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId });
        if (active.Status != UseStatus.Active) throw new InvalidOperationException($"The use is {active.Status}, not active.");
        await clinic.RecordCapacityAssessmentAsync(Assessment(patient, technology, regained, able: true));
        return (patient, active.UseId);
    }

    private static RecordCapacityAssessmentRequest Assessment(string patient, string technology, DateTime at, bool able)
    {
        var ability = able ? FunctionalAbility.Able : FunctionalAbility.Unable;
        var request = new RecordCapacityAssessmentRequest
        {
            PatientId = patient, TechnologyId = technology, Decision = "use of the bedside sleep sensor at night",
            Determination = CapacityDetermination.FunctionalAssessment, AssessedAt = Ts(at), AssessedBy = "consultant psychiatrist 2019",
            ImpairmentOfMindOrBrain = !able, Understand = ability, Retain = ability, UseOrWeigh = ability, Communicate = FunctionalAbility.Able,
        };
        if (!able)
        {
            request.ImpairmentDescription = "acute delirium";
            request.InabilityBecauseOfImpairment = true;
            request.PracticableStepsTaken = "easy-read leaflet, quiet room, two attempts on different days";
            request.ReassessBy = Ts(DateTime.UtcNow.AddDays(20));
        }
        return request;
    }
}
