using Platform.Consent.Domain;
using Platform.Domain;
using Xunit;
using static Platform.Consent.Domain.Tests.TestData;

namespace Platform.Consent.Domain.Tests;

/// <summary>
/// Issue 21 (gaps the mutation run found): a record that cannot carry a rule is refused with the rule code a client
/// branches on and a message that tells the clinician which item to record; free text is refused naming its field.
/// Before these tests, the messages were read by no test, and the Mental Health Act, s63 and zone-of-parental-control
/// records had no completeness test at all.
/// </summary>
public class RecordsRefusedByNameTests
{
    private const string ControlCharacter = "staff:\u0007RN";

    private static void RefusedNaming(Refusal? refusal, string rule, string phrase)
    {
        Assert.NotNull(refusal);
        Assert.Equal(rule, refusal.Rule);
        Assert.Equal(RefusalKind.InvalidArgument, refusal.Kind);
        Assert.Contains(phrase, refusal.Message, StringComparison.OrdinalIgnoreCase);
    }

    // ---- Mental Health Act 1983 status (the MHA office's record) ----

    [Fact]
    public void A_Mental_Health_Act_status_record_is_refused_naming_its_missing_status_start_end_or_recorder()
    {
        Assert.Null(Mha(MentalHealthActStatus.Section3, DaysAgo(30)).Validate());

        var r = Mha(MentalHealthActStatus.Unspecified, DaysAgo(30));
        RefusedNaming(r.Validate(), "mental-health-act.status-missing", "Mental Health Act status");
        r.Status = (MentalHealthActStatus)99;
        RefusedNaming(r.Validate(), "mental-health-act.status-missing", "Mental Health Act status");

        r = Mha(MentalHealthActStatus.Section2, default);
        RefusedNaming(r.Validate(), "mental-health-act.from-missing", "when this Mental Health Act status began");

        r = Mha(MentalHealthActStatus.Section2, DaysAgo(30));
        r.Until = r.From;
        RefusedNaming(r.Validate(), "mental-health-act.until-before-from", "end after it began");
        r.Until = r.From - TimeSpan.FromDays(1);
        RefusedNaming(r.Validate(), "mental-health-act.until-before-from", "end after it began");
        r.Until = r.From + TimeSpan.FromTicks(1);
        Assert.Null(r.Validate());

        r = Mha(MentalHealthActStatus.Section2, DaysAgo(30));
        r.RecordedBy = " ";
        RefusedNaming(r.Validate(), "mental-health-act.recorded-by-missing", "who recorded");
        r.RecordedBy = ControlCharacter;
        RefusedNaming(r.Validate(), "recorded-by.control-characters", "Recorded by");
    }

    [Fact]
    public void A_Mental_Health_Act_status_is_in_force_from_its_start_up_to_the_instant_it_ends()
    {
        var r = Mha(MentalHealthActStatus.Section2, DaysAgo(10));
        Assert.False(r.InForce(r.From - TimeSpan.FromTicks(1)));
        Assert.True(r.InForce(r.From));
        Assert.True(r.InForce(Now));
        r.Until = DaysAgo(1);
        Assert.True(r.InForce(r.Until.Value - TimeSpan.FromTicks(1)));
        Assert.False(r.InForce(r.Until.Value));
        Assert.False(r.InForce(Now));
    }

    // MHA 1983 s56: Part 4 (consent to treatment) applies to patients liable to be detained, except under the
    // short-term powers (ss4, 5(2), 5(4), 35, 135, 136), and to a community patient only once recalled (s56(4);
    // Part 4A applies otherwise). A CTO patient is not detained; an informal patient is neither.
    public static TheoryData<MentalHealthActStatus, bool, bool> Statuses => new()
    {
        { MentalHealthActStatus.Informal, false, false },
        { MentalHealthActStatus.Section2, true, true },
        { MentalHealthActStatus.Section3, true, true },
        { MentalHealthActStatus.Section4, true, false },
        { MentalHealthActStatus.Section5Of2, true, false },
        { MentalHealthActStatus.Section5Of4, true, false },
        { MentalHealthActStatus.Section35, true, false },
        { MentalHealthActStatus.Section36, true, true },
        { MentalHealthActStatus.Section37, true, true },
        { MentalHealthActStatus.Section38, true, true },
        { MentalHealthActStatus.Section45A, true, true },
        { MentalHealthActStatus.Section47, true, true },
        { MentalHealthActStatus.Section48, true, true },
        { MentalHealthActStatus.Section135, true, false },
        { MentalHealthActStatus.Section136, true, false },
        { MentalHealthActStatus.CommunityTreatmentOrder, false, false },
        { MentalHealthActStatus.CommunityTreatmentOrderRecalled, true, true },
    };

