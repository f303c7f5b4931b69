using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Platform.Contracts.Consent.V1;
using Platform.Grpc;
using Platform.Testing;
using Xunit;

namespace Platform.Consent.Api.Tests;

/// <summary>A trust's view of the consent service over its generated gRPC client, with builders for complete records.</summary>
/// <remarks>By default the caller holds every role the service asks for; pass <c>roles</c> to act as one kind of user.</remarks>
public sealed class ConsentClient(ServiceFactory<Program> app, string tenant, params string[] roles)
{
    /// <summary>Registers a ward of this trust in the directory (as identity's event would), with its setting.</summary>
    public Task WardAsync(string ward, string setting = Setting) => WardDirectoryEvents.EnsureAsync(app, tenant, ward, setting);

    public static readonly string[] AllRoles = ["clinician", "procurement-lead", "trust-admin"];

    public const string Setting = "acute-adult";

    public string Tenant => tenant;

    /// <summary>The generated client, calling as this trust's user with this client's roles.</summary>
    public ConsentService.ConsentServiceClient Service { get; } = app.GrpcClient<ConsentService.ConsentServiceClient>(tenant, roles.Length == 0 ? AllRoles : roles);

    public Task<TResponse> Call<TResponse>(Func<ConsentService.ConsentServiceClient, AsyncUnaryCall<TResponse>> call) => call(Service).ResponseAsync;

