using Platform.Consent.Domain;

namespace Platform.Consent.Domain.Tests;

/// <summary>Builders for complete, valid records; each test then breaks the one thing it is about.</summary>
internal static class TestData
{
    public static readonly DateTime Now = new(2026, 3, 2, 12, 0, 0, DateTimeKind.Utc);
    public static readonly Guid Technology = new("7f1a9a52-0000-4000-8000-000000000001");
    public static readonly Guid OtherTechnology = new("7f1a9a52-0000-4000-8000-000000000002");
    public static readonly Guid ThePatient = new("5e1c0000-0000-4000-8000-000000000001");
    public const string Ward = "WARD-ASH";
    public const string Setting = "acute-adult";
    public static readonly TrustPolicy Policy = TrustPolicy.Default;

    public static DateTime DaysAgo(double days) => Now.AddDays(-days);
    public static DateTime HoursAgo(double hours) => Now.AddHours(-hours);

    public static CapacityAssessment HasCapacity(DateTime at, Guid? technology = null) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = technology ?? Technology,
        Decision = "Use of the night-time sleep sensor",
        Determination = CapacityDetermination.FunctionalAssessment,
        AssessedAt = at,
        AssessedBy = "staff:RN-1042",
        ImpairmentOfMindOrBrain = true,
        ImpairmentDescription = "Acute psychosis",
        Understand = FunctionalAbility.Able,
        Retain = FunctionalAbility.Able,
        UseOrWeigh = FunctionalAbility.Able,
        Communicate = FunctionalAbility.Able,
        PracticableStepsTaken = "Easy-read leaflet; quiet room; discussed twice",
        ReassessBy = at.AddDays(28),
    };

    public static CapacityAssessment Lacks(DateTime at, DateTime? reassessBy = null, bool fluctuating = false, Guid? technology = null)
    {
        var a = HasCapacity(at, technology);
        a.UseOrWeigh = FunctionalAbility.Unable;
        a.InabilityBecauseOfImpairment = true;
        a.ReassessBy = reassessBy ?? at.AddDays(28);
        a.Fluctuating = fluctuating;
        return a;
    }

    public static CapacityAssessment Presumed(DateTime at) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        Decision = "Use of the night-time sleep sensor",
        Determination = CapacityDetermination.StatutoryPresumption,
        AssessedAt = at,
        AssessedBy = "staff:RN-1042",
    };

    public static GillickAssessment Gillick(bool competent, DateTime at) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        Decision = "Use of the mood-tracking app",
        Competent = competent,
        AssessedBy = "staff:Dr-77",
        AssessedAt = at,
    };

    public static OwnConsent Own(ConsentDecision decision, DateTime at) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        Decision = decision,
        InformationGiven = "What the sensor records, who sees it, how long it is kept",
        InformationFormat = AccessibleFormat.EasyRead,
        RecordedAt = at,
        RecordedBy = "staff:RN-1042",
    };

    private static ProxyAuthority Verified(ProxyKind kind, string relationship) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        Kind = kind,
        Relationship = relationship,
        DocumentReference = "DOC-" + kind,
        VerifiedBy = "staff:MHA-admin-3",
        VerifiedAt = DaysAgo(60),
    };

    public static ProxyAuthority Parent()
    {
        var a = Verified(ProxyKind.ParentalResponsibility, "mother");
        a.ParentalResponsibilityBasis = ParentalResponsibilityBasis.Parent;
        return a;
    }

    public static ProxyAuthority Lpa(bool registered = true, bool covers = true, bool donorAdult = true)
    {
        var a = Verified(ProxyKind.LastingPowerOfAttorney, "attorney (son)");
        a.LpaRegistrationReference = registered ? "OPG-7000-1234-5678" : null;
        a.LpaRegisteredAt = registered ? DaysAgo(400) : null;
        a.CoversDecision = covers;
        a.DonorWas18OrOverWhenMade = donorAdult;
        return a;
    }

    public static ProxyAuthority Deputy()
    {
        var a = Verified(ProxyKind.Deputy, "deputy (court-appointed)");
        a.CourtOrderReference = "COP-12345678";
        a.CoversDecision = true;
        return a;
    }

    public static ProxyConsent By(ProxyAuthority authority, ConsentDecision decision, DateTime at) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        ProxyAuthorityId = authority.Id,
        Decision = decision,
        InformationGiven = "What the sensor records, who sees it, how long it is kept",
        InformationFormat = AccessibleFormat.StandardWritten,
        RecordedAt = at,
        RecordedBy = "staff:RN-1042",
    };

    public static BestInterestsDecision BestInterests(DateTime at, Guid? id = null) => new()
    {
        Id = id ?? Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        WishesAndFeelings = "Has said she sleeps better knowing staff will come if she falls",
        WrittenStatements = "None known",
        BeliefsAndValues = "Values privacy; dislikes cameras",
        MayRegainCapacity = true,
        RegainCapacityWhen = "Likely within 2-3 weeks as treatment takes effect; decision cannot wait because of falls",
        SupportToParticipate = "Explained with pictures at her best time of day",
        PeopleConsulted =
        [
            new ConsultedPerson { Role = ConsultedRole.Family, Relationship = "daughter", ViewsGiven = "Supports the sensor, not cameras", ConsultedAt = at.AddHours(-3) },
        ],
        LessRestrictiveOptions = "Hourly checks rejected: wake her and raise distress; bed rails rejected: restrictive and a fall risk",
        DecisionMaker = "staff:Consultant-12",
        DecidedAt = at,
        UseIsInBestInterests = true,
    };

    public static PatientConsentRecords Records(AgeBand age, params object[] items) => new()
    {
        PatientId = ThePatient,
        AgeBand = age,
        CapacityAssessments = items.OfType<CapacityAssessment>().ToArray(),
        GillickAssessments = items.OfType<GillickAssessment>().ToArray(),
        OwnConsents = items.OfType<OwnConsent>().ToArray(),
        ProxyAuthorities = items.OfType<ProxyAuthority>().ToArray(),
        ProxyConsents = items.OfType<ProxyConsent>().ToArray(),
        BestInterestsDecisions = items.OfType<BestInterestsDecision>().ToArray(),
        Uses = items.OfType<TechnologyUse>().ToArray(),
        AdvanceDecisions = items.OfType<AdvanceDecision>().ToArray(),
        CourtOrders = items.OfType<CourtOrder>().ToArray(),
        MentalHealthActRecords = items.OfType<MentalHealthActRecord>().ToArray(),
        Section63Records = items.OfType<Section63Record>().ToArray(),
        DeprivationOfLibertyScreens = items.OfType<DeprivationOfLibertyScreen>().ToArray(),
        Objections = items.OfType<PatientObjection>().ToArray(),
        ParentalControlFindings = items.OfType<ZoneOfParentalControlFinding>().ToArray(),
    };

    public static TechnologyApproval Approval(bool surveillance = false, bool safety = false) => new()
    {
        Id = Guid.NewGuid(),
        TechnologyId = Technology,
        TechnologyName = "SleepSense bed sensor",
        SettingCode = Setting,
        IsSurveillance = surveillance,
        ManagesSafetyRisk = safety,
        ApprovedAt = DaysAgo(200),
    };

    public static TechnologyUseRequest Request(params Guid[] patients) =>
        new(patients.Length == 0 ? [ThePatient] : patients, Technology, Ward, Setting, WholeWard: false, UsePurpose.DirectCareOrTreatment);

    public static void CompleteCarePlan(TechnologyUse use, DateTime now)
    {
        use.CarePlan.Reason = "Night-time falls: two falls this admission while getting up to the toilet";
        use.CarePlan.WhenAndHowUsed = "Under-mattress sensor, 22:00 to 07:00; alerts the night nurse when she gets up";
        use.CarePlan.InformationGiven = "Easy-read leaflet on what the sensor detects and does not record";
        use.CarePlan.InformationFormat = AccessibleFormat.EasyRead;
        use.CarePlan.DecisionMakingProcess = "Discussed in ward round with her and her daughter";
        use.CarePlan.DataUse = "Alerts only; no audio or video; alert times kept in the record for 30 days";
        use.CarePlan.NextReviewDate = now.AddDays(14);
        use.CarePlan.ReviewCovers = "Falls since start, sleep quality, whether she still wants it";
        use.CarePlan.HowToWithdraw = "Tell any nurse or the ward manager; the sensor is removed the same day";
    }

    /// <summary>An active use resting on <paramref name="basis"/>, activated at <paramref name="at"/>.</summary>
    public static TechnologyUse ActiveUse(LawfulBasis basis, DateTime at, Guid? patient = null, string ward = Ward, Guid? technology = null, string? reason = null)
    {
        var approval = Approval();
        var request = Request(patient ?? ThePatient) with { WardCode = ward, TechnologyId = technology ?? Technology };
        if (technology is { } t) approval = new TechnologyApproval { Id = Guid.NewGuid(), TechnologyId = t, TechnologyName = "Other", SettingCode = Setting, ApprovedAt = DaysAgo(200) };
        var use = TechnologyUse.Propose(request, approval, Guid.NewGuid(), Guid.NewGuid(), at).Value;
        CompleteCarePlan(use, at);
        if (reason is not null) use.CarePlan.Reason = reason;
        // Every use not on the patient's own consent carries its Article 8 balancing, as it must to start.
        if (basis.Kind != LawfulBasisKind.OwnConsent) use.HumanRights = Balancing();
        var refusal = use.Activate(basis, approval, Policy, at);
        if (refusal is not null) throw new InvalidOperationException(refusal.Rule);
        return use;
    }

    public static HumanRightsBalancing Balancing() => new()
    {
        RightsEngaged = HumanRight.PrivateAndFamilyLife | HumanRight.Life,
        HowBalanced = "Movement alerts only, no images; night-time only; weighed against two falls with injury",
        LegalAdviceSought = false,
    };

    public static ZoneOfParentalControlFinding Zone(bool within, DateTime at) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        WithinZone = within,
        Reasons = within
            ? "An ordinary decision about her care that her parents would be expected to make; she and they agree"
            : "She and her mother disagree strongly about the sensor; the decision is outside what a parent should decide alone",
        AssessedBy = "staff:Dr-77",
        AssessedAt = at,
    };

    public static AdvanceDecision AdvanceDecision(DateTime madeAt, bool written = false) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        TreatmentRefused = "The bed sensor that tells staff when I get up at night",
        MadeAt = madeAt,
        Aged18OrOverWhenMade = true,
        HadCapacityWhenMade = true,
        InWriting = written,
        SignedByPatientOrAtTheirDirection = written,
        SignatureWitnessed = written,
        StatesItAppliesEvenIfLifeAtRisk = written,
        RecordedBy = "staff:RN-1042",
        RecordedAt = madeAt,
    };

    public static CourtOrder Court(CourtKind court, CourtOrderEffect effect, DateTime madeAt, bool deprivationOfLiberty = false) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        Court = court,
        Reference = "COP-13579",
        Effect = effect,
        AuthorisesDeprivationOfLiberty = deprivationOfLiberty,
        MadeAt = madeAt,
        VerifiedBy = "staff:MHA-admin-3",
        VerifiedAt = madeAt.AddHours(1),
    };

    public static MentalHealthActRecord Mha(MentalHealthActStatus status, DateTime from) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        Status = status,
        From = from,
        RecordedBy = "staff:MHA-admin-3",
    };

    public static Section63Record Section63(DateTime at) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        ResponsibleClinician = "staff:RC-9",
        RecordedAt = at,
        WhyTreatmentForMentalDisorder = "Sleep-phase therapy for the bipolar disorder she is detained to treat",
        ConsentSought = true,
        PatientViews = "Does not want it; says the light wakes her",
    };

    public static DeprivationOfLibertyScreen Screen(DateTime at, bool deprivation, DeprivationOfLibertyAuthorisation authorisation = DeprivationOfLibertyAuthorisation.None,
        DateTime? expires = null) => new()
    {
        Id = Guid.NewGuid(),
        PatientId = ThePatient,
        TechnologyId = Technology,
        ScreenedAt = at,
        ScreenedBy = "staff:Dr-12",
        ContinuousSupervisionAndControl = deprivation,
        FreeToLeave = !deprivation,
        ValidConsentToArrangements = deprivation ? false : null,
        Authorisation = authorisation,
        AuthorisationReference = authorisation is DeprivationOfLibertyAuthorisation.None or DeprivationOfLibertyAuthorisation.MentalHealthActDetention ? null : "AUTH-2468",
        AuthorisationExpiresAt = expires,
        ReviewBy = at.AddDays(28),
    };

    /// <summary>An approval for a technology that monitors continuously or restricts.</summary>
    public static TechnologyApproval Restrictive()
    {
        var approval = Approval(safety: true);
        approval.ContinuousMonitoringOrRestrictive = true;
        return approval;
    }

    public static SafetyProportionality Proportionate() => new()
    {
        WhyProportionate = "Two falls with injury this week; the least restrictive option left",
        HowRelationalCareContinues = "Named nurse spends time with her each evening",
    };

    public static LawfulBasis OwnBasis(OwnConsent consent) =>
        new(LawfulBasisKind.OwnConsent, consent.Id, ProxyKind.Unspecified, LawfulBasisStatus.Valid, null);

    /// <summary>A complete review with people; a decision to stop has no next review.</summary>
    public static UseReview Review(ReviewDecision decision = ReviewDecision.Change) => new()
    {
        Id = Guid.NewGuid(),
        UseId = Guid.NewGuid(),
        PatientId = ThePatient,
        ReviewedAt = Now,
        ReviewedBy = "staff:Consultant-12",
        Participants = ReviewParticipants.Patient | ReviewParticipants.MdtMembers,
        MdtRoles = "consultant, named nurse",
        PatientViewsSought = true,
        PatientViews = "Wants to keep it; sleeps better",
        Benefit = "No falls since it started",
        Harms = "None seen",
        Decision = decision,
        ChangeDescription = decision == ReviewDecision.Change ? "Night-time only" : null,
        NextReviewDate = decision == ReviewDecision.Stop ? null : Now.AddDays(28),
        NextReviewCovers = decision == ReviewDecision.Stop ? null : "Falls and sleep",
    };
}