    [Theory]
    [MemberData(nameof(Statuses))]
    public void Part_4_applies_as_MHA_1983_s56_says_and_only_a_section_detains(MentalHealthActStatus status, bool detained, bool part4)
    {
        var r = Mha(status, DaysAgo(1));
        Assert.Equal(detained, r.IsDetained);
        Assert.Equal(part4, r.Part4Applies);
    }

    // ---- The responsible clinician's s63 record (MHA 1983 s63, s145(4); Code of Practice ch. 24) ----

    public static TheoryData<string, string, string> Section63Gaps => new()
    {
        { "technology", "section-63.technology-missing", "technology" },
        { "clinician", "section-63.responsible-clinician-missing", "responsible clinician" },
        { "recorded-at", "section-63.recorded-at-missing", "when the s63 record was made" },
        { "why", "section-63.treatment-reason-missing", "s145(4)" },
        { "sought", "section-63.consent-sought-missing", "consent was sought" },
        { "views", "section-63.patient-views-missing", "patient's views" },
        { "clinician-text", "responsible-clinician.control-characters", "Responsible clinician" },
        { "why-text", "why-treatment-for-mental-disorder.too-long", "Why treatment for mental disorder" },
        { "views-text", "patient-views.control-characters", "Patient views" },
    };

    [Theory]
    [MemberData(nameof(Section63Gaps))]
    public void An_s63_record_is_refused_naming_what_the_responsible_clinician_has_not_recorded_MHA_1983_s63(string gap, string rule, string phrase)
    {
        var r = new Section63Record
        {
            Id = Guid.NewGuid(),
            PatientId = ThePatient,
            TechnologyId = gap == "technology" ? Guid.Empty : Technology,
            ResponsibleClinician = gap switch { "clinician" => "", "clinician-text" => ControlCharacter, _ => "staff:RC-9" },
            RecordedAt = gap == "recorded-at" ? default : DaysAgo(1),
            WhyTreatmentForMentalDisorder = gap switch { "why" => " ", "why-text" => new string('x', FreeText.NarrativeLimit + 1), _ => "Sleep-phase therapy for the disorder she is detained to treat" },
            ConsentSought = gap == "sought" ? null : false,
            PatientViews = gap switch { "views" => "", "views-text" => "Does not want it\u0000", _ => "Does not want it; says the light wakes her" },
        };
        RefusedNaming(r.Validate(), rule, phrase);
        Assert.Null(Section63(DaysAgo(1)).Validate());
    }

    [Fact]
    public void An_s63_record_is_in_force_from_when_it_was_made_up_to_the_instant_it_ends()
    {
        var r = Section63(DaysAgo(10));
        Assert.False(r.InForce(r.RecordedAt - TimeSpan.FromTicks(1)));
        Assert.True(r.InForce(r.RecordedAt));
        r.EndedAt = DaysAgo(1);
        Assert.True(r.InForce(r.EndedAt.Value - TimeSpan.FromTicks(1)));
        Assert.False(r.InForce(r.EndedAt.Value));
    }

    // ---- The zone of parental control for a 16-17-year-old (MHA Code of Practice ch. 19; MCA Code ch. 12) ----