    /// <summary>The refusal a call ends in: its status, and the rule in the trailer and in the rich status's ErrorInfo.</summary>
    public async Task<RpcException> Refused<TResponse>(Func<ConsentService.ConsentServiceClient, AsyncUnaryCall<TResponse>> call, StatusCode code, string? rule = null)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() => call(Service).ResponseAsync);
        Assert.Equal(code, error.StatusCode);
        if (rule is not null)
        {
            Assert.Equal(rule, error.Trailers.GetValue(RefusalStatus.RuleTrailer));
            Assert.Equal(rule, error.GetRpcStatus()?.GetDetail<Google.Rpc.ErrorInfo>()?.Reason);
        }
        Assert.False(string.IsNullOrWhiteSpace(error.Status.Detail));
        return error;
    }

    public async Task<string> PatientAsync(AgeBand band, string ward = "OAK")
    {
        await WardAsync(ward);
        return (await Call(c => c.RegisterPatientAsync(new RegisterPatientRequest { NhsNumber = NhsNumbers.Next(), WardCode = ward, AgeBand = band }))).PatientId;
    }

    /// <summary>The reason the tests give the operator override (ADR 0029) when they set an approval by hand.</summary>
    public const string OverrideReason = "Test set-up: approval set by the operator override, not by a procurement case";

    /// <summary>Approves the technology for the trust's usual setting, registering it first in procurement's register (as its event would).</summary>
    public async Task<TechnologyApproval> ApproveAsync(string? technologyId = null)
    {
        var technology = technologyId ?? Guid.NewGuid().ToString();
        await RegisterTechnologyAsync(technology);
        return await Call(c => c.RecordTechnologyApprovalAsync(new RecordTechnologyApprovalRequest
        {
            TechnologyId = technology,
            TechnologyName = "bedside sleep sensor",
            SettingCode = Setting,
            Reason = OverrideReason,
        }));
    }

    /// <summary>Procurement registered the technology in this trust: technology_registered delivered as Dapr's sidecar delivers it (a repeat changes nothing).</summary>
    public async Task RegisterTechnologyAsync(string technologyId, string name = "bedside sleep sensor")
    {
        using var http = app.CreateHttpClient();
        var delivered = await SidecarDelivery.PublishAsync(http, new Platform.Contracts.Procurement.V1.TechnologyRegistered
        {
            TechnologyId = technologyId, Name = name, Category = Platform.Contracts.Procurement.V1.TechnologyCategory.Monitoring, Supplier = "Acme Vision Ltd",
        }, tenant, technologyId);
        Assert.Equal((System.Net.HttpStatusCode.OK, "SUCCESS"), delivered);
    }

    public Task<CapacityAssessmentRecorded> HasCapacityAsync(string patientId, string technologyId, DateTime? at = null) =>
        Call(c => c.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
        {
            PatientId = patientId,
            TechnologyId = technologyId,
            Decision = "use of the bedside sleep sensor at night",
            Determination = CapacityDetermination.FunctionalAssessment,
            AssessedAt = Ts(at ?? DateTime.UtcNow.AddMinutes(-1)),
            AssessedBy = "staff nurse 4411",
            ImpairmentOfMindOrBrain = false,
            Understand = FunctionalAbility.Able,
            Retain = FunctionalAbility.Able,
            UseOrWeigh = FunctionalAbility.Able,
            Communicate = FunctionalAbility.Able,
        }));

    public Task<CapacityAssessmentRecorded> LacksCapacityAsync(string patientId, string technologyId, DateTime? at = null, DateTime? reassessBy = null, bool fluctuating = false) =>
        Call(c => c.RecordCapacityAssessmentAsync(new RecordCapacityAssessmentRequest
        {
            PatientId = patientId,
            TechnologyId = technologyId,
            Decision = "use of the bedside sleep sensor at night",
            Determination = CapacityDetermination.FunctionalAssessment,
            AssessedAt = Ts(at ?? DateTime.UtcNow.AddMinutes(-1)),
            AssessedBy = "consultant psychiatrist 2019",
            ImpairmentOfMindOrBrain = true,
            ImpairmentDescription = "acute delirium",
            Understand = FunctionalAbility.Unable,
            Retain = FunctionalAbility.Unable,
            UseOrWeigh = FunctionalAbility.Unable,
            Communicate = FunctionalAbility.Able,
            InabilityBecauseOfImpairment = true,
            PracticableStepsTaken = "easy-read leaflet, quiet room, two attempts on different days",
            Fluctuating = fluctuating,
            ReassessBy = Ts(reassessBy ?? DateTime.UtcNow.AddDays(20)),
        }));

    public async Task<string> GillickAsync(string patientId, string technologyId, bool competent) =>
        (await Call(c => c.RecordGillickAssessmentAsync(new RecordGillickAssessmentRequest
        {
            PatientId = patientId,
            TechnologyId = technologyId,
            Decision = "use of the bedside sleep sensor at night",
            Competent = competent,
            AssessedBy = "CAMHS consultant 77",
            Reasons = "explained what the sensor records and who sees it; she repeated it back and weighed night checks against it",
            ReassessBy = Ts(DateTime.UtcNow.AddDays(14)),
        }))).Id;

    public static RegisterProxyAuthorityRequest Lpa(string patientId) => new()
    {
        PatientId = patientId,
        Kind = ProxyKind.LastingPowerOfAttorney,
        Relationship = "daughter, attorney",
        LpaRegistrationReference = "LPA-7000-1234",
        LpaRegisteredAt = Ts(DateTime.UtcNow.AddYears(-1)),
        DonorWas18OrOverWhenMade = true,
        CoversDecision = true,
        DocumentReference = "scan 88231",
        VerifiedBy = "ward manager 12",
        VerifiedAt = Ts(DateTime.UtcNow.AddDays(-30)),
    };

    public async Task<string> LpaAsync(string patientId) => (await Call(c => c.RegisterProxyAuthorityAsync(Lpa(patientId)))).Id;

    public static RecordConsentRequest Consent(string patientId, string technologyId, string? proxyAuthorityId = null, DateTime? at = null) => new()
    {
        PatientId = patientId,
        TechnologyId = technologyId,
        ProxyAuthorityId = proxyAuthorityId ?? "",
        Decision = ConsentDecision.Given,
        InformationGiven = "what the sensor does, that it records movement only, who sees the data and for how long",
        InformationFormat = AccessibleFormat.EasyRead,
        RecordedAt = Ts(at ?? DateTime.UtcNow.AddSeconds(-30)),
        RecordedBy = "staff nurse 4411",
    };

    public async Task<string> ConsentAsync(string patientId, string technologyId, string? proxyAuthorityId = null, DateTime? at = null) =>
        (await Call(c => c.RecordConsentAsync(Consent(patientId, technologyId, proxyAuthorityId, at)))).Id;

    public static RecordBestInterestsDecisionRequest BestInterests(string patientId, string technologyId, bool consulted = true, DateTime? at = null)
    {
        var request = new RecordBestInterestsDecisionRequest
        {
            PatientId = patientId,
            TechnologyId = technologyId,
            WishesAndFeelings = "has said she hates being checked on at night",
            WrittenStatements = "none known",
            BeliefsAndValues = "values privacy and independence",
            MayRegainCapacity = false,
            SupportToParticipate = "explained with pictures at her best time of day",
            LessRestrictiveOptions = "hourly observations (wake her); door sensor only (misses falls)",
            DecisionMaker = "consultant psychiatrist 2019",
            DecidedAt = Ts(at ?? DateTime.UtcNow.AddSeconds(-30)),
            UseIsInBestInterests = true,
        };
        if (consulted)
            request.PeopleConsulted.Add(new ConsultedPerson { Role = ConsultedRole.Family, Relationship = "son", ViewsGiven = "supports it if it means fewer night checks", ConsultedAt = Ts(DateTime.UtcNow.AddDays(-1)) });
        return request;
    }

    public static ProposeUseRequest Use(string patientId, string technologyId, string ward = "OAK", UsePurpose purpose = UsePurpose.DirectCareOrTreatment)
    {
        var request = new ProposeUseRequest
        {
            TechnologyId = technologyId,
            WardCode = ward,
            Purpose = purpose,
            CarePlan = new CarePlanItems
            {
                Reason = "falls at night; sensor alerts staff when she gets up so someone can help",
                WhenAndHowUsed = "under the mattress from 22:00 to 07:00",
                InformationGiven = "easy-read leaflet and a talk with her nurse",
                InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "discussed at the ward round with her and her son",
                DataUse = "alerts only; nothing is recorded beyond 24 hours",
                NextReviewDate = Ts(DateTime.UtcNow.AddDays(30)),
                ReviewCovers = "falls since, sleep quality, whether she still wants it",
                HowToWithdraw = "tell any nurse, or ask your son to",
            },
            // Every use not on the patient's own consent needs its Article 8 balancing (ADR 0014); harmless on one that is.
            HumanRights = new HumanRightsBalancing
            {
                RightsEngaged = 4, // private and family life
                HowBalanced = "movement alerts only, no images; night-time only; reviewed with her and her son",
                LegalAdviceSought = false,
            },
        };
        request.PatientIds.Add(patientId);
        return request;
    }

    /// <summary>Proposes and activates a use; returns it active.</summary>
    public async Task<TechnologyUse> ActiveUseAsync(string patientId, string technologyId, string ward = "OAK")
    {
        await WardAsync(ward);
        var proposed = await Call(c => c.ProposeUseAsync(Use(patientId, technologyId, ward)));
        var active = await Call(c => c.ActivateUseAsync(new ActivateUseRequest { UseId = proposed.UseId }));
        Assert.Equal(UseStatus.Active, active.Status);
        return active;
    }

    public Task<CheckUseResponse> CheckAsync(string patientId, string technologyId, string ward = "OAK", UsePurpose purpose = UsePurpose.DirectCareOrTreatment) =>
        Call(c => c.CheckUseAsync(new CheckUseRequest { PatientId = patientId, TechnologyId = technologyId, WardCode = ward, Purpose = purpose }));

    /// <summary>A review held with the patient and the MDT that continues the use and sets the next review.</summary>
    public static RecordReviewRequest Review(string useId, DateTime nextReviewDate, string covers, DateTime? reviewedAt = null)
    {
        var request = new RecordReviewRequest
        {
            UseId = useId,
            ReviewedAt = reviewedAt is { } at ? Ts(at) : null,
            NextReviewDate = Ts(nextReviewDate),
            ReviewCovers = covers,
            ReviewedBy = "consultant psychiatrist 2019",
            MdtRoles = "named nurse, occupational therapist",
            PatientViewsSought = true,
            PatientViews = "sleeps better knowing someone will come if she falls",
            Benefit = "no falls at night since it started",
            Harms = "none observed; she sometimes forgets it is there",
            Decision = ReviewDecision.Continue,
        };
        request.Participants.Add(ReviewParticipant.Patient);
        request.Participants.Add(ReviewParticipant.MdtMembers);
        request.OutcomeMeasureReferences.Add("falls log 2026-11");
        return request;
    }

    public static Timestamp Ts(DateTime utc) => Timestamp.FromDateTime(DateTime.SpecifyKind(utc, DateTimeKind.Utc));
}

/// <summary>Valid NHS numbers (modulus 11) from the 999 test range, unique within a test run.</summary>
public static class NhsNumbers
{
    private static int s_next = Random.Shared.Next(1_000_000, 9_000_000);

    public static string Next()
    {
        while (true)
        {
            var body = "99" + Interlocked.Increment(ref s_next).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            var sum = 0;
            for (var i = 0; i < 9; i++) sum += (body[i] - '0') * (10 - i);
            var check = 11 - (sum % 11);
            if (check == 10) continue;
            return body + (check == 11 ? 0 : check).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
