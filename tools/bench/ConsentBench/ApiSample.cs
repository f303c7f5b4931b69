using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using C = Platform.Contracts.Consent.V1;

namespace Platform.Tools.ConsentBench;

/// <summary>
/// Proves the bulk-seeded records are what the service itself would have written: for each <see cref="PatientKind"/>
/// one patient is built through the gRPC API (register, assess, consent or decide, propose, activate, then withdraw,
/// review or reassess), and CheckUse must answer it exactly as it answers seeded patients of that kind.
/// </summary>
public sealed class ApiSample(C.ConsentService.ConsentServiceClient client, Trust trust)
{
    public Task<TResponse> Call<TResponse>(Func<C.ConsentService.ConsentServiceClient, AsyncUnaryCall<TResponse>> call) => call(client).ResponseAsync;

    public Task<C.CheckUseResponse> CheckAsync(Guid patient, Guid technology, string ward) =>
        Call(c => c.CheckUseAsync(new C.CheckUseRequest
        {
            PatientId = patient.ToString(),
            TechnologyId = technology.ToString(),
            WardCode = ward,
            Purpose = C.UsePurpose.DirectCareOrTreatment,
        }));

    /// <summary>What CheckUse must say for a patient of this kind, checked on their first use.</summary>
    public static string Expected(PatientKind kind) => kind switch
    {
        PatientKind.Consent => "PERMIT basis=OwnConsent",
        PatientKind.BestInterests => "PERMIT basis=BestInterests",
        PatientKind.ConsentWithdrawn => "DENY lawful-basis.consent-withdrawn",
        PatientKind.ReviewOverdue => "DENY use-check.review-overdue",
        PatientKind.RegainedPastGrace => "DENY lawful-basis.consent-required-after-capacity-regained",
        PatientKind.RegainedInGrace => "PERMIT basis=BestInterests warn=consent-required",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The parts of a CheckUse answer that a kind determines (not ids or dates).</summary>
    public static string Shape(C.CheckUseResponse r)
    {
        if (r.Decision == C.UseCheckDecision.Deny) return "DENY " + string.Join(' ', r.Reasons.Select(x => x.Rule).Order(StringComparer.Ordinal));
        var basis = r.LawfulBasis switch
        {
            C.LawfulBasisKind.OwnConsent => "OwnConsent",
            C.LawfulBasisKind.BestInterests => "BestInterests",
            C.LawfulBasisKind.ProxyConsent => "ProxyConsent",
            _ => "none",
        };
        var warnings = r.Warnings.Where(w => w == "consent-required").ToArray();
        return $"{r.Decision.ToString().ToUpperInvariant()} basis={basis}" + (warnings.Length > 0 ? " warn=" + string.Join(',', warnings) : "");
    }

    /// <summary>Builds one patient of <paramref name="kind"/> through the API and returns (patient, technology, ward) for its check.</summary>
    public async Task<(Guid Patient, Guid Technology, string Ward)> BuildAsync(PatientKind kind, string ward)
    {
        var setting = Trust.SettingOfWard(ward);
        // A technology approved for this ward's setting that needs no balancing records, as most are.
        var technology = trust.Technologies.First(t => t.Setting == setting && !t.IsSurveillance && !t.ManagesSafetyRisk);
        var tech = technology.Id.ToString();
        var now = DateTime.UtcNow;
        var patient = (await Call(c => c.RegisterPatientAsync(new C.RegisterPatientRequest { NhsNumber = trust.NextNhsNumber(), WardCode = ward, AgeBand = C.AgeBand._26To64 }))).PatientId;

        string basisRecord;
        switch (kind)
        {
            case PatientKind.Consent:
            case PatientKind.ConsentWithdrawn:
            case PatientKind.ReviewOverdue:
                await Call(c => c.RecordCapacityAssessmentAsync(HasCapacity(patient, tech, technology.Name, now.AddMinutes(-2))));
                basisRecord = (await Call(c => c.RecordConsentAsync(Consent(patient, tech, technology.Name, now.AddMinutes(-1))))).Id;
                break;
            default:
            {
                var lacked = kind == PatientKind.BestInterests ? now.AddDays(-3) : now.AddDays(-12);
                await Call(c => c.RecordCapacityAssessmentAsync(LacksCapacity(patient, tech, technology.Name, lacked, now.AddDays(20))));
                basisRecord = (await Call(c => c.RecordBestInterestsDecisionAsync(BestInterests(patient, tech, lacked.AddHours(2))))).Id;
                break;
            }
        }

        var proposed = await Call(c => c.ProposeUseAsync(Use(patient, tech, ward, now.AddDays(30))));
        var active = await Call(c => c.ActivateUseAsync(new C.ActivateUseRequest { UseId = proposed.UseId }));
        if (active.Status != C.UseStatus.Active || active.LawfulBasisRecordId != basisRecord)
            throw new InvalidOperationException($"API sample {kind}: use did not start on the recorded basis.");

        switch (kind)
        {
            case PatientKind.ConsentWithdrawn:
                await Call(c => c.WithdrawConsentAsync(new C.WithdrawConsentRequest { ConsentId = basisRecord }));
                break;
            case PatientKind.ReviewOverdue:
                // A review held with people (issue 17): who took part, the patient's views, what was seen, the decision.
                await Call(c => c.RecordReviewAsync(new C.RecordReviewRequest
                {
                    UseId = active.UseId,
                    ReviewedAt = Ts(now.AddDays(-20)),
                    NextReviewDate = Ts(now.AddDays(-10)),
                    ReviewCovers = "falls since, sleep quality, whether she still wants it",
                    ReviewedBy = "consultant psychiatrist 2019",
                    Participants = { C.ReviewParticipant.Patient, C.ReviewParticipant.MdtMembers },
                    MdtRoles = "named nurse, occupational therapist",
                    PatientViewsSought = true,
                    PatientViews = "sleeps better knowing someone will come if she falls",
                    Benefit = "no falls at night since it started",
                    Harms = "none observed",
                    Decision = C.ReviewDecision.Continue,
                }));
                break;
            case PatientKind.RegainedPastGrace:
                await Call(c => c.RecordCapacityAssessmentAsync(HasCapacity(patient, tech, technology.Name, now.AddDays(-5))));
                break;
            case PatientKind.RegainedInGrace:
                await Call(c => c.RecordCapacityAssessmentAsync(HasCapacity(patient, tech, technology.Name, now.AddHours(-3))));
                break;
        }
        return (Guid.Parse(patient), technology.Id, ward);
    }

    private static Timestamp Ts(DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));