    [Fact]
    public void A_zone_of_parental_control_finding_is_refused_naming_its_missing_technology_answer_reasons_or_assessor()
    {
        Assert.Null(Zone(within: true, DaysAgo(1)).Validate());

        var z = new ZoneOfParentalControlFinding { WithinZone = true, Reasons = "Ordinary decision", AssessedBy = "staff:Dr-77", AssessedAt = DaysAgo(1) };
        RefusedNaming(z.Validate(), "parental-control.technology-missing", "technology");

        z = Zone(within: false, DaysAgo(1));
        z.WithinZone = null;
        RefusedNaming(z.Validate(), "parental-control.finding-missing", "within the zone of parental control");

        z = Zone(within: false, DaysAgo(1));
        z.Reasons = " ";
        RefusedNaming(z.Validate(), "parental-control.reasons-missing", "conflict between them and their parents");

        z = Zone(within: true, DaysAgo(1));
        z.AssessedBy = "";
        RefusedNaming(z.Validate(), "parental-control.assessor-missing", "who made the finding and when");
        z = Zone(within: true, DaysAgo(1));
        z.AssessedAt = default;
        RefusedNaming(z.Validate(), "parental-control.assessor-missing", "who made the finding and when");

        z = Zone(within: true, DaysAgo(1));
        z.Reasons = "Ordinary\u001bdecision";
        RefusedNaming(z.Validate(), "reasons.control-characters", "Reasons");
        z = Zone(within: true, DaysAgo(1));
        z.AssessedBy = ControlCharacter;
        RefusedNaming(z.Validate(), "assessed-by.control-characters", "Assessed by");
    }

    // ---- Capacity (MCA 2005 ss1-3) and Gillick competence ----

    public static TheoryData<string, string, string> CapacityGaps => new()
    {
        { "determination", "capacity.determination-missing", "statutory presumption" },
        { "decision", "capacity.decision-missing", "decision-specific" },
        { "assessed-at", "capacity.assessed-at-missing", "material time" },
        { "assessor", "capacity.assessor-missing", "who assessed" },
        { "diagnostic-question", "capacity.diagnostic-question-missing", "diagnostic question" },
        { "impairment-description", "capacity.impairment-description-missing", "Describe the impairment" },
        { "understand", "capacity.understand-missing", "understand the information" },
        { "retain", "capacity.retain-missing", "retain the information" },
        { "use-or-weigh", "capacity.use-or-weigh-missing", "use or weigh" },
        { "communicate", "capacity.communicate-missing", "communicate their decision" },
        { "practicable-steps", "capacity.practicable-steps-missing", "MCA s1(3)" },
        { "causation", "capacity.causation-missing", "because of the impairment" },
        { "reassess-by", "capacity.reassess-by-missing", "reassess-by date" },
    };

    [Theory]
    [MemberData(nameof(CapacityGaps))]
    public void A_capacity_finding_missing_an_item_of_the_MCA_2005_s2_s3_test_is_refused_with_a_message_saying_what_to_record(string gap, string rule, string phrase)
    {
        var a = Lacks(DaysAgo(1));
        switch (gap)
        {
            case "determination": a.Determination = CapacityDetermination.Unspecified; break;
            case "decision": a.Decision = " "; break;
            case "assessed-at": a.AssessedAt = default; break;
            case "assessor": a.AssessedBy = ""; break;
            case "diagnostic-question": a.ImpairmentOfMindOrBrain = null; break;
            case "impairment-description": a.ImpairmentDescription = null; break;
            case "understand": a.Understand = FunctionalAbility.NotAnswered; break;
            case "retain": a.Retain = FunctionalAbility.NotAnswered; break;
            case "use-or-weigh": a.UseOrWeigh = FunctionalAbility.NotAnswered; break;
            case "communicate": a.Communicate = FunctionalAbility.NotAnswered; break;
            case "practicable-steps": a.PracticableStepsTaken = ""; break;
            case "causation": a.InabilityBecauseOfImpairment = null; break;
            case "reassess-by": a.ReassessBy = null; break;
        }
        RefusedNaming(a.Result().Refusal, rule, phrase);
        RefusedNaming(a.ValidateFor(AgeBand.Aged26To64), rule, phrase);
    }

    [Fact]
    public void A_capacity_assessment_names_the_decision_by_its_technology_MCA_2005_s2_capacity_is_decision_specific()
    {
        var a = new CapacityAssessment
        {
            Determination = CapacityDetermination.StatutoryPresumption,
            Decision = "Use of the night-time sleep sensor",
            AssessedAt = DaysAgo(1),
            AssessedBy = "staff:RN-1042",
        };
        RefusedNaming(a.Result().Refusal, "capacity.decision-missing", "use of this technology");
    }

