using Platform.Domain;
using Platform.Evidence.Domain;

namespace Platform.Evidence.Api.Data;

/// <summary>
/// A flag the sweep raised from one quarter's outcome report (outcome_flags): what procurement and the dashboards were
/// told, kept so that the same finding for the same quarter is raised once. Shown cells only, as the report had them.
/// </summary>
public sealed class OutcomeFlagRow : ITenantOwned
{
    public Guid FlagId { get; init; }
    public string TenantId { get; set; } = "";
    /// <summary>The domain's <see cref="OutcomeFlag.Key"/>: unique with the tenant and the period.</summary>
    public string Key { get; init; } = "";
    public OutcomeFlagKind Kind { get; init; }
    public Guid TechnologyId { get; init; }
    /// <summary>Null: all settings.</summary>
    public string? SettingCode { get; init; }
    public Instrument Instrument { get; init; }
    /// <summary><see cref="Characteristic.Unspecified"/> for no benefit.</summary>
    public Characteristic Characteristic { get; init; }
    public string? LowerGroupCategory { get; init; }
    public string? LowerGroupLabel { get; init; }
    public int? LowerGroupPatients { get; init; }
    public double? LowerGroupMean { get; init; }
    public string? HigherGroupCategory { get; init; }
    public string? HigherGroupLabel { get; init; }
    public int? HigherGroupPatients { get; init; }
    public double? HigherGroupMean { get; init; }
    public double? MeanImprovement { get; init; }
    public int? Patients { get; init; }
    public double Threshold { get; init; }
    /// <summary>The calendar quarter the report covered, "2026-Q3".</summary>
    public string Period { get; init; } = "";
    public DateTime RaisedAt { get; init; }
}