    private static C.RecordCapacityAssessmentRequest HasCapacity(string patient, string tech, string name, DateTime at) => new()
    {
        PatientId = patient,
        TechnologyId = tech,
        Decision = $"use of {name}",
        Determination = C.CapacityDetermination.FunctionalAssessment,
        AssessedAt = Ts(at),
        AssessedBy = "staff nurse 4411",
        ImpairmentOfMindOrBrain = false,
        Understand = C.FunctionalAbility.Able,
        Retain = C.FunctionalAbility.Able,
        UseOrWeigh = C.FunctionalAbility.Able,
        Communicate = C.FunctionalAbility.Able,
    };

    private static C.RecordCapacityAssessmentRequest LacksCapacity(string patient, string tech, string name, DateTime at, DateTime reassessBy) => new()
    {
        PatientId = patient,
        TechnologyId = tech,
        Decision = $"use of {name}",
        Determination = C.CapacityDetermination.FunctionalAssessment,
        AssessedAt = Ts(at),
        AssessedBy = "consultant psychiatrist 2019",
        ImpairmentOfMindOrBrain = true,
        ImpairmentDescription = "acute delirium",
        Understand = C.FunctionalAbility.Unable,
        Retain = C.FunctionalAbility.Unable,
        UseOrWeigh = C.FunctionalAbility.Unable,
        Communicate = C.FunctionalAbility.Able,
        InabilityBecauseOfImpairment = true,
        PracticableStepsTaken = "easy-read leaflet, quiet room, two attempts on different days",
        ReassessBy = Ts(reassessBy),
    };

    private static C.RecordConsentRequest Consent(string patient, string tech, string name, DateTime at) => new()
    {
        PatientId = patient,
        TechnologyId = tech,
        Decision = C.ConsentDecision.Given,
        InformationGiven = $"what {name} does, what it records, who sees the data and for how long",
        InformationFormat = C.AccessibleFormat.EasyRead,
        RecordedAt = Ts(at),
        RecordedBy = "staff nurse 4411",
    };

    private static C.RecordBestInterestsDecisionRequest BestInterests(string patient, string tech, DateTime at)
    {
        var request = new C.RecordBestInterestsDecisionRequest
        {
            PatientId = patient,
            TechnologyId = tech,
            WishesAndFeelings = "has said she hates being checked on at night",
            WrittenStatements = "none known",
            BeliefsAndValues = "values privacy and independence",
            MayRegainCapacity = false,
            SupportToParticipate = "explained with pictures at her best time of day",
            LessRestrictiveOptions = "hourly observations (wake her); door sensor only (misses falls)",
            DecisionMaker = "consultant psychiatrist 2019",
            DecidedAt = Ts(at),
            UseIsInBestInterests = true,
        };
        request.PeopleConsulted.Add(new C.ConsultedPerson { Role = C.ConsultedRole.Family, Relationship = "son", ViewsGiven = "supports it if it means fewer night checks", ConsultedAt = Ts(at.AddDays(-1)) });
        return request;
    }

    private static C.ProposeUseRequest Use(string patient, string tech, string ward, DateTime review)
    {
        var request = new C.ProposeUseRequest
        {
            TechnologyId = tech,
            WardCode = ward,
            Purpose = C.UsePurpose.DirectCareOrTreatment,
            CarePlan = new C.CarePlanItems
            {
                Reason = "falls at night; the sensor alerts staff when she gets up so someone can help",
                WhenAndHowUsed = "under the mattress from 22:00 to 07:00",
                InformationGiven = "easy-read leaflet and a talk with her nurse",
                InformationFormat = C.AccessibleFormat.EasyRead,
                DecisionMakingProcess = "discussed at the ward round with her and her son",
                DataUse = "alerts only; nothing is recorded beyond 24 hours",
                NextReviewDate = Ts(review),
                ReviewCovers = "falls since, sleep quality, whether she still wants it",
                HowToWithdraw = "tell any nurse, or ask your son to",
            },
            // Required where the use does not rest on the patient's own consent (best interests here); harmless elsewhere.
            HumanRights = new C.HumanRightsBalancing
            {
                RightsEngaged = (int)(Platform.Consent.Domain.HumanRight.PrivateAndFamilyLife | Platform.Consent.Domain.HumanRight.Life),
                HowBalanced = "night-time only, movement alerts only, reviewed weekly with her",
                LegalAdviceSought = false,
            },
        };
        request.PatientIds.Add(patient);
        return request;
    }
}