    [Fact]
    public void For_a_child_under_16_the_MCA_test_is_refused_and_the_message_points_to_Gillick_competence_MCA_2005_s2_5()
    {
        RefusedNaming(HasCapacity(DaysAgo(1)).ValidateFor(AgeBand.Under16), "capacity.not-under-16", "Gillick competence assessment");
    }

    [Theory]
    [InlineData("decision", "decision.control-characters")]
    [InlineData("assessed-by", "assessed-by.control-characters")]
    [InlineData("impairment-description", "impairment-description.control-characters")]
    [InlineData("practicable-steps-taken", "practicable-steps-taken.control-characters")]
    public void Each_free_text_field_of_a_capacity_assessment_is_checked_by_its_own_name(string field, string rule)
    {
        var a = Lacks(DaysAgo(1));
        Assert.Null(a.ValidateText());
        switch (field)
        {
            case "decision": a.Decision = ControlCharacter; break;
            case "assessed-by": a.AssessedBy = ControlCharacter; break;
            case "impairment-description": a.ImpairmentDescription = "Acute\u0002psychosis"; break;
            default: a.PracticableStepsTaken = "Easy-read\u0002leaflet"; break;
        }
        Assert.Equal(rule, a.ValidateText()?.Rule);
    }

    [Fact]
    public void A_Gillick_finding_missing_an_item_is_refused_with_a_message_saying_what_to_record_Gillick_v_West_Norfolk_1986_AC_112()
    {
        var g = new GillickAssessment { Decision = "Use of the mood-tracking app", Competent = true, AssessedBy = "staff:Dr-77", AssessedAt = DaysAgo(1) };
        RefusedNaming(g.Validate(), "gillick.decision-missing", "competence assessment is for");
        g = Gillick(true, DaysAgo(1));
        g.Competent = null;
        RefusedNaming(g.Validate(), "gillick.competence-missing", "Gillick competent");
        g = Gillick(true, DaysAgo(1));
        g.AssessedBy = " ";
        RefusedNaming(g.Validate(), "gillick.assessor-missing", "who assessed");
        g = Gillick(true, DaysAgo(1));
        g.AssessedAt = default;
        RefusedNaming(g.Validate(), "gillick.assessed-at-missing", "when Gillick competence was assessed");
    }

    [Theory]
    [InlineData("decision", "decision.control-characters")]
    [InlineData("assessed-by", "assessed-by.control-characters")]
    [InlineData("reasons", "reasons.control-characters")]
    public void Each_free_text_field_of_a_Gillick_finding_is_checked_by_its_own_name(string field, string rule)
    {
        var g = Gillick(true, DaysAgo(1));
        g.Reasons = "Explained the app in her own words";
        g.ReassessBy = DaysAgo(1).AddDays(20);
        Assert.Null(g.ValidateForRecording(Policy));
        switch (field)
        {
            case "decision": g.Decision = ControlCharacter; break;
            case "assessed-by": g.AssessedBy = ControlCharacter; break;
            default: g.Reasons = "Explained\u0003"; break;
        }
        Assert.Equal(rule, g.ValidateText()?.Rule);
        Assert.Equal(rule, g.ValidateForRecording(Policy)?.Rule);
    }

    // ---- Reviews held with people (P2, P8) ----

    [Fact]
    public void A_review_that_continues_the_use_is_refused_without_a_next_review_date_its_scope_or_with_one_in_the_past()
    {
        var r = Review();
        r.NextReviewDate = null;
        RefusedNaming(r.Validate(Policy), "care-plan.next-review-date-missing", "date of the next review");
        r = Review();
        r.NextReviewCovers = " ";
        RefusedNaming(r.Validate(Policy), "care-plan.review-covers-missing", "what the next review will cover");
        r = Review();
        r.NextReviewDate = r.ReviewedAt - TimeSpan.FromDays(1);
        RefusedNaming(r.Validate(Policy), "care-plan.next-review-in-past", "in the future");
        r = Review();
        r.ReviewedAt = default;
        RefusedNaming(r.Validate(Policy), "review.reviewed-at-missing", "when the review was held");
        r = Review();
        r.ReviewedBy = "";
        RefusedNaming(r.Validate(Policy), "review.reviewed-by-missing", "who led the review");
        r = Review();
        r.Participants = ReviewParticipants.None;
        RefusedNaming(r.Validate(Policy), "review.participants-missing", "who took part");
        r = Review();
        r.Harms = "";
        RefusedNaming(r.Validate(Policy), "review.harms-missing", "harms");
        r = Review();
        r.OutcomeMeasureReferences = [new string('x', FreeText.ShortLimit + 1)];
        RefusedNaming(r.Validate(Policy), "review.outcome-measure-reference-invalid", "short reference");
        r.OutcomeMeasureReferences = [new string('x', FreeText.ShortLimit)];
        Assert.Null(r.Validate(Policy));
    }

