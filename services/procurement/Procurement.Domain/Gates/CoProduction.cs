using Platform.Domain;

namespace Platform.Procurement.Domain;

/// <summary>The stages at which P4 requires co-production.</summary>
public enum CoProductionStage
{
    Unspecified = 0,
    Procurement = 1,
    Testing = 2,
    Implementation = 3,
    Evaluation = 4,
}

/// <summary>
/// One co-production activity: how many people with lived experience of being an inpatient took part (never who),
/// and how they represent the people who use the service, with varying views, backgrounds and characteristics.
/// </summary>
public sealed record CoProductionActivity(CoProductionStage Stage, DateTime HeldOn, int LivedExperienceParticipants, string HowRepresentative, string Reference);

/// <summary>P4: "providers should gain assurances from the supplier that co-production has occurred and should only use suppliers which can evidence this".</summary>
public sealed record SupplierCoProductionAssurance(bool Evidenced, string Reference);

/// <summary>
/// Co-production at procurement, testing, implementation and evaluation (P4). The gate passes once procurement was
/// co-produced and the supplier has evidenced its own co-production; a full approval also needs the testing stage,
/// and later stages are added to the same record as they happen.
/// </summary>
public sealed record CoProductionEvidence : GateEvidence
{
    public override GateKind Gate => GateKind.CoProduction;
    public IReadOnlyList<CoProductionActivity> Activities { get; init; } = [];
    public SupplierCoProductionAssurance? SupplierAssurance { get; init; }

    internal override Refusal? Validate(GateContext context)
    {
        foreach (var activity in Activities)
        {
            if (activity.Stage == CoProductionStage.Unspecified || !Enum.IsDefined(activity.Stage))
                return Refusal.Invalid("co-production.stage-missing", "Say which stage each co-production activity belongs to: procurement, testing, implementation or evaluation.");
            if (activity.LivedExperienceParticipants < 1)
                return Refusal.Invalid("co-production.participants-missing", "Each co-production activity needs at least one person with lived experience of being an inpatient.");
            if (string.IsNullOrWhiteSpace(activity.HowRepresentative))
                return Refusal.Invalid("co-production.representation-missing",
                    "Record how the participants represent the people who use the service, with varying views, backgrounds and characteristics (P4).");
            if (string.IsNullOrWhiteSpace(activity.Reference))
                return Refusal.Invalid("co-production.reference-missing", "Reference the record of each co-production activity.");
            if (activity.HeldOn == default || activity.HeldOn > context.Now)
                return Refusal.Invalid("co-production.held-on-invalid", "Record when each co-production activity was held; it cannot be in the future.");
        }
        if (SupplierAssurance is null || string.IsNullOrWhiteSpace(SupplierAssurance.Reference))
            return Refusal.Invalid("co-production.supplier-assurance-missing", "Record the supplier's assurance that its product was co-produced, with its reference (P4).");
        return null;
    }

    internal override GateVerdict Judge(GateContext context)
    {
        if (!Covers(CoProductionStage.Procurement))
            return GateVerdict.Fail("no co-production with people with lived experience is recorded at procurement");
        if (SupplierAssurance is not { Evidenced: true })
            return GateVerdict.Fail("the supplier cannot evidence that its product was co-produced, and only such suppliers should be used");
        return GateVerdict.Pass;
    }

    public bool Covers(CoProductionStage stage) => Activities.Any(a => a.Stage == stage && a.LivedExperienceParticipants > 0);
}
