using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.Consent.Api.Data;
using Platform.Consent.Domain;
using Platform.ServiceDefaults.Tenancy;

namespace Platform.Tools.ConsentBench;

/// <summary>How a seeded patient's records are shaped, and so what CheckUse should answer for their first use.</summary>
public enum PatientKind
{
    /// <summary>Capacity (assessment or recorded presumption) and own consent for every use: PERMIT.</summary>
    Consent,
    /// <summary>Lacks capacity for every decision; best-interests decisions for use: PERMIT on best interests.</summary>
    BestInterests,
    /// <summary>Consent for the first technology withdrawn, its use ended: DENY (consent withdrawn).</summary>
    ConsentWithdrawn,
    /// <summary>First use's review date more than the grace period ago: DENY (review overdue).</summary>
    ReviewOverdue,
    /// <summary>First use rested on best interests; a newer assessment shows capacity, past the grace period (12 h by default): DENY (consent required).</summary>
    RegainedPastGrace,
    /// <summary>As above but within the grace period: PERMIT with the consent-required warning.</summary>
    RegainedInGrace,
}

public sealed record SeededTechnology(Guid Id, string Name, string Setting, bool IsSurveillance, bool ManagesSafetyRisk);

public sealed record SeededUse(Guid TechnologyId, string Ward);

public sealed record SeededPatient(Guid Id, string Ward, AgeBand AgeBand, PatientKind Kind, SeededUse[] Uses, Guid[] OtherTechnologies);

/// <summary>
/// The trust the bench runs against: 400 wards in four setting types, 50 technologies each approved for one setting,
/// and 10,000 patients with records of the shapes in <see cref="PatientKind"/>. Deterministic for a given seed.
/// </summary>
public sealed class Trust
{
    public const string Tenant = "RX3";
    public static readonly string[] Settings = ["acute-adult", "older-adult", "picu", "rehab"];
    public const int WardCount = 400;
    /// <summary>The ward whose queries the bench times: 40 beds, all occupied (the first 40 patients; no one else).</summary>
    public const string QueryWard = "W001";
    public const int QueryWardBeds = 40;

    public DateTime Now { get; }
    public SeededTechnology[] Technologies { get; }
    /// <summary>Technologies the trust has not approved at all (a device on trial asking anyway): a check for one is denied for want of approval.</summary>
    public Guid[] Unapproved { get; }
    public SeededPatient[] Patients { get; }
    public string[] Wards { get; }

    private static readonly (PatientKind Kind, double Weight)[] s_mix =
    [
        (PatientKind.Consent, 0.72), (PatientKind.BestInterests, 0.08), (PatientKind.ConsentWithdrawn, 0.05),
        (PatientKind.ReviewOverdue, 0.05), (PatientKind.RegainedPastGrace, 0.05), (PatientKind.RegainedInGrace, 0.05),
    ];

    private readonly Random _rng;
    private int _nhs;

    public Trust(int patients, int technologies, int seed, DateTime now)
    {
        _rng = new Random(seed);
        Now = now;
        Wards = Enumerable.Range(1, WardCount).Select(i => $"W{i:000}").ToArray();
        Technologies = Enumerable.Range(0, technologies)
            .Select(i => new SeededTechnology(NewGuid(), $"technology {i:00}", Settings[i % Settings.Length], i % 10 == 3, i % 10 == 7))
            .ToArray();
        Unapproved = Enumerable.Range(0, 5).Select(_ => NewGuid()).ToArray();
        Patients = new SeededPatient[patients];
        for (var p = 0; p < patients; p++)
        {
            var wardIndex = _rng.Next(WardCount);
            // The ward the ward-query phase reads (QueryWard) is full: exactly its 40 beds, the first 40 patients.
            if (p < QueryWardBeds) wardIndex = 0;
            else if (wardIndex == 0) wardIndex = 1;
            var ward = Wards[wardIndex];
            var setting = SettingOfWard(ward);
            var approvedHere = Technologies.Where(t => t.Setting == setting).ToArray();
            var k = _rng.Next(2, 7); // 2..6 uses, 4 on average
            var chosen = approvedHere.OrderBy(_ => _rng.Next()).Take(k).ToArray();
            var others = Technologies.Where(t => !chosen.Contains(t)).Select(t => t.Id).Concat(Unapproved).ToArray();
            var roll = _rng.NextDouble();
            var kind = PatientKind.Consent;
            foreach (var (candidate, weight) in s_mix)
            {
                if (roll < weight) { kind = candidate; break; }
                roll -= weight;
            }
            var band = _rng.NextDouble() switch
            {
                < 0.05 => AgeBand.Aged16To17,
                < 0.25 => AgeBand.Aged18To25,
                < 0.80 => AgeBand.Aged26To64,
                _ => AgeBand.Aged65AndOver,
            };
            Patients[p] = new SeededPatient(NewGuid(), ward, band, kind, chosen.Select(t => new SeededUse(t.Id, ward)).ToArray(), others);
        }
    }