    [Theory]
    [InlineData("reviewed-by")]
    [InlineData("mdt-roles")]
    [InlineData("patient-views")]
    [InlineData("why-views-not-sought")]
    [InlineData("benefit")]
    [InlineData("harms")]
    [InlineData("change-description")]
    [InlineData("review-covers")]
    public void Each_free_text_field_of_a_review_is_checked_by_its_own_name(string field)
    {
        var r = Review();
        const string bad = "text\u0007";
        switch (field)
        {
            case "reviewed-by": r.ReviewedBy = bad; break;
            case "mdt-roles": r.MdtRoles = bad; break;
            case "patient-views": r.PatientViews = bad; break;
            case "why-views-not-sought": r.WhyViewsNotSought = bad; break;
            case "benefit": r.Benefit = bad; break;
            case "harms": r.Harms = bad; break;
            case "change-description": r.ChangeDescription = bad; break;
            default: r.NextReviewCovers = bad; break;
        }
        Assert.Equal($"{field}.control-characters", r.Validate(Policy)?.Rule);
    }

    // ---- Best interests (MCA 2005 s4) ----

    [Theory]
    [InlineData("wishes-and-feelings")]
    [InlineData("written-statements")]
    [InlineData("beliefs-and-values")]
    [InlineData("regain-capacity-when")]
    [InlineData("support-to-participate")]
    [InlineData("less-restrictive-options")]
    [InlineData("decision-maker")]
    [InlineData("objection-weighed")]
    [InlineData("imca-report-reference")]
    [InlineData("capacitous-refusal-weighed")]
    [InlineData("consulted-relationship")]
    [InlineData("consulted-views")]
    public void Each_free_text_field_of_a_best_interests_decision_is_checked_by_its_own_name_MCA_2005_s4(string field)
    {
        var d = BestInterests(DaysAgo(1));
        Assert.Null(d.ValidateText());
        const string bad = "text\u0007";
        switch (field)
        {
            case "wishes-and-feelings": d.WishesAndFeelings = bad; break;
            case "written-statements": d.WrittenStatements = bad; break;
            case "beliefs-and-values": d.BeliefsAndValues = bad; break;
            case "regain-capacity-when": d.RegainCapacityWhen = bad; break;
            case "support-to-participate": d.SupportToParticipate = bad; break;
            case "less-restrictive-options": d.LessRestrictiveOptions = bad; break;
            case "decision-maker": d.DecisionMaker = bad; break;
            case "objection-weighed": d.ObjectionWeighed = bad; break;
            case "imca-report-reference": d.ImcaReportReference = bad; break;
            case "capacitous-refusal-weighed": d.CapacitousRefusalWeighed = bad; break;
            case "consulted-relationship": d.PeopleConsulted[0].Relationship = bad; break;
            default: d.PeopleConsulted[0].ViewsGiven = bad; break;
        }
        Assert.Equal($"{field}.control-characters", d.ValidateText()?.Rule);
    }

    [Fact]
    public void Each_person_consulted_needs_a_known_role_a_relationship_and_their_views_MCA_2005_s4_7()
    {
        foreach (var person in new[]
                 {
                     new ConsultedPerson { Role = ConsultedRole.Unspecified, Relationship = "sister", ViewsGiven = "Supports it" },
                     new ConsultedPerson { Role = (ConsultedRole)42, Relationship = "sister", ViewsGiven = "Supports it" },
                     new ConsultedPerson { Role = ConsultedRole.Family, Relationship = " ", ViewsGiven = "Supports it" },
                     new ConsultedPerson { Role = ConsultedRole.Family, Relationship = "sister", ViewsGiven = "" },
                 })
        {
            var d = BestInterests(DaysAgo(1));
            d.PeopleConsulted.Add(person);
            RefusedNaming(d.Validate(), "best-interests.consultation-detail-missing", "role or relationship and the views");
        }
    }

    [Fact]
    public void Whether_someone_in_a_role_was_consulted_is_read_from_the_people_consulted()
    {
        var d = BestInterests(DaysAgo(1));
        Assert.True(d.Consulted(ConsultedRole.Family));
        Assert.False(d.Consulted(ConsultedRole.Carer));
        d.PeopleConsulted.Add(new ConsultedPerson { Role = ConsultedRole.Carer, Relationship = "partner", ViewsGiven = "Supports it" });
        Assert.True(d.Consulted(ConsultedRole.Carer));
        d.PeopleConsulted.Clear();
        Assert.False(d.Consulted(ConsultedRole.Family));
    }

    [Fact]
    public void Ending_a_best_interests_decision_needs_a_time_and_a_reason_and_keeps_the_reason_trimmed()
    {
        var d = BestInterests(DaysAgo(2));
        RefusedNaming(d.End(default, "Falls have stopped"), "best-interests.ended-at-missing", "when the best-interests decision ended");
        RefusedNaming(d.End(HoursAgo(1), " "), "best-interests.ended-because-missing", "why the best-interests decision is being ended");
        Assert.Equal("ended-because.control-characters", d.End(HoursAgo(1), "Falls\u0007")?.Rule);
        Assert.Null(d.EndedAt);

        Assert.Null(d.End(HoursAgo(1), "  Falls have stopped  "));
        Assert.Equal(HoursAgo(1), d.EndedAt);
        Assert.Equal("Falls have stopped", d.EndedBecause);
        Assert.False(d.IsEnded(HoursAgo(1) - TimeSpan.FromTicks(1)));
        Assert.True(d.IsEnded(HoursAgo(1)));
        var again = d.End(Now, "again");
        Assert.Equal("best-interests.already-ended", again?.Rule);
        Assert.Equal(RefusalKind.FailedPrecondition, again?.Kind);
        Assert.Equal(HoursAgo(1), d.EndedAt);
    }
    // ---- A required text a client never sent: the record's own default, which must read as missing ----

    private static T Unset<T>(T record, string property) where T : new()
    {
        var p = typeof(T).GetProperty(property)!;
        p.SetValue(record, p.GetValue(new T()));
        return record;
    }