    public static string SettingOfWard(string ward) => Settings[(int.Parse(ward.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) - 1) % Settings.Length];

    public SeededTechnology Technology(Guid id) => Technologies.First(t => t.Id == id);

    private Guid NewGuid()
    {
        Span<byte> bytes = stackalloc byte[16];
        _rng.NextBytes(bytes);
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 shape
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>A valid NHS number (modulus 11) in the 999 test range, unique within this trust.</summary>
    public string NextNhsNumber()
    {
        while (true)
        {
            var body = "99" + (_nhs++).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            var sum = 0;
            for (var i = 0; i < 9; i++) sum += (body[i] - '0') * (10 - i);
            var check = 11 - (sum % 11);
            if (check == 10) continue;
            return body + (check == 11 ? 0 : check).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Bulk inserts through the service's own DbContext, acting for the tenant (so RLS and the query filter apply).</summary>
    public async Task<(int Rows, TimeSpan Elapsed)> SeedAsync(IServiceProvider services, int batch = 250)
    {
        var clock = Stopwatch.StartNew();
        var rows = 0;
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(Tenant);
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            db.TechnologyApprovals.AddRange(Technologies.Select(t => new TechnologyApproval
            {
                Id = NewGuid(),
                TechnologyId = t.Id,
                TechnologyName = t.Name,
                SettingCode = t.Setting,
                IsSurveillance = t.IsSurveillance,
                ManagesSafetyRisk = t.ManagesSafetyRisk,
                ApprovedAt = Now.AddDays(-200),
            }));
            // The ward directory (as identity's ward events would have filled it): the only source of a ward's setting.
            db.Wards.AddRange(Wards.Select(w => new ConsentWard { TenantId = Tenant, Code = w, SettingCode = SettingOfWard(w), Beds = 40, UpdatedAt = Now.AddDays(-200) }));
            rows += await db.SaveChangesAsync();
        }

        for (var start = 0; start < Patients.Length; start += batch)
        {
            await using var scope = services.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<TenantContext>().Use(Tenant);
            var db = scope.ServiceProvider.GetRequiredService<ConsentDbContext>();
            db.ChangeTracker.AutoDetectChangesEnabled = false;
            foreach (var patient in Patients.AsSpan(start, Math.Min(batch, Patients.Length - start)))
                AddRecords(db, patient);
            rows += await db.SaveChangesAsync();
        }
        return (rows, clock.Elapsed);
    }

    private void AddRecords(ConsentDbContext db, SeededPatient p)
    {
        db.Patients.Add(new Patient { Id = p.Id, NhsNumber = NextNhsNumber(), WardCode = p.Ward, AgeBand = p.AgeBand, RegisteredAt = Now.AddDays(-_rng.Next(61, 120)) });
        for (var j = 0; j < p.Uses.Length; j++)
        {
            var technology = Technology(p.Uses[j].TechnologyId);
            var kind = j == 0 ? p.Kind : (p.Kind == PatientKind.BestInterests ? PatientKind.BestInterests : PatientKind.Consent);
            switch (kind)
            {
                case PatientKind.Consent:
                case PatientKind.ConsentWithdrawn:
                case PatientKind.ReviewOverdue:
                {
                    var assessed = Now.AddDays(-_rng.Next(5, 60)).AddMinutes(-_rng.Next(0, 600));
                    db.CapacityAssessments.Add(HasCapacity(p, technology, assessed, presumption: _rng.Next(2) == 0));
                    var consent = OwnConsent(p, technology, assessed.AddHours(1));
                    var use = Use(p, technology, consent.RecordedAt.AddMinutes(30), LawfulBasisKind.OwnConsent, consent.Id);
                    if (kind == PatientKind.ConsentWithdrawn)
                    {
                        consent.WithdrawnAt = Now.AddDays(-2);
                        use.Status = UseStatus.Ended;
                        use.EndReason = UseEndReason.ConsentWithdrawn;
                        use.EndedAt = consent.WithdrawnAt;
                    }
                    if (kind == PatientKind.ReviewOverdue)
                        use.CarePlan.NextReviewDate = Now.AddDays(-_rng.Next(4, 20));
                    db.OwnConsents.Add(consent);
                    db.TechnologyUses.Add(use);
                    break;
                }
                case PatientKind.BestInterests:
                {
                    var assessed = Now.AddDays(-_rng.Next(3, 15));
                    db.CapacityAssessments.Add(LacksCapacity(p, technology, assessed));
                    var decision = BestInterests(p, technology, assessed.AddHours(2));
                    db.BestInterestsDecisions.Add(decision);
                    db.TechnologyUses.Add(Use(p, technology, decision.DecidedAt.AddMinutes(30), LawfulBasisKind.BestInterests, decision.Id));
                    break;
                }
                case PatientKind.RegainedPastGrace:
                case PatientKind.RegainedInGrace:
                {
                    var lacked = Now.AddDays(-_rng.Next(12, 40));
                    db.CapacityAssessments.Add(LacksCapacity(p, technology, lacked));
                    var decision = BestInterests(p, technology, lacked.AddHours(2));
                    db.BestInterestsDecisions.Add(decision);
                    db.TechnologyUses.Add(Use(p, technology, decision.DecidedAt.AddMinutes(30), LawfulBasisKind.BestInterests, decision.Id));
                    var regained = kind == PatientKind.RegainedPastGrace ? Now.AddDays(-_rng.Next(4, 11)) : Now.AddHours(-_rng.Next(1, 12));
                    db.CapacityAssessments.Add(HasCapacity(p, technology, regained, presumption: false));
                    break;
                }
            }
        }
        // History: a fifth of patients also have an ended use of another technology on their ward.
        if (_rng.Next(5) == 0)
        {
            var setting = SettingOfWard(p.Ward);
            var other = Technologies.FirstOrDefault(t => t.Setting == setting && p.Uses.All(u => u.TechnologyId != t.Id));
            if (other is not null)
            {
                var assessed = Now.AddDays(-_rng.Next(61, 90));
                db.CapacityAssessments.Add(HasCapacity(p, other, assessed, presumption: true));
                var consent = OwnConsent(p, other, assessed.AddHours(1));
                db.OwnConsents.Add(consent);
                var ended = Use(p, other, consent.RecordedAt.AddMinutes(30), LawfulBasisKind.OwnConsent, consent.Id);
                ended.Status = UseStatus.Ended;
                ended.EndReason = UseEndReason.NoLongerNeeded;
                ended.EndedAt = Now.AddDays(-_rng.Next(1, 30));
                db.TechnologyUses.Add(ended);
            }
        }
    }

    private CapacityAssessment HasCapacity(SeededPatient p, SeededTechnology t, DateTime at, bool presumption) => new()
    {
        Id = NewGuid(),
        PatientId = p.Id,
        TechnologyId = t.Id,
        Decision = $"use of {t.Name}",
        Determination = presumption ? CapacityDetermination.StatutoryPresumption : CapacityDetermination.FunctionalAssessment,
        AssessedAt = at,
        AssessedBy = "staff nurse 4411",
        ImpairmentOfMindOrBrain = presumption ? null : false,
        Understand = presumption ? FunctionalAbility.NotAnswered : FunctionalAbility.Able,
        Retain = presumption ? FunctionalAbility.NotAnswered : FunctionalAbility.Able,
        UseOrWeigh = presumption ? FunctionalAbility.NotAnswered : FunctionalAbility.Able,
        Communicate = presumption ? FunctionalAbility.NotAnswered : FunctionalAbility.Able,
    };

    private CapacityAssessment LacksCapacity(SeededPatient p, SeededTechnology t, DateTime at) => new()
    {
        Id = NewGuid(),
        PatientId = p.Id,
        TechnologyId = t.Id,
        Decision = $"use of {t.Name}",
        Determination = CapacityDetermination.FunctionalAssessment,
        AssessedAt = at,
        AssessedBy = "consultant psychiatrist 2019",
        ImpairmentOfMindOrBrain = true,
        ImpairmentDescription = "acute delirium",
        Understand = FunctionalAbility.Unable,
        Retain = FunctionalAbility.Unable,
        UseOrWeigh = FunctionalAbility.Unable,
        Communicate = FunctionalAbility.Able,
        InabilityBecauseOfImpairment = true,
        PracticableStepsTaken = "easy-read leaflet, quiet room, two attempts on different days",
        ReassessBy = Now.AddDays(20),
    };

    private OwnConsent OwnConsent(SeededPatient p, SeededTechnology t, DateTime at) => new()
    {
        Id = NewGuid(),
        PatientId = p.Id,
        TechnologyId = t.Id,
        Decision = ConsentDecision.Given,
        InformationGiven = $"what {t.Name} does, what it records, who sees the data and for how long",
        InformationFormat = (AccessibleFormat)_rng.Next(1, 11),
        RecordedAt = at,
        RecordedBy = "staff nurse 4411",
    };

    private BestInterestsDecision BestInterests(SeededPatient p, SeededTechnology t, DateTime at) => new()
    {
        Id = NewGuid(),
        PatientId = p.Id,
        TechnologyId = t.Id,
        WishesAndFeelings = "has said she hates being checked on at night",
        WrittenStatements = "none known",
        BeliefsAndValues = "values privacy and independence",
        MayRegainCapacity = false,
        SupportToParticipate = "explained with pictures at her best time of day",
        PeopleConsulted = [new ConsultedPerson { Role = ConsultedRole.Family, Relationship = "son", ViewsGiven = "supports it if it means fewer night checks", ConsultedAt = at.AddDays(-1) }],
        LessRestrictiveOptions = "hourly observations (wake her); door sensor only (misses falls)",
        DecisionMaker = "consultant psychiatrist 2019",
        DecidedAt = at,
        UseIsInBestInterests = true,
    };

    private TechnologyUse Use(SeededPatient p, SeededTechnology t, DateTime proposedAt, LawfulBasisKind basis, Guid basisRecordId)
    {
        // The purpose every check asks for: a check for another purpose is denied (purpose limitation).
        const UsePurpose purpose = UsePurpose.DirectCareOrTreatment;
        return new TechnologyUse
        {
            Id = NewGuid(),
            PatientId = p.Id,
            TechnologyId = t.Id,
            WardCode = p.Ward,
            SettingCode = t.Setting,
            Purpose = purpose,
            IsSurveillance = t.IsSurveillance,
            ManagesSafetyRisk = t.ManagesSafetyRisk,
            Status = UseStatus.Active,
            LawfulBasisKind = basis,
            LawfulBasisRecordId = basisRecordId,
            CarePlan = new CarePlanRecord
            {
                Id = NewGuid(),
                TechnologyName = t.Name,
                Reason = "falls at night; the sensor alerts staff when she gets up so someone can help",
                WhenAndHowUsed = "under the mattress from 22:00 to 07:00",
                InformationGiven = "easy-read leaflet and a talk with her nurse",
                InformationFormat = AccessibleFormat.EasyRead,
                DecisionMakingProcess = "discussed at the ward round with her and her son",
                DataUse = "alerts only; nothing is recorded beyond 24 hours",
                NextReviewDate = Now.AddDays(_rng.Next(1, 61)).AddMinutes(_rng.Next(0, 1440)),
                ReviewCovers = "falls since, sleep quality, whether she still wants it",
                HowToWithdraw = "tell any nurse, or ask your son to",
            },
            // Article 8 balancing: for surveillance, and for every use not on the patient's own consent.
            HumanRights = t.IsSurveillance || basis != LawfulBasisKind.OwnConsent
                ? new HumanRightsBalancing
                {
                    RightsEngaged = HumanRight.PrivateAndFamilyLife | HumanRight.LibertyAndSecurity,
                    HowBalanced = "night-time only, no recording, reviewed weekly with her",
                    LegalAdviceSought = false,
                }
                : null,
            Safety = t.ManagesSafetyRisk
                ? new SafetyProportionality { WhyProportionate = "two falls with injury in a week", HowRelationalCareContinues = "hourly contact kept; sensor adds, never replaces" }
                : null,
            ProposedAt = proposedAt,
            ActivatedAt = proposedAt.AddMinutes(30),
            LastReviewedAt = null,
        };
    }
}