    public static TheoryData<string, string, string> UnsetTexts => new()
    {
        { nameof(CapacityAssessment), nameof(CapacityAssessment.Decision), "capacity.decision-missing" },
        { nameof(CapacityAssessment), nameof(CapacityAssessment.AssessedBy), "capacity.assessor-missing" },
        { nameof(GillickAssessment), nameof(GillickAssessment.Decision), "gillick.decision-missing" },
        { nameof(GillickAssessment), nameof(GillickAssessment.AssessedBy), "gillick.assessor-missing" },
        { nameof(BestInterestsDecision), nameof(BestInterestsDecision.WishesAndFeelings), "best-interests.wishes-and-feelings-missing" },
        { nameof(BestInterestsDecision), nameof(BestInterestsDecision.WrittenStatements), "best-interests.written-statements-missing" },
        { nameof(BestInterestsDecision), nameof(BestInterestsDecision.BeliefsAndValues), "best-interests.beliefs-and-values-missing" },
        { nameof(BestInterestsDecision), nameof(BestInterestsDecision.SupportToParticipate), "best-interests.support-to-participate-missing" },
        { nameof(BestInterestsDecision), nameof(BestInterestsDecision.LessRestrictiveOptions), "best-interests.less-restrictive-options-missing" },
        { nameof(BestInterestsDecision), nameof(BestInterestsDecision.DecisionMaker), "best-interests.decision-maker-missing" },
        { nameof(ConsultedPerson), nameof(ConsultedPerson.Relationship), "best-interests.consultation-detail-missing" },
        { nameof(ConsultedPerson), nameof(ConsultedPerson.ViewsGiven), "best-interests.consultation-detail-missing" },
        { nameof(MentalHealthActRecord), nameof(MentalHealthActRecord.RecordedBy), "mental-health-act.recorded-by-missing" },
        { nameof(Section63Record), nameof(Section63Record.ResponsibleClinician), "section-63.responsible-clinician-missing" },
        { nameof(Section63Record), nameof(Section63Record.WhyTreatmentForMentalDisorder), "section-63.treatment-reason-missing" },
        { nameof(Section63Record), nameof(Section63Record.PatientViews), "section-63.patient-views-missing" },
        { nameof(ZoneOfParentalControlFinding), nameof(ZoneOfParentalControlFinding.Reasons), "parental-control.reasons-missing" },
        { nameof(ZoneOfParentalControlFinding), nameof(ZoneOfParentalControlFinding.AssessedBy), "parental-control.assessor-missing" },
        { nameof(UseReview), nameof(UseReview.ReviewedBy), "review.reviewed-by-missing" },
        { nameof(UseReview), nameof(UseReview.Benefit), "review.benefit-missing" },
        { nameof(UseReview), nameof(UseReview.Harms), "review.harms-missing" },
        { nameof(AdvanceDecision), nameof(Domain.AdvanceDecision.TreatmentRefused), "advance-decision.treatment-missing" },
        { nameof(AdvanceDecision), nameof(Domain.AdvanceDecision.RecordedBy), "advance-decision.recorded-missing" },
        { nameof(OwnConsent), nameof(OwnConsent.InformationGiven), "consent.information-given-missing" },
        { nameof(OwnConsent), nameof(OwnConsent.RecordedBy), "consent.recorded-by-missing" },
        { nameof(ProxyConsent), nameof(ProxyConsent.InformationGiven), "consent.information-given-missing" },
        { nameof(ProxyConsent), nameof(ProxyConsent.RecordedBy), "consent.recorded-by-missing" },
        { nameof(CourtOrder), nameof(CourtOrder.Reference), "court-order.reference-missing" },
        { nameof(DeprivationOfLibertyScreen), nameof(DeprivationOfLibertyScreen.ScreenedBy), "deprivation-of-liberty.screener-missing" },
    };

    [Theory]
    [MemberData(nameof(UnsetTexts))]
    public void A_required_text_the_client_never_sent_is_refused_as_missing(string record, string property, string rule)
    {
        var refusal = record switch
        {
            nameof(CapacityAssessment) => Unset(Lacks(DaysAgo(1)), property).Result().Refusal,
            nameof(GillickAssessment) => Unset(Gillick(true, DaysAgo(1)), property).Validate(),
            nameof(BestInterestsDecision) => Unset(BestInterests(DaysAgo(1)), property).Validate(),
            nameof(ConsultedPerson) => WithConsulted(p => Unset(p, property)).Validate(),
            nameof(MentalHealthActRecord) => Unset(Mha(MentalHealthActStatus.Section3, DaysAgo(1)), property).Validate(),
            nameof(Section63Record) => Unset(Section63(DaysAgo(1)), property).Validate(),
            nameof(ZoneOfParentalControlFinding) => Unset(Zone(within: true, DaysAgo(1)), property).Validate(),
            nameof(AdvanceDecision) => Unset(AdvanceDecision(DaysAgo(1)), property).Validate(),
            nameof(OwnConsent) => Unset(Own(ConsentDecision.Given, DaysAgo(1)), property).Validate(),
            nameof(ProxyConsent) => Unset(By(Deputy(), ConsentDecision.Given, DaysAgo(1)), property).Validate(),
            nameof(CourtOrder) => Unset(Court(CourtKind.CourtOfProtection, CourtOrderEffect.AuthorisesUse, DaysAgo(1)), property).Validate(),
            nameof(DeprivationOfLibertyScreen) => Unset(Screen(DaysAgo(1), deprivation: false), property).Validate(),
            _ => Unset(Review(), property).Validate(Policy),
        };
        Assert.Equal(rule, refusal?.Rule);

        static BestInterestsDecision WithConsulted(Action<ConsultedPerson> change)
        {
            var d = BestInterests(DaysAgo(1));
            change(d.PeopleConsulted[0]);
            return d;
        }
    }
}
